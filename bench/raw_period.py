"""The open period's X/Z totals in plain sqlite3 (the floor of the report benches).

Light on purpose: sqlite3 and the domain's report value only, so that a whole-process
floor that imports it starts as fast as a plain script.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import NamedTuple

from tui_pos.domain.report import PeriodTotals


class RawPeriod(NamedTuple):
    """What the floor reads for an open period: the totals and the unprinted receipts."""

    totals: PeriodTotals
    unprinted: list[int]
    after_seq: int


def raw_period(raw: sqlite3.Connection, till: str) -> RawPeriod:
    """The open period's totals by hand. Fastest forms found: the sale table and each
    child table read once from the period's first row on (rowid ranges: a till appends
    sales and their rows in order and deletes nothing), refund lines through the partial
    index of negative lines, cash movements and no-sales by their own ranges."""
    z = raw.execute(
        "SELECT z.last_seq, z.last_cash_seq, z.closed_at, s.id FROM z_close z"
        " LEFT JOIN sale s ON s.till = z.till AND s.seq = z.last_seq"
        " WHERE z.till = ? ORDER BY z.z_number DESC LIMIT 1",
        (till,),
    ).fetchone()
    seq, cash_seq, closed_at, first_id = z if z else (0, 0, "", 0)
    first_id = first_id or 0
    head = raw.execute(
        "SELECT MIN(seq), MAX(seq), SUM(status = 'completed'),"
        " SUM(CASE WHEN status = 'completed' THEN subtotal_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN discount_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN tax_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN total_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN rounding_cents END),"
        " SUM(status = 'voided'), SUM(voided_lines)"
        " FROM sale WHERE id > ? AND +till = ? AND +seq > ?",
        (first_id, till, seq),
    ).fetchone()
    child = (
        " FROM {t} c CROSS JOIN sale s ON s.id = c.sale_id"
        " WHERE c.id >= (SELECT id FROM {t} WHERE sale_id > ? ORDER BY sale_id LIMIT 1)"
        " AND +c.sale_id > ? AND s.till = ? AND s.seq > ? AND s.status = 'completed'"
    )
    args = (first_id, first_id, till, seq)
    taxes = raw.execute(
        "SELECT c.code, c.rate_bp, SUM(c.base_cents), SUM(c.tax_cents)"
        + child.format(t="sale_tax")
        + " GROUP BY c.code, c.rate_bp ORDER BY c.code, c.rate_bp",
        args,
    ).fetchall()
    tenders = raw.execute(
        "SELECT c.kind, SUM(c.amount_cents)" + child.format(t="payment") + " GROUP BY c.kind",
        args,
    ).fetchall()
    refunds = raw.execute(
        "SELECT -SUM(l.amount_cents) FROM sale_line l CROSS JOIN sale s ON s.id = l.sale_id"
        " WHERE l.amount_cents < 0 AND l.sale_id > ? AND s.till = ? AND s.seq > ?"
        " AND s.status = 'completed'",
        (first_id, till, seq),
    ).fetchone()
    cash = raw.execute(
        "SELECT SUM(CASE WHEN kind = 'float' THEN amount_cents END),"
        " SUM(CASE WHEN kind = 'in' THEN amount_cents END),"
        " SUM(CASE WHEN kind = 'out' THEN amount_cents END), MAX(seq)"
        " FROM cash_movement WHERE till = ? AND seq > ?",
        (till, cash_seq),
    ).fetchone()
    no_sales = raw.execute(
        "SELECT COUNT(*) FROM drawer_event WHERE till = ? AND reason = 'no_sale'"
        " AND created_at > ?",
        (till, str(closed_at)),
    ).fetchone()
    unprinted = raw.execute(
        "SELECT s.seq FROM print_job j JOIN sale s ON s.id = j.sale_id"
        " WHERE j.till = ? AND j.status IN ('queued', 'sending') AND j.kind = 'receipt'"
        " ORDER BY s.seq",
        (till,),
    ).fetchall()
    totals = replace(
        PeriodTotals.from_sums(head, refunds[0], taxes, tenders),
        float_cents=cash[0] or 0,
        cash_in_cents=cash[1] or 0,
        cash_out_cents=cash[2] or 0,
        no_sales=no_sales[0],
        last_cash_seq=cash[3] or cash_seq,
    )
    return RawPeriod(totals, [r[0] for r in unprinted], seq)
