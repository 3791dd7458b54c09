"""What was sold of a document and what is left to return of it: the lines of a till's
sale as the server holds them (``chain_row``) with what its own till took back, a web
order's lines, the live claims of other tills; and the alert for a return made offline
over what other tills claimed."""

from __future__ import annotations

import hashlib
from typing import Any

import psycopg

from tui_pos.domain.returns import LeftToReturn
from tui_pos.models.chain_tables import CHAINED

#: (position, code, name, sold thousandths, amount paid, taken back by its own till)
Sold = tuple[str, list[tuple[int, str, str, int, int, int]]]

#: A claim that counts as taken back (``return_claim`` rows): completed by its pushed
#: return, or neither released nor past its lease (the clock is PostgreSQL's).
LIVE_CLAIM = "(completed_at IS NOT NULL OR (released_at IS NULL AND expires_at > now()))"


def _col(table: str, column: str) -> int:
    return 2 + CHAINED[table].columns.index(column)


def till_lines(conn: psycopg.Connection, store: str, till: str, seq: int) -> Sold | None:
    sale = conn.execute(
        f"SELECT row_id FROM chain_row WHERE store_id = %s AND till_id = %s AND tbl = 'sale' "
        f"AND (data->>{_col('sale', 'seq')})::bigint = %s "
        f"AND data->>{_col('sale', 'status')} = 'completed'",
        (store, till, seq),
    ).fetchone()
    if sale is None:
        return None
    line = {c: _col("sale_line", c) for c in CHAINED["sale_line"].columns}
    rows = conn.execute(
        f"SELECT (l.data->>{line['position']})::int, l.data->>{line['code']}, "
        f"l.data->>{line['name']}, (l.data->>{line['qty_milli']})::bigint, "
        f"(l.data->>{line['amount_cents']})::bigint, coalesce((SELECT -sum((r.data->>"
        f"{line['qty_milli']})::bigint) FROM chain_row r WHERE r.store_id = l.store_id AND "
        f"r.till_id = l.till_id AND r.tbl = 'sale_line' AND (r.data->>"
        f"{line['return_of_line_id']})::bigint = l.row_id), 0)::bigint FROM chain_row l "
        f"WHERE l.store_id = %s AND l.till_id = %s AND l.tbl = 'sale_line' "
        f"AND (l.data->>{line['sale_id']})::bigint = %s AND (l.data->>{line['qty_milli']})"
        "::bigint > 0 ORDER BY 1",
        (store, till, sale[0]),
    ).fetchall()
    return "till", [tuple(r) for r in rows]


def web_lines(conn: psycopg.Connection, order_id: str) -> Sold | None:
    found = conn.execute(
        "SELECT shop_id, payment_method FROM web_order WHERE order_id = %s", (order_id,)
    ).fetchone()
    if found is None:
        return None
    rows = conn.execute(
        "SELECT position, product_code, '', qty_milli, amount_cents, 0 FROM web_order_line "
        "WHERE shop_id = %s AND order_id = %s ORDER BY position",
        (found[0], order_id),
    ).fetchall()
    return f"web {found[1]}", [tuple(r) for r in rows]


def sold_of_key(conn: psycopg.Connection, key: str) -> Sold | None:
    """The sold lines of a claimed document by its key (``web/ID``, ``STORE/TILL-SEQ``)."""
    store, _, document = key.partition("/")
    if store == "web":
        return web_lines(conn, document)
    till, _, seq = document.rpartition("-")
    return till_lines(conn, store, till, int(seq))


def document_lock(conn: psycopg.Connection, key: str) -> None:
    """Serialise claims of one document (a transaction-scoped advisory lock)."""
    lock = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)
    conn.execute("SELECT pg_advisory_xact_lock(7403, %s)", (lock,))


def left_of(
    conn: psycopg.Connection, key: str, found: tuple[str, list[Any]]
) -> tuple[str, list[LeftToReturn]]:
    claimed: dict[int, int] = dict(
        conn.execute(
            "SELECT position, sum(qty_milli)::bigint FROM return_claim WHERE document = %s "
            f"AND {LIVE_CLAIM} GROUP BY position",
            (key,),
        ).fetchall()
    )
    channel, rows = found
    return channel, [
        LeftToReturn(pos, code, name, qty, amount, max(0, qty - back - int(claimed.get(pos, 0))))
        for pos, code, name, qty, amount, back in rows
    ]


def check_over_returns(
    conn: psycopg.Connection, store: str, till: str, rows: tuple[tuple[Any, ...], ...]
) -> None:
    """Alert when pushed return lines take back more of a line of the till's own sale than
    is left after other tills' claims (a return made offline): both documents are kept."""
    line = {c: _col("sale_line", c) for c in CHAINED["sale_line"].columns}
    originals = {
        int(r[line["return_of_line_id"]])
        for r in rows
        if r[0] == "sale_line" and r[line["return_of_line_id"]] is not None
    }
    for original in sorted(originals):
        sold = conn.execute(
            f"SELECT (l.data->>{line['position']})::int, (s.data->>{_col('sale', 'seq')})::bigint "
            "FROM chain_row l JOIN chain_row s ON s.store_id = l.store_id AND s.till_id = "
            f"l.till_id AND s.tbl = 'sale' AND s.row_id = (l.data->>{line['sale_id']})::bigint "
            "WHERE l.store_id = %s AND l.till_id = %s AND l.tbl = 'sale_line' AND l.row_id = %s",
            (store, till, original),
        ).fetchone()
        if sold is None:
            continue
        document = f"{till}-{int(sold[1]):06d}"
        found = till_lines(conn, store, till, int(sold[1]))
        claimed = conn.execute(
            "SELECT coalesce(sum(qty_milli), 0) FROM return_claim "
            f"WHERE document = %s AND position = %s AND {LIVE_CLAIM}",
            (f"{store}/{document}", sold[0]),
        ).fetchone()
        for position, _code, _name, qty, _amount, back in found[1] if found else []:
            if position == sold[0] and claimed and claimed[0] and back + int(claimed[0]) > qty:
                conn.execute(
                    "INSERT INTO alert (store_id, till_id, kind, message) "
                    "VALUES (%s, %s, 'over_return', %s)",
                    (
                        store,
                        till,
                        f"line {position} of sale {document}: {qty} sold, {back} returned at "
                        f"this till and {claimed[0]} at others; both returns are kept",
                    ),
                )
