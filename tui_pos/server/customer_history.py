"""A customer's documents across the organisation, for the profile at any till: the till
sales of every store made to their loyalty card and their web orders from every shop.

A till names its customers by its own ids; each push carries the card of every customer
id its rows name (``cards``), kept here per till (``till_customer``), so a sale row's
customer id finds its card. The profile asks for one card's latest documents when it
opens (``GET /v1/customers/history?card=C``): one indexed read per card, whatever the
size of the chain, instead of sending every customer's documents to every till.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg

from tui_pos.models.chain_tables import CHAINED
from tui_pos.server.wire import PushedDocument

#: How many of the latest documents of each channel the profile is given.
MAX_VISITS = 20


def _col(table: str, column: str) -> int:
    return 2 + CHAINED[table].columns.index(column)


_SALE = {c: _col("sale", c) for c in ("seq", "status", "created_at", "total_cents")}
_LINE = {c: _col("sale_line", c) for c in ("sale_id", "code", "qty_milli")}

SCHEMA_V8 = f"""
CREATE TABLE till_customer (
  store_id text NOT NULL,
  till_id text NOT NULL,
  customer_id bigint NOT NULL,
  card text NOT NULL,
  PRIMARY KEY (store_id, till_id, customer_id));
CREATE INDEX till_customer_card ON till_customer (card);
CREATE INDEX chain_row_sale_customer ON chain_row
  (store_id, till_id, ((data->>{_col("sale", "customer_id")})::bigint)) WHERE tbl = 'sale';
CREATE INDEX chain_row_line_sale ON chain_row
  (store_id, till_id, ((data->>{_LINE["sale_id"]})::bigint)) WHERE tbl = 'sale_line';
CREATE INDEX web_order_card ON web_order (customer_card) WHERE customer_card <> '';
"""


def record_cards(
    cur: psycopg.Cursor[Any], store: str, till: str, docs: list[PushedDocument]
) -> None:
    """(In the push's transaction) which card each customer id of the till names."""
    cards = {(int(cid), card) for d in docs for cid, card in d.cards.items() if card}
    if cards:
        cur.executemany(
            "INSERT INTO till_customer (store_id, till_id, customer_id, card) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (store_id, till_id, customer_id) "
            "DO UPDATE SET card = excluded.card",
            [(store, till, cid, card) for cid, card in sorted(cards)],
        )


def _sales(conn: psycopg.Connection, own_store: str, card: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        f"SELECT s.store_id, s.till_id, (s.data->>{_SALE['seq']})::bigint, "
        f"s.data->>{_SALE['created_at']}, (s.data->>{_SALE['total_cents']})::bigint, s.row_id "
        "FROM till_customer tc JOIN chain_row s ON s.store_id = tc.store_id AND s.till_id = "
        f"tc.till_id AND s.tbl = 'sale' AND (s.data->>{_col('sale', 'customer_id')})::bigint "
        f"= tc.customer_id WHERE tc.card = %s AND s.data->>{_SALE['status']} = 'completed' "
        f"ORDER BY s.data->>{_SALE['created_at']} DESC LIMIT %s",
        (card, MAX_VISITS),
    ).fetchall()
    visits = []
    for store, till, seq, created, total, row_id in rows:
        lines = conn.execute(
            f"SELECT data->>{_LINE['code']}, (data->>{_LINE['qty_milli']})::bigint "
            "FROM chain_row WHERE store_id = %s AND till_id = %s AND tbl = 'sale_line' "
            f"AND (data->>{_LINE['sale_id']})::bigint = %s ORDER BY row_id",
            (store, till, row_id),
        ).fetchall()
        number = f"{till}-{int(seq):06d}"
        at = datetime.fromisoformat(str(created)).replace(tzinfo=UTC)
        visits.append(
            {
                "number": number if store == own_store else f"{store}/{number}",
                "channel": "till",
                "store": store,
                "created_at": at.isoformat(),
                "total_cents": int(total),
                "items": len(lines),
                "codes": sorted({str(code) for code, qty in lines if code and qty > 0}),
            }
        )
    return visits


def _web_orders(conn: psycopg.Connection, card: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT o.store_id, o.order_id, o.created_at, o.total_cents, array(SELECT "
        "l.product_code FROM web_order_line l WHERE l.shop_id = o.shop_id AND l.order_id = "
        "o.order_id ORDER BY l.position) FROM web_order o WHERE o.customer_card = %s "
        "ORDER BY o.received_at DESC LIMIT %s",
        (card, MAX_VISITS),
    ).fetchall()
    return [
        {
            "number": str(order_id),
            "channel": "web",
            "store": store,
            "created_at": datetime.fromisoformat(str(created)).astimezone(UTC).isoformat(),
            "total_cents": int(total),
            "items": len(codes),
            "codes": sorted(set(codes)),
        }
        for store, order_id, created, total, codes in rows
    ]


def customer_history(conn: psycopg.Connection, own_store: str, card: str) -> dict[str, Any]:
    """The latest till sales and web orders of ``card`` in every store, newest first
    (sale numbers of another store than ``own_store`` carry its id: ``S02/T2-000042``)."""
    with conn.transaction():
        visits = _sales(conn, own_store, card) + _web_orders(conn, card)
    visits.sort(key=lambda v: (datetime.fromisoformat(v["created_at"]), v["number"]), reverse=True)
    return {"card": card, "visits": visits[:MAX_VISITS]}
