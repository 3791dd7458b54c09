"""Customers shared by every till and store: the server keeps one merged record each.

A till pushes the documents of the customers it changed (``POST /v1/customers``); each is
merged into the record under a lock per customer (:func:`tui_pos.domain.customer_merge.merge`,
the same join the tills use), and a changed record is published to every store's tills
(topic ``customer``, ``store_id`` NULL) in the same transaction. Only the latest change
per customer stays on the feed: it is the join of every earlier one, and an erasure must
not leave old personal data in earlier feed rows. An erasure also blanks the contact
details of the web orders paid with the customer's card (the card itself stays on the
orders and the points ledger, which the books need, as the tills keep ids).

Scope: customers are the organisation's, like loyalty points: any enrolled, unrevoked
till of any store may push them (its token is checked); a web shop's token cannot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tui_pos.domain.customer_match import Joined
from tui_pos.domain.customer_merge import CustomerDocument, from_wire, merge, to_wire
from tui_pos.server import customer_dedupe
from tui_pos.server.customer_spend import republish_spend
from tui_pos.server.ledgers import cards_of, republish_points
from tui_pos.server.push import TillIdentity

SCHEMA_V7 = """
CREATE TABLE customer_record (
  uuid text PRIMARY KEY CHECK (uuid ~ '^[0-9a-f]{32}$'),
  doc jsonb NOT NULL,
  card text,
  erased text,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX customer_record_card ON customer_record (card);
CREATE INDEX change_topic_key ON change (topic, key);
"""


def _lock(conn: psycopg.Connection, uuid: str) -> None:
    key = int.from_bytes(hashlib.sha256(uuid.encode()).digest()[:4], "big", signed=True)
    conn.execute("SELECT pg_advisory_xact_lock(7403, %s)", (key,))


def record(conn: psycopg.Connection, uuid: str) -> CustomerDocument | None:
    """The server's merged record of one customer (None: never pushed)."""
    row = conn.execute("SELECT doc FROM customer_record WHERE uuid = %s", (uuid,)).fetchone()
    return from_wire(row[0]) if row else None


def _erase_web_contacts(conn: psycopg.Connection, card: object) -> None:
    if not isinstance(card, str) or not card:
        return
    for one in cards_of(conn, card):  # also the cards of profiles joined into this one
        _erase_card_contacts(conn, one)


def _erase_card_contacts(conn: psycopg.Connection, card: str) -> None:
    conn.execute(
        "UPDATE web_order_contact c SET name = '', email = '', phone = '' FROM web_order o "
        "WHERE o.shop_id = c.shop_id AND o.order_id = c.order_id AND o.customer_card = %s",
        (card,),
    )
    conn.execute(  # the order as posted held the contact: keep only its hash (a repeat)
        "UPDATE web_order SET canonical = 'erased:' || encode(sha256(convert_to(canonical, "
        "'UTF8')), 'hex') WHERE customer_card = %s AND canonical NOT LIKE 'erased:%%'",
        (card,),
    )
    conn.execute(
        "UPDATE change SET body = jsonb_set(body, '{customer}', "
        "jsonb_build_object('card', %s::text, 'name', '', 'email', '', 'phone', '')) "
        "WHERE topic = 'web_order' AND body->'customer'->>'card' = %s",
        (card, card),
    )


def _merge_one(
    conn: psycopg.Connection, who: TillIdentity, doc: CustomerDocument, joined: list[Joined]
) -> dict[str, Any]:
    _lock(conn, doc.uuid)
    target = customer_dedupe.resolve(conn, doc.uuid)
    if target != doc.uuid:  # merged into another profile before: lands on the survivor
        joined.append(customer_dedupe.alias_of(conn, doc.uuid))
        doc = replace(doc, uuid=target)
    old = record(conn, doc.uuid)
    merged = merge(old, doc) if old is not None else doc
    if merged == old:
        return to_wire(merged)
    wire = to_wire(merged)
    card = merged.fields.get("card", (None, ""))[0]
    conn.execute(
        "INSERT INTO customer_record (uuid, doc, card, erased, updated_by) "
        "VALUES (%s,%s,%s,%s,%s) ON CONFLICT (uuid) DO UPDATE SET doc = excluded.doc, "
        "card = excluded.card, erased = excluded.erased, updated_by = excluded.updated_by, "
        "updated_at = now()",
        (doc.uuid, Jsonb(wire), card, merged.erased, f"{who.store}/{who.till}"),
    )
    if merged.erased is not None and (old is None or old.erased is None):
        _erase_web_contacts(conn, old.fields.get("card", (None, ""))[0] if old else None)
        conn.execute(
            "INSERT INTO audit (actor, action, detail) VALUES (%s, 'customer_erased', %s)",
            (f"till {who.till} of store {who.store}", f"customer {doc.uuid}"),
        )
    found: list[Joined] = []
    if merged.erased is None:  # two profiles of one person: joined (never an erased one)
        merged, found = customer_dedupe.join_duplicates(conn, (who.store, who.till), merged)
        joined += found
        wire = to_wire(merged)
    conn.execute("DELETE FROM change WHERE topic = 'customer' AND key = %s", (merged.uuid,))
    conn.execute(
        "INSERT INTO change (store_id, origin_store, origin_till, topic, key, body) "
        "VALUES (NULL, %s, %s, 'customer', %s, %s)",
        (who.store, who.till, merged.uuid, Jsonb(wire)),
    )
    card = merged.fields.get("card", (None, ""))[0]
    old_card = old.fields.get("card", (None, ""))[0] if old is not None else None
    if isinstance(card, str) and card and (card != old_card or found):
        republish_points(conn, card)  # after the record: tills skipped rows of unknown cards
        republish_spend(conn, card)
    return wire


def push_customers(
    conn: psycopg.Connection, who: TillIdentity, docs: Sequence[CustomerDocument]
) -> dict[str, Any]:
    """Merge a till's customer documents (one transaction, locks in uuid order); the
    merged records, which the till applies in turn, and the profiles joined into others
    (``merged``: loser uuid -> survivor uuid), which the till applies first."""
    joined: list[Joined] = []
    with conn.transaction():
        conn.execute(customer_dedupe.LOCK)
        merged = [_merge_one(conn, who, doc, joined) for doc in sorted(docs, key=lambda d: d.uuid)]
    return {"documents": merged, "merged": [j.as_wire() for j in joined]}
