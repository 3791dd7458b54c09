"""What each customer spent at every till and on the web, for the tills' visits, spend
and tiers (server migration 9, table ``customer_spend``).

A pushed completed sale (returns are sales with a negative total) whose customer has a
loyalty card, and a booked web order with a card, become one row here and one change of
topic ``spend`` for every store (key: the card; body: the document's uuid, total, time
and channel). A till keeps other tills' rows as copies (``customer_spend`` at the till)
and counts its own sales from its own ``sale`` table: the feed never sends a till its own
rows, so nothing is counted twice and nothing waits for an acknowledgement. Offline a
till counts what it has. Cards are the key, as for points: a joined profile's card is
re-pointed with its points, and a card's rows are published again when it comes to a
profile (a till skips rows of a card it does not know yet).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tui_pos.models.chain_tables import CHAINED
from tui_pos.server.ledgers import resolve_card
from tui_pos.server.wire import PushedDocument

SCHEMA_SPEND = """
CREATE TABLE customer_spend (
  id bigserial PRIMARY KEY,
  store_id text NOT NULL,
  origin text NOT NULL,
  doc_uuid text NOT NULL,
  card text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('till', 'web')),
  total_cents bigint NOT NULL,
  at text NOT NULL,
  UNIQUE (store_id, origin, doc_uuid));
CREATE INDEX customer_spend_card ON customer_spend (card);
"""

_SALE = {c: 2 + i for i, c in enumerate(CHAINED["sale"].columns)}

#: (document uuid, card, total in cents, time, channel)
Spend = tuple[str, str, int, str, str]


def spend_rows(doc: PushedDocument) -> list[Spend]:
    """The completed sales of a pushed entry whose customer has a card."""
    rows = []
    for row in doc.rows:
        if row[0] != "sale" or row[_SALE["status"]] != "completed":
            continue
        card = doc.cards.get(str(row[_SALE["customer_id"]]))
        if card:
            rows.append(
                (
                    str(row[_SALE["uuid"]]),
                    card,
                    int(row[_SALE["total_cents"]]),
                    str(row[_SALE["created_at"]]),
                    "till",
                )
            )
    return rows


def _body(uuid: str, total: int, at: str, channel: str) -> Jsonb:
    return Jsonb({"uuid": uuid, "total_cents": total, "at": at, "channel": channel})


def book_spend(cur: psycopg.Cursor[Any], store: str, origin: str, rows: Sequence[Spend]) -> None:
    """Add what customers spent at ``origin`` (a till, or ``web:SHOP``) and publish it to
    every store (inside the caller's transaction). The one writer of spend rows."""
    if not rows:
        return
    booked = {card: resolve_card(cur, card) for card in sorted({r[1] for r in rows})}
    cur.executemany(
        "INSERT INTO customer_spend (store_id, origin, doc_uuid, card, total_cents, at, "
        "channel) VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
        [(store, origin, u, booked[c], t, at, ch) for u, c, t, at, ch in rows],
    )
    cur.executemany(
        "INSERT INTO change (store_id, origin_store, origin_till, topic, key, body) "
        "VALUES (NULL,%s,%s,'spend',%s,%s)",
        [(store, origin, booked[c], _body(u, t, at, ch)) for u, c, t, at, ch in rows],
    )


def record(cur: psycopg.Cursor[Any], store: str, till: str, docs: Sequence[PushedDocument]) -> None:
    """Book the spend of a push's new documents (in the push's transaction)."""
    book_spend(cur, store, till, [r for d in docs for r in spend_rows(d)])


def republish_spend(conn: psycopg.Connection, card: str) -> None:
    """Publish every spend row of ``card`` again, as their origin's (see the module)."""
    conn.execute(
        "INSERT INTO change (store_id, origin_store, origin_till, topic, key, body) "
        "SELECT NULL, store_id, origin, 'spend', card, jsonb_build_object('uuid', doc_uuid, "
        "'total_cents', total_cents, 'at', at, 'channel', channel) "
        "FROM customer_spend WHERE card = %s ORDER BY id",
        (card,),
    )


def repoint_spend(conn: psycopg.Connection, old: str, new: str) -> None:
    """A joined profile's card: its spend rows are the survivor card's."""
    conn.execute("UPDATE customer_spend SET card = %s WHERE card = %s", (new, old))
