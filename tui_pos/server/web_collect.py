"""A web order handed over at a till: recorded once at the server and told to the store's
other tills (topic ``web_order_collected``), so no other till hands it over again.

The till's ``online_order_event`` row names its local order by id; the order's text id is
in that till's ``online_order`` row (in the same push or stored before). A second hand-over
of the same web order (two tills offline at once) keeps both documents and writes an alert.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tui_pos.models.chain_tables import CHAINED

_EVENT = {c: 2 + i for i, c in enumerate(CHAINED["online_order_event"].columns)}
_ORDER_ID = 2 + CHAINED["online_order"].columns.index("order_id")


def _order_text(
    conn: psycopg.Connection, store: str, till: str, rows: tuple[tuple[Any, ...], ...], pk: int
) -> str | None:
    for row in rows:
        if row[0] == "online_order" and row[1] == pk:
            return str(row[_ORDER_ID])
    found = conn.execute(
        f"SELECT data->>{_ORDER_ID} FROM chain_row WHERE store_id = %s AND till_id = %s "
        "AND tbl = 'online_order' AND row_id = %s",
        (store, till, pk),
    ).fetchone()
    return str(found[0]) if found else None


def record_collections(
    conn: psycopg.Connection, store: str, till: str, rows: tuple[tuple[Any, ...], ...]
) -> None:
    """Record the web orders the pushed rows hand over (inside the push's transaction)."""
    for row in rows:
        if row[0] != "online_order_event" or row[_EVENT["kind"]] != "collected":
            continue
        if row[_EVENT["till"]] != till:
            continue  # another till's hand-over this till pulled: a copy
        order_id = _order_text(conn, store, till, rows, int(row[_EVENT["order_id"]]))
        web = conn.execute(
            "SELECT shop_id FROM web_order WHERE store_id = %s AND order_id = %s",
            (store, order_id),
        ).fetchone()
        if order_id is None or web is None:
            continue  # an order imported from a file at this till only
        at = str(row[_EVENT["created_at"]])
        first = conn.execute(
            "INSERT INTO web_order_collected (shop_id, order_id, till_id, collected_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING till_id",
            (web[0], order_id, till, at),
        ).fetchone()
        if first is None:
            conn.execute(
                "INSERT INTO alert (store_id, till_id, kind, message) "
                "VALUES (%s, %s, 'handed_over_twice', %s)",
                (store, till, f"web order {order_id} was handed over at two tills"),
            )
            continue
        body = {"order_id": order_id, "till": till, "cashier": row[_EVENT["cashier"]], "at": at}
        conn.execute(
            "INSERT INTO change (store_id, origin_till, topic, key, body) "
            "VALUES (%s, %s, 'web_order_collected', %s, %s)",
            (store, till, order_id, Jsonb(body)),
        )
