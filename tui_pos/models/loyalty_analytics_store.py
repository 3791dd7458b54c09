"""The LoyaltyAnalyticsStore port on SQLite: every figure is a grouped SQL query over the
sale documents, the points ledger and the campaign tables (no loop over sales in Python).

Times are stored as UTC text; months are given as (label, start, end) spans joined
against the rows (no per-row date function), so each local month has its own offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from peewee import Database

from tui_pos.domain.loyalty_analytics import CohortCell, MonthFigures, OfferFigures, ProgramFigures
from tui_pos.models.errors import storage_errors
from tui_pos.models.times import stamp

#: A visit: a completed sale with a positive total.
_VISIT = "s.status = 'completed' AND s.total_cents > 0"
_IN = "s.created_at >= ? AND s.created_at < ?"
#: The covering indexes of migration 16 (SQLite, without statistics, picked the narrower
#: ``sale_created_at`` / ``sale_customer_id`` and read every row from the table).
_BY_TIME = "INDEXED BY sale_time_customer"
_BY_CUSTOMER = "INDEXED BY sale_customer_visit"
#: Days in the "month" of spend per month since the first visit.
_MONTH_DAYS = 30


def _spans(spans: Sequence[tuple[str, datetime, datetime]]) -> tuple[str, list[Any]]:
    """A ``VALUES`` list of (label, start, end) rows and its parameters."""
    args: list[Any] = []
    for label, lo, hi in spans:
        args += [label, stamp(lo), stamp(hi)]
    return ",".join("(?, ?, ?)" for _ in spans), args


def _month_key(
    column: str, spans: Sequence[tuple[str, datetime, datetime]]
) -> tuple[str, list[Any]]:
    """A SQL expression giving the label of the span a stored time falls in (rows before
    the first span or after the last must be filtered out by the caller).

    A local month starts within 14 hours of its UTC month (no zone is further off), so a
    time on the UTC days 02-27 is in the local month of its own text; only the others
    are compared with the spans' ends. Joining each row to the spans instead costs a
    comparison per span per row (the month report on a year took 3x as long)."""
    args: list[Any] = []
    cases = []
    for label, _, hi in spans:
        cases.append(f"WHEN {column} < ? THEN ?")
        args += [stamp(hi), label]
    expr = (
        f"CASE WHEN substr({column}, 9, 2) BETWEEN '02' AND '27' THEN substr({column}, 1, 7)"
        f" ELSE CASE {' '.join(cases)} END END"
    )
    return expr, args


class SqliteLoyaltyAnalyticsStore:
    """Implements :class:`tui_pos.services.loyalty_analytics.LoyaltyAnalyticsStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _one(self, sql: str, args: Sequence[Any]) -> tuple[Any, ...]:
        with storage_errors():
            row = self.db.execute_sql(sql, tuple(args)).fetchone()
        return tuple(0 if v is None else v for v in row)

    def _all(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        with storage_errors():
            return list(self.db.execute_sql(sql, tuple(args)).fetchall())

    def program(self, start: datetime, end: datetime, churn_days: int) -> ProgramFigures:
        """The program's figures over ``[start, end)``."""
        lo, hi = stamp(start), stamp(end)
        members = self._one("SELECT COUNT(*) FROM customer WHERE created_at < ?", (hi,))[0]
        # Members: their sales in customer order (covering index, no sort); returning =
        # not the member's first visit ever. Guests: the range's sales without a customer.
        visiting, repeat, visits, spend, returning = self._one(
            "SELECT COUNT(*), SUM(n >= 2), SUM(n), SUM(spend), SUM(n - NOT EXISTS ("
            f"  SELECT 1 FROM sale p {_BY_CUSTOMER} WHERE p.customer_id = cid"
            "  AND p.created_at < ? AND p.status = 'completed' AND p.total_cents > 0))"
            " FROM (SELECT s.customer_id AS cid, COUNT(*) AS n, SUM(s.total_cents) AS spend"
            f" FROM sale s {_BY_CUSTOMER} WHERE s.customer_id IS NOT NULL AND {_VISIT}"
            f" AND {_IN} GROUP BY s.customer_id)",
            (lo, lo, hi),
        )
        guests, guest_spend = self._one(
            f"SELECT COUNT(*), SUM(s.total_cents) FROM sale s {_BY_TIME}"
            f" WHERE {_IN} AND s.customer_id IS NULL AND {_VISIT}",
            (lo, hi),
        )
        earned, redeemed, redeemers = self._one(
            "SELECT SUM(CASE WHEN kind IN ('earn', 'birthday') THEN points ELSE 0 END),"
            " -SUM(CASE WHEN kind = 'redeem' THEN points ELSE 0 END),"
            " COUNT(DISTINCT CASE WHEN kind = 'redeem' AND points < 0 THEN customer_id END)"
            " FROM loyalty_entry INDEXED BY loyalty_entry_time"
            " WHERE created_at >= ? AND created_at < ?",
            (lo, hi),
        )
        liability = self._one(
            "SELECT SUM(MAX(b, 0)) FROM (SELECT SUM(points) AS b FROM loyalty_entry"
            " INDEXED BY loyalty_entry_customer_time"
            " WHERE customer_id IS NOT NULL AND created_at < ? GROUP BY customer_id)",
            (hi,),
        )[0]
        churn_before = stamp(end - timedelta(days=churn_days))
        lifetime, lifetime_spend, per_month, churned = self._one(
            "SELECT COUNT(*), SUM(spend),"
            f" SUM(spend / (CAST(julianday(?) - julianday(first) AS INTEGER) / {_MONTH_DAYS} + 1)),"
            " SUM(last < ?) FROM ("
            " SELECT SUM(s.total_cents) AS spend,"
            "  MIN(CASE WHEN s.total_cents > 0 THEN s.created_at END) AS first,"
            "  MAX(CASE WHEN s.total_cents > 0 THEN s.created_at END) AS last"
            f" FROM sale s {_BY_CUSTOMER} WHERE s.customer_id IS NOT NULL"
            " AND s.status = 'completed' AND s.created_at < ? GROUP BY s.customer_id)"
            " WHERE first IS NOT NULL",
            (hi, churn_before, hi),
        )
        return ProgramFigures(
            members=int(members),
            visiting_members=int(visiting),
            repeat_members=int(repeat),
            member_visits=int(visits),
            returning_visits=int(returning),
            member_spend_cents=int(spend),
            guest_visits=int(guests),
            guest_spend_cents=int(guest_spend),
            points_earned=int(earned),
            points_redeemed=int(redeemed),
            redeeming_members=int(redeemers),
            liability_points=int(liability),
            lifetime_members=int(lifetime),
            lifetime_spend_cents=int(lifetime_spend),
            spend_per_month_sum_cents=int(per_month),
            churned_members=int(churned),
        )

    def months(
        self,
        spans: Sequence[tuple[str, datetime, datetime]],
        tier_spans: Sequence[tuple[datetime, datetime]],
        tier_thresholds: Sequence[int],
    ) -> list[MonthFigures]:
        """Per month of ``spans`` (label, start, end): visits of members and guests,
        repeat members, points, tier moves (``tier_spans``: the 12 calendar months before
        the first month, then one per span)."""
        if not spans:
            return []
        values, args = _spans(spans)
        key, key_args = _month_key("s.created_at", spans)
        # Members in customer order (covering index), each row's month from its text.
        visits = self._all(
            "SELECT m, COUNT(*), SUM(n >= 2), SUM(n), SUM(spend) FROM ("
            f" SELECT {key} AS m, COUNT(*) AS n, SUM(s.total_cents) AS spend"
            f" FROM sale s {_BY_CUSTOMER} WHERE s.customer_id IS NOT NULL"
            f" AND s.created_at >= ? AND s.created_at < ? AND {_VISIT}"
            " GROUP BY s.customer_id, m) GROUP BY m",
            [*key_args, stamp(spans[0][1]), stamp(spans[-1][2])],
        )
        # Guests and points: one range scan per month, streaming sums (no sort).
        guests = self._all(
            f"WITH b(m, lo, hi) AS (VALUES {values})"
            " SELECT b.m, COUNT(*), SUM(s.total_cents)"
            f" FROM b JOIN sale s {_BY_TIME} ON s.created_at >= b.lo AND s.created_at < b.hi"
            f" WHERE s.customer_id IS NULL AND {_VISIT} GROUP BY b.m",
            args,
        )
        points = self._all(
            f"WITH b(m, lo, hi) AS (VALUES {values})"
            " SELECT b.m, SUM(CASE WHEN e.kind IN ('earn', 'birthday') THEN e.points ELSE 0 END),"
            " -SUM(CASE WHEN e.kind = 'redeem' THEN e.points ELSE 0 END)"
            " FROM b JOIN loyalty_entry e INDEXED BY loyalty_entry_time"
            " ON e.created_at >= b.lo AND e.created_at < b.hi"
            " GROUP BY b.m",
            args,
        )
        moves = self._tier_moves([m for m, _, _ in spans], tier_spans, tier_thresholds)
        by_month = {m: [0] * 10 for m, _, _ in spans}
        for m, members, repeat, n, spend in visits:
            by_month[str(m)][0:4] = [int(members), int(repeat), int(n), int(spend)]
        for m, n, spend in guests:
            by_month[str(m)][4:6] = [int(n), int(spend or 0)]
        for m, earned, redeemed in points:
            by_month[str(m)][6:8] = [int(earned or 0), int(redeemed or 0)]
        for m, (up, down) in moves.items():
            by_month[m][8:10] = [up, down]
        return [MonthFigures(m, *v) for m, v in by_month.items() if any(v)]

    def _tier_moves(
        self,
        labels: Sequence[str],
        tier_spans: Sequence[tuple[datetime, datetime]],
        thresholds: Sequence[int],
    ) -> dict[str, tuple[int, int]]:
        """Per month of ``labels``: members whose tier at the month's end (spend of the 12
        months ending there) is above / below the one at the end of the month before.

        A member's rolling spend changes only in a month with sales (their spend comes in)
        and 12 months later (it drops out), so only those months are rows: a running sum
        over them is the rolling spend; the spend before a row is the running sum less the
        row's change (no spend before a member's first row), so one window does it."""
        if not thresholds or len(tier_spans) != len(labels) + 12:
            return {}
        ordered = sorted(thresholds, reverse=True)

        def level(spend: str) -> str:
            steps = (
                f"WHEN {spend} >= {int(t)} THEN {len(ordered) - i}" for i, t in enumerate(ordered)
            )
            return f"CASE {' '.join(steps)} ELSE 0 END"

        last = len(tier_spans) - 1
        values = ",".join("(?, ?, ?)" for _ in tier_spans)
        args: list[Any] = []
        for i, (lo, hi) in enumerate(tier_spans):
            args += [i, stamp(lo), stamp(hi)]
        rows = self._all(
            f"WITH b(i, lo, hi) AS (VALUES {values}),"
            " ms AS (SELECT s.customer_id AS cid, b.i AS i, SUM(s.total_cents) AS spend"
            f" FROM b JOIN sale s {_BY_TIME} ON s.created_at >= b.lo AND s.created_at < b.hi"
            " WHERE s.customer_id IS NOT NULL AND s.status = 'completed'"
            " GROUP BY s.customer_id, b.i),"
            " ev AS (SELECT cid, i, SUM(d) AS d FROM (SELECT cid, i, spend AS d FROM ms"
            f"  UNION ALL SELECT cid, i + 12, -spend FROM ms WHERE i + 12 <= {last})"
            "  GROUP BY cid, i),"
            " roll AS (SELECT i, SUM(d) OVER (PARTITION BY cid ORDER BY i"
            "  ROWS UNBOUNDED PRECEDING) AS r, d FROM ev),"
            f" mv AS (SELECT i, {level('r')} AS k, {level('r - d')} AS pk FROM roll WHERE i >= 12)"
            " SELECT i, SUM(k > pk), SUM(k < pk) FROM mv GROUP BY i",
            args,
        )
        return {labels[int(i) - 12]: (int(up), int(down)) for i, up, down in rows}

    def cohorts(
        self, start: datetime, end: datetime, spans: Sequence[tuple[str, datetime, datetime]]
    ) -> tuple[list[tuple[str, int]], list[CohortCell]]:
        """Members who joined per month of the range, and per (joined, visited) month the
        members of that cohort with a visit (visits up to the end of the range)."""
        if not spans:
            return [], []
        lo, hi = stamp(spans[0][1]), stamp(spans[-1][2])
        joined_key, joined_args = _month_key("c.created_at", spans)
        visit_key, visit_args = _month_key("s.created_at", spans)
        joined = self._all(
            f"SELECT {joined_key} AS m, COUNT(*) FROM customer c"
            " WHERE c.created_at >= ? AND c.created_at < ? GROUP BY m",
            [*joined_args, lo, hi],
        )
        cells = self._all(
            f"WITH c AS (SELECT c.id AS id, {joined_key} AS m FROM customer c"
            "  WHERE c.created_at >= ? AND c.created_at < ?),"
            f" v AS (SELECT DISTINCT s.customer_id AS cid, {visit_key} AS m"
            f"  FROM sale s {_BY_CUSTOMER} WHERE s.customer_id IS NOT NULL"
            f"  AND s.created_at >= ? AND s.created_at < ? AND {_VISIT})"
            " SELECT c.m, v.m, COUNT(*) FROM c JOIN v ON v.cid = c.id GROUP BY c.m, v.m",
            [*joined_args, lo, hi, *visit_args, lo, hi],
        )
        return (
            [(str(m), int(n)) for m, n in joined],
            [CohortCell(str(j), str(v), int(n)) for j, v, n in cells],
        )

    def offers(self, start: datetime, end: datetime) -> list[OfferFigures]:
        """Promotions used in the range, and campaigns sent before its end."""
        lo, hi = stamp(start), stamp(end)
        promos = self._all(
            "SELECT x.promotion, SUM(x.n), COUNT(DISTINCT s.customer_id), SUM(s.total_cents)"
            " FROM (SELECT promotion, sale_id, COUNT(*) AS n FROM sale_line"
            "  WHERE promotion <> '' GROUP BY promotion, sale_id) x"
            f" JOIN sale s ON s.id = x.sale_id WHERE s.status = 'completed' AND {_IN}"
            " GROUP BY x.promotion",
            (lo, hi),
        )
        result = [
            OfferFigures("promotion", str(name), int(n), int(c), int(r or 0))
            for name, n, c, r in promos
        ]
        campaigns = self._all(
            "SELECT k.name,"
            " (SELECT COUNT(*) FROM coupon_redemption r JOIN coupon q ON q.code = r.code"
            f"   JOIN sale s ON s.uuid = r.sale_uuid WHERE q.campaign_id = k.id AND {_IN}),"
            " (SELECT COUNT(DISTINCT r.customer_id) FROM coupon_redemption r"
            "   JOIN coupon q ON q.code = r.code JOIN sale s ON s.uuid = r.sale_uuid"
            f"   WHERE q.campaign_id = k.id AND {_IN}),"
            " (SELECT SUM(s.total_cents) FROM coupon_redemption r"
            "   JOIN coupon q ON q.code = r.code JOIN sale s ON s.uuid = r.sale_uuid"
            f"   WHERE q.campaign_id = k.id AND {_IN}),"
            " (SELECT COUNT(*) FROM campaign_member m WHERE m.campaign_id = k.id"
            "   AND m.grp = 'mail'),"
            " (SELECT COUNT(*) FROM campaign_member m WHERE m.campaign_id = k.id"
            "   AND m.grp = 'control'),"
            " (SELECT SUM(s.total_cents) FROM campaign_member m JOIN sale s"
            "   ON s.customer_id = m.customer_id WHERE m.campaign_id = k.id AND m.grp = 'mail'"
            f"   AND s.status = 'completed' AND s.created_at >= MAX(k.created_at, ?)"
            "   AND s.created_at < ?),"
            " (SELECT SUM(s.total_cents) FROM campaign_member m JOIN sale s"
            "   ON s.customer_id = m.customer_id WHERE m.campaign_id = k.id"
            "   AND m.grp = 'control' AND s.status = 'completed'"
            "   AND s.created_at >= MAX(k.created_at, ?) AND s.created_at < ?)"
            " FROM campaign k WHERE k.created_at < ?",
            (lo, hi, lo, hi, lo, hi, lo, hi, lo, hi, hi),
        )
        for name, n, c, r, mailed, control, t_spend, c_spend in campaigns:
            result.append(
                OfferFigures(
                    "campaign",
                    str(name),
                    int(n or 0),
                    int(c or 0),
                    int(r or 0),
                    int(mailed or 0),
                    int(control or 0),
                    int(t_spend or 0),
                    int(c_spend or 0),
                )
            )
        return result
