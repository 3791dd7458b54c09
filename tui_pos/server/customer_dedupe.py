"""Two profiles of one person joined at the store server (server migration 9).

When a customer push merges a profile, the live records (not erased, not aliases) are
searched for one that matches it by card, e-mail or phone
(:mod:`tui_pos.domain.customer_match` holds the rule and the survivor's choice). The
loser's document is merged into the survivor's, its record is removed and its uuid kept
as an alias (``customer_alias``): a later document naming it is merged into the survivor.
Points: the ledger is by card, so a loser's card other than the survivor's is re-pointed
(every ``loyalty_ledger`` row moved once, nothing copied) and kept in ``card_alias``, so a
later sale, web order or balance asked with that card lands on the survivor's. The merge
is audited and published to every store (topic ``customer_merge``, then the survivor's
record as topic ``customer``) so each till re-points its own rows.

Every function runs inside the push's transaction, which holds the customers' lock.
"""

from __future__ import annotations

import time

import psycopg
from psycopg.types.json import Jsonb

from tui_pos.domain.customer_match import Joined, absorb, keys_of, match_rule, survivor_of
from tui_pos.domain.customer_merge import CustomerDocument, from_wire, to_wire
from tui_pos.server.customer_spend import SCHEMA_SPEND, repoint_spend

_ALIASES = """
CREATE TABLE customer_alias (
  uuid text PRIMARY KEY CHECK (uuid ~ '^[0-9a-f]{32}$'),
  survivor text NOT NULL,
  cards text[] NOT NULL,
  rule text NOT NULL,
  merged_by text NOT NULL,
  merged_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX customer_alias_survivor ON customer_alias (survivor);
CREATE TABLE card_alias (
  card text PRIMARY KEY,
  survivor_card text NOT NULL);
CREATE INDEX customer_record_email ON customer_record
  (lower(btrim(doc->'fields'->'email'->>'value')));
CREATE INDEX customer_record_phone ON customer_record
  (regexp_replace(doc->'fields'->'phone'->>'value', '[^0-9]', '', 'g'));
"""

SCHEMA_V9 = _ALIASES + SCHEMA_SPEND

#: Serialises the transactions that merge customers (the search must see every record).
LOCK = "SELECT pg_advisory_xact_lock(7404)"


def resolve(conn: psycopg.Connection, uuid: str) -> str:
    """The live uuid a customer's uuid names (itself, or the survivor of its merge)."""
    row = conn.execute("SELECT survivor FROM customer_alias WHERE uuid = %s", (uuid,)).fetchone()
    return str(row[0]) if row else uuid


def _candidates(conn: psycopg.Connection, doc: CustomerDocument) -> list[CustomerDocument]:
    keys = keys_of(doc)
    if not keys:
        return []
    rows = conn.execute(
        "SELECT doc FROM customer_record WHERE erased IS NULL AND uuid <> %s AND ("
        "card = %s OR lower(btrim(doc->'fields'->'email'->>'value')) = %s OR "
        "regexp_replace(doc->'fields'->'phone'->>'value', '[^0-9]', '', 'g') = %s) "
        "ORDER BY uuid",
        # a key the document lacks is NULL, which matches nothing (not every empty e-mail)
        (doc.uuid, keys.get("card"), keys.get("email"), keys.get("phone")),
    ).fetchall()
    return [d for d in (from_wire(r[0]) for r in rows) if match_rule(doc, d)]


def _card(doc: CustomerDocument) -> str | None:
    value = doc.fields.get("card", (None, ""))[0]
    return value if isinstance(value, str) and value else None


def _repoint_card(conn: psycopg.Connection, old: str | None, new: str | None) -> None:
    if old is None or new is None or old == new:
        return
    conn.execute("UPDATE loyalty_ledger SET card = %s WHERE card = %s", (new, old))
    repoint_spend(conn, old, new)
    conn.execute("UPDATE card_alias SET survivor_card = %s WHERE survivor_card = %s", (new, old))
    conn.execute(
        "INSERT INTO card_alias (card, survivor_card) VALUES (%s, %s) "
        "ON CONFLICT (card) DO UPDATE SET survivor_card = excluded.survivor_card",
        (old, new),
    )


def _join(
    conn: psycopg.Connection,
    by: tuple[str, str],
    a: CustomerDocument,
    b: CustomerDocument,
    rule: str,
) -> tuple[CustomerDocument, Joined]:
    survivor, loser = survivor_of(a, b)
    merged = absorb(survivor, loser, time.time_ns() // 1_000_000)
    card = _card(merged)
    cards = tuple(sorted({c for c in (_card(survivor), _card(loser)) if c and c != card}))
    for old in cards:
        _repoint_card(conn, old, card)
    who = f"{by[0]}/{by[1]}"
    conn.execute(
        "UPDATE customer_record SET doc = %s, card = %s, updated_by = %s, updated_at = now() "
        "WHERE uuid = %s",
        (Jsonb(to_wire(merged)), card, who, survivor.uuid),
    )
    conn.execute("DELETE FROM customer_record WHERE uuid = %s", (loser.uuid,))
    conn.execute(
        "UPDATE customer_alias SET survivor = %s WHERE survivor = %s", (survivor.uuid, loser.uuid)
    )
    conn.execute(
        "INSERT INTO customer_alias (uuid, survivor, cards, rule, merged_by) "
        "VALUES (%s,%s,%s,%s,%s)",
        (loser.uuid, survivor.uuid, list(cards), rule, who),
    )
    conn.execute(
        "INSERT INTO audit (actor, action, detail) VALUES (%s, 'customer_merged', %s)",
        (
            f"store server, on a push of till {by[1]} of store {by[0]}",
            f"customer {loser.uuid} merged into {survivor.uuid} (same {rule})",
        ),
    )
    joined = Joined(loser.uuid, survivor.uuid, rule, cards)
    conn.execute("DELETE FROM change WHERE topic = 'customer' AND key = %s", (loser.uuid,))
    conn.execute(
        "INSERT INTO change (store_id, origin_store, origin_till, topic, key, body) "
        "VALUES (NULL, %s, %s, 'customer_merge', %s, %s)",
        (*by, loser.uuid, Jsonb(joined.as_wire())),
    )
    return merged, joined


def join_duplicates(
    conn: psycopg.Connection, by: tuple[str, str], doc: CustomerDocument
) -> tuple[CustomerDocument, list[Joined]]:
    """Join every live record matching the stored record ``doc`` into one; the survivor's
    merged document and the merges made (the caller publishes the survivor's record)."""
    joined: list[Joined] = []
    for _ in range(20):  # each join removes a record; a profile has few duplicates
        found = _candidates(conn, doc)
        if not found:
            break
        other = found[0]
        rule = match_rule(doc, other)
        assert rule is not None
        doc, done = _join(conn, by, doc, other, rule)
        joined.append(done)
    return doc, joined


def alias_of(conn: psycopg.Connection, uuid: str) -> Joined:
    """The merge that made ``uuid`` an alias (call only for an alias)."""
    row = conn.execute(
        "SELECT survivor, rule, cards FROM customer_alias WHERE uuid = %s", (uuid,)
    ).fetchone()
    assert row is not None
    return Joined(uuid, str(row[0]), str(row[1]), tuple(row[2]))
