"""The lines of a till's sale as the server holds them (``chain_row``), with what its own
till took back; and the alert for a return made offline over what other tills claimed."""

from __future__ import annotations

from typing import Any

import psycopg

from tui_pos.models.chain_tables import CHAINED

#: (position, code, name, sold thousandths, amount paid, taken back by its own till)
Sold = tuple[str, list[tuple[int, str, str, int, int, int]]]


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
            "WHERE document = %s AND position = %s",
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
