"""How a return claim ends: released by its till (the cashier voided the line or the
sale), past its lease (the till crashed or went offline holding it), or completed once by
the pushed return that took the lines back.

A till stores the claim id with each return line it took back of a document sold
elsewhere (``return_claim_line``, chained with the sale): the push of a completed sale
completes its claims, the push of a voided sale releases them. Completion is counted on
the claim's own rows (``completed_at`` set once, naming the sale's UUID), so a push
retried after a lost answer, or the same entry acknowledged again, never counts twice.
A return completed after its claim ended (the till was offline past the lease, or the
cashier resumed a parked sale) still counts: when the lines were meanwhile claimed
elsewhere it is an ``over_return`` alert and both returns are kept.
"""

from __future__ import annotations

from typing import Any

import psycopg

from tui_pos.models.chain_tables import CHAINED
from tui_pos.server.sold_lines import document_lock, left_of, sold_of_key

SCHEMA_V8 = """
ALTER TABLE return_claim ADD COLUMN expires_at timestamptz;
ALTER TABLE return_claim ADD COLUMN released_at timestamptz;
ALTER TABLE return_claim ADD COLUMN completed_at timestamptz;
ALTER TABLE return_claim ADD COLUMN completed_sale text;
UPDATE return_claim SET completed_at = created_at, completed_sale = '';
"""


def _col(table: str, column: str) -> int:
    return 2 + CHAINED[table].columns.index(column)


def end_pushed_claims(
    conn: psycopg.Connection, store: str, till: str, rows: tuple[tuple[Any, ...], ...]
) -> None:
    """(In the push's transaction) complete the claims of the pushed completed sales'
    return lines, release those of voided sales. Only the pushing till's own claims."""
    line_col, claim_col = (
        _col("return_claim_line", "sale_line_id"),
        _col("return_claim_line", "claim"),
    )
    for row in rows:
        if row[0] != "return_claim_line":
            continue
        sale = conn.execute(
            f"SELECT s.data->>{_col('sale', 'uuid')}, s.data->>{_col('sale', 'status')} "
            "FROM chain_row l JOIN chain_row s ON s.store_id = l.store_id AND s.till_id = "
            f"l.till_id AND s.tbl = 'sale' AND s.row_id = (l.data->>{_col('sale_line', 'sale_id')})"
            "::bigint WHERE l.store_id = %s AND l.till_id = %s AND l.tbl = 'sale_line' "
            "AND l.row_id = %s",
            (store, till, row[line_col]),
        ).fetchone()
        if sale is None:
            continue
        if sale[1] == "completed":
            _complete(conn, store, till, str(row[claim_col]), str(sale[0]))
        else:  # a voided sale: the cashier abandoned the return
            conn.execute(
                "UPDATE return_claim SET released_at = now() WHERE claim_uuid = %s "
                "AND store_id = %s AND till_id = %s AND completed_at IS NULL "
                "AND released_at IS NULL",
                (row[claim_col], store, till),
            )


def _complete(conn: psycopg.Connection, store: str, till: str, claim: str, sale: str) -> None:
    """The claim's lines are returned for good by ``sale``; once (a retry changes nothing)."""
    found = conn.execute(
        "SELECT document FROM return_claim WHERE claim_uuid = %s AND store_id = %s "
        "AND till_id = %s AND completed_at IS NULL LIMIT 1",
        (claim, store, till),
    ).fetchone()
    if found is None:  # completed already (a retried push), or not this till's claim
        return
    key = str(found[0])
    document_lock(conn, key)
    ended = conn.execute(
        "SELECT position, qty_milli FROM return_claim WHERE claim_uuid = %s "
        "AND completed_at IS NULL AND (released_at IS NOT NULL OR expires_at <= now()) "
        "ORDER BY position",
        (claim,),
    ).fetchall()
    sold = sold_of_key(conn, key) if ended else None
    if sold is not None:  # the claim had ended: the lines may have gone to another till
        left = {ln.position: ln.left_milli for ln in left_of(conn, key, sold)[1]}
        for position, qty in ended:
            if qty > left.get(position, 0):
                conn.execute(
                    "INSERT INTO alert (store_id, till_id, kind, message) "
                    "VALUES (%s, %s, 'over_return', %s)",
                    (
                        store,
                        till,
                        f"line {position} of {key}: {qty} returned at {till} after its claim "
                        f"ended, {left.get(position, 0)} was left; both returns are kept",
                    ),
                )
    conn.execute(
        "UPDATE return_claim SET completed_at = now(), completed_sale = %s "
        "WHERE claim_uuid = %s AND completed_at IS NULL",
        (sale, claim),
    )
