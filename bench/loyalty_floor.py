"""The floor of the loyalty reports: the same figures from hand-written SQL on a plain
``sqlite3`` connection, written for the bench's data (UTC: a month is the first seven
characters of a stored time), each report in as few passes as it takes.

The figures come back as the domain's own values, so ``loyalty_bench.py`` shapes them
with the same report functions and asserts that the app printed the same report.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from tui_pos.domain.loyalty_analytics import CohortCell, MonthFigures, OfferFigures, ProgramFigures

VISIT = "status = 'completed' AND total_cents > 0"


def _text(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(sep=" ")


def _month(first: datetime, k: int) -> str:
    """The UTC month ``k`` months after the one of ``first``, as the text of its start."""
    index = first.year * 12 + first.month - 1 + k
    return f"{index // 12:04d}-{index % 12 + 1:02d}-01 00:00:00"


def program(con: sqlite3.Connection, lo: datetime, hi: datetime, churn: int) -> ProgramFigures:
    """Members' sales in one pass per member (range and lifetime together), guests and
    points in one range scan each."""
    a, b, cut = _text(lo), _text(hi), _text(hi - timedelta(days=churn))
    members = con.execute("SELECT COUNT(*) FROM customer WHERE created_at < ?", (b,)).fetchone()
    row = con.execute(
        "SELECT SUM(n > 0), SUM(n >= 2), SUM(n), SUM(n - (first >= ?)), SUM(sp),"
        " SUM(first IS NOT NULL), SUM(CASE WHEN first IS NOT NULL THEN spend END),"
        " SUM(CASE WHEN first IS NOT NULL THEN spend /"
        "  (CAST(julianday(?) - julianday(first) AS INTEGER) / 30 + 1) END),"
        " SUM(last < ?) FROM (SELECT SUM(created_at >= ? AND total_cents > 0) AS n,"
        "  SUM(CASE WHEN created_at >= ? AND total_cents > 0 THEN total_cents END) AS sp,"
        "  SUM(total_cents) AS spend, MIN(CASE WHEN total_cents > 0 THEN created_at END) AS first,"
        "  MAX(CASE WHEN total_cents > 0 THEN created_at END) AS last"
        "  FROM sale INDEXED BY sale_customer_visit WHERE customer_id IS NOT NULL"
        "  AND status = 'completed' AND created_at < ? GROUP BY customer_id)",
        (a, b, cut, a, a, b),
    ).fetchone()
    guests = con.execute(
        "SELECT COUNT(*), SUM(total_cents) FROM sale INDEXED BY sale_time_customer"
        f" WHERE created_at >= ? AND created_at < ? AND customer_id IS NULL AND {VISIT}",
        (a, b),
    ).fetchone()
    points = con.execute(
        "SELECT SUM(CASE WHEN kind IN ('earn', 'birthday') THEN points END),"
        " -SUM(CASE WHEN kind = 'redeem' THEN points END),"
        " COUNT(DISTINCT CASE WHEN kind = 'redeem' AND points < 0 THEN customer_id END)"
        " FROM loyalty_entry INDEXED BY loyalty_entry_time WHERE created_at >= ?"
        " AND created_at < ?",
        (a, b),
    ).fetchone()
    liability = con.execute(
        "SELECT SUM(MAX(p, 0)) FROM (SELECT SUM(points) AS p FROM loyalty_entry"
        " INDEXED BY loyalty_entry_customer_time WHERE customer_id IS NOT NULL"
        " AND created_at < ? GROUP BY customer_id)",
        (b,),
    ).fetchone()
    n = [int(v or 0) for v in (*members, *row, *guests, *points, *liability)]
    return ProgramFigures(n[0], *n[1:6], n[10], n[11], n[12], n[13], n[14], n[15], *n[6:10])


def months(
    con: sqlite3.Connection, lo: datetime, hi: datetime, thresholds: list[int]
) -> list[MonthFigures]:
    """Per month: members, guests, points, and tier moves from the months with a change."""
    a, b = _text(lo), _text(hi)
    by_month: dict[str, list[int]] = {}
    for m, *v in con.execute(
        "SELECT m, COUNT(*), SUM(n >= 2), SUM(n), SUM(sp) FROM (SELECT substr(created_at, 1, 7)"
        " AS m, COUNT(*) AS n, SUM(total_cents) AS sp FROM sale INDEXED BY sale_customer_visit"
        f" WHERE customer_id IS NOT NULL AND created_at >= ? AND created_at < ? AND {VISIT}"
        " GROUP BY customer_id, m) GROUP BY m",
        (a, b),
    ):
        by_month.setdefault(m, [0] * 10)[0:4] = v
    for m, *v in con.execute(
        "SELECT substr(created_at, 1, 7), COUNT(*), SUM(total_cents) FROM sale"
        " INDEXED BY sale_time_customer WHERE created_at >= ? AND created_at < ?"
        f" AND customer_id IS NULL AND {VISIT} GROUP BY 1",
        (a, b),
    ):
        by_month.setdefault(m, [0] * 10)[4:6] = v
    for m, *v in con.execute(
        "SELECT substr(created_at, 1, 7), SUM(CASE WHEN kind IN ('earn', 'birthday')"
        " THEN points ELSE 0 END), -SUM(CASE WHEN kind = 'redeem' THEN points ELSE 0 END)"
        " FROM loyalty_entry INDEXED BY loyalty_entry_time WHERE created_at >= ?"
        " AND created_at < ? GROUP BY 1",
        (a, b),
    ):
        by_month.setdefault(m, [0] * 10)[6:8] = v
    # Month i: 0 = 12 months before the first; each month's spend comes in at i and goes
    # out at i + 12, so a running sum over those months is the rolling 12-month spend.
    # Each month is a range scan of the time index (faster than a month from each row).
    starts = [_month(lo, k - 12) for k in range(25)]
    bounds = ",".join(f"({i}, '{starts[i]}', '{starts[i + 1]}')" for i in range(24))
    steps = [(t, len(thresholds) - i) for i, t in enumerate(sorted(thresholds, reverse=True))]

    def level(spend: str) -> str:
        return f"CASE {' '.join(f'WHEN {spend} >= {t} THEN {k}' for t, k in steps)} ELSE 0 END"

    for i, up, down in con.execute(
        f"WITH b(i, lo, hi) AS (VALUES {bounds}), ms AS (SELECT customer_id AS cid, b.i AS i,"
        " SUM(total_cents) AS d FROM b JOIN sale INDEXED BY sale_time_customer"
        " ON created_at >= b.lo AND created_at < b.hi WHERE customer_id IS NOT NULL"
        " AND status = 'completed' GROUP BY 1, 2),"
        " ev AS (SELECT cid, i, SUM(d) AS d FROM (SELECT * FROM ms UNION ALL"
        "  SELECT cid, i + 12, -d FROM ms WHERE i < 12) GROUP BY 1, 2),"
        " r AS (SELECT i, d, SUM(d) OVER (PARTITION BY cid ORDER BY i) AS r FROM ev)"
        f" SELECT i, SUM({level('r')} > {level('r - d')}), SUM({level('r')} < {level('r - d')})"
        " FROM r WHERE i >= 12 GROUP BY i",
    ):
        month = starts[i][:7]
        if month in by_month or up or down:
            by_month.setdefault(month, [0] * 10)[8:10] = [up, down]
    return [MonthFigures(m, *v) for m, v in sorted(by_month.items())]


def cohorts(
    con: sqlite3.Connection, lo: datetime, hi: datetime
) -> tuple[list[tuple[str, int]], list[CohortCell]]:
    """Joined per month, and the cohort's distinct visitors per month."""
    a, b = _text(lo), _text(hi)
    joined = con.execute(
        "SELECT substr(created_at, 1, 7), COUNT(*) FROM customer"
        " WHERE created_at >= ? AND created_at < ? GROUP BY 1",
        (a, b),
    ).fetchall()
    cells = con.execute(
        "SELECT substr(c.created_at, 1, 7), v.m, COUNT(*) FROM customer c JOIN"
        " (SELECT DISTINCT customer_id AS cid, substr(created_at, 1, 7) AS m FROM sale"
        "  INDEXED BY sale_customer_visit WHERE customer_id IS NOT NULL AND created_at >= ?"
        f"  AND created_at < ? AND {VISIT}) v ON v.cid = c.id"
        " WHERE c.created_at >= ? AND c.created_at < ? GROUP BY 1, 2",
        (a, b, a, b),
    ).fetchall()
    return [(m, n) for m, n in joined], [CohortCell(j, v, n) for j, v, n in cells]


def offers(con: sqlite3.Connection, lo: datetime, hi: datetime) -> list[OfferFigures]:
    """Promotions used on completed sales of the range (the bench sends no campaign)."""
    return [
        OfferFigures("promotion", name, n, c, r)
        for name, n, c, r in con.execute(
            "SELECT x.promotion, SUM(x.n), COUNT(DISTINCT s.customer_id), SUM(s.total_cents)"
            " FROM (SELECT promotion, sale_id, COUNT(*) AS n FROM sale_line"
            "  WHERE promotion <> '' GROUP BY 1, 2) x JOIN sale s ON s.id = x.sale_id"
            " WHERE s.status = 'completed' AND s.created_at >= ? AND s.created_at < ?"
            " GROUP BY 1",
            (_text(lo), _text(hi)),
        )
    ]
