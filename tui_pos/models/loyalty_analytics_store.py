"""The LoyaltyAnalyticsStore port on SQLite: every figure is a grouped SQL query over the
sale documents, the points ledger and the campaign tables (no loop over sales in Python).

Times are stored as UTC text; local months are ``strftime('%Y-%m', created_at, '+N
minutes')`` with the offset in force at the start of the range.
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
#: Days in the "month" of spend per month since the first visit.
_MONTH_DAYS = 30


def _shift(minutes: int) -> str:
    return f"{minutes:+d} minutes"


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
        visiting, repeat, visits, spend, returning = self._one(
            "SELECT COUNT(*), SUM(n >= 2), SUM(n), SUM(spend), SUM(n - (first >= ?)) FROM ("
            " SELECT s.customer_id AS cid, COUNT(*) AS n, SUM(s.total_cents) AS spend,"
            "  (SELECT MIN(p.created_at) FROM sale p WHERE p.customer_id = s.customer_id"
            "   AND p.status = 'completed' AND p.total_cents > 0) AS first"
            f" FROM sale s WHERE s.customer_id IS NOT NULL AND {_VISIT} AND {_IN}"
            " GROUP BY s.customer_id)",
            (lo, lo, hi),
        )
        guests, guest_spend = self._one(
            "SELECT COUNT(*), SUM(s.total_cents) FROM sale s"
            f" WHERE s.customer_id IS NULL AND {_VISIT} AND {_IN}",
            (lo, hi),
        )
        earned, redeemed, redeemers = self._one(
            "SELECT SUM(CASE WHEN kind IN ('earn', 'birthday') THEN points ELSE 0 END),"
            " -SUM(CASE WHEN kind = 'redeem' THEN points ELSE 0 END),"
            " COUNT(DISTINCT CASE WHEN kind = 'redeem' AND points < 0 THEN customer_id END)"
            " FROM loyalty_entry WHERE created_at >= ? AND created_at < ?",
            (lo, hi),
        )
        liability = self._one(
            "SELECT SUM(MAX(b, 0)) FROM (SELECT SUM(points) AS b FROM loyalty_entry"
            " WHERE created_at < ? GROUP BY customer_id)",
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
            " FROM sale s WHERE s.customer_id IS NOT NULL AND s.status = 'completed'"
            " AND s.created_at < ? GROUP BY s.customer_id) WHERE first IS NOT NULL",
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
        start: datetime,
        end: datetime,
        offset_minutes: int,
        bounds: Sequence[tuple[str, datetime]],
        tier_thresholds: Sequence[int],
    ) -> list[MonthFigures]:
        """Per local month: visits, repeat members, spends, points, tier moves. ``bounds``
        are the months with their end (the first entry: the month before the range and
        its end, the start of the range); ``tier_thresholds`` the tiers' minimum spends."""
        lo, hi, shift = stamp(start), stamp(end), _shift(offset_minutes)
        visits = self._all(
            "SELECT m, COUNT(*), SUM(n >= 2), SUM(n), SUM(spend) FROM ("
            f" SELECT strftime('%Y-%m', s.created_at, ?) AS m, COUNT(*) AS n,"
            " SUM(s.total_cents) AS spend"
            f" FROM sale s WHERE s.customer_id IS NOT NULL AND {_VISIT} AND {_IN}"
            " GROUP BY m, s.customer_id) GROUP BY m",
            (shift, lo, hi),
        )
        guests = self._all(
            "SELECT strftime('%Y-%m', s.created_at, ?) AS m, COUNT(*), SUM(s.total_cents)"
            f" FROM sale s WHERE s.customer_id IS NULL AND {_VISIT} AND {_IN} GROUP BY m",
            (shift, lo, hi),
        )
        points = self._all(
            "SELECT strftime('%Y-%m', created_at, ?) AS m,"
            " SUM(CASE WHEN kind IN ('earn', 'birthday') THEN points ELSE 0 END),"
            " -SUM(CASE WHEN kind = 'redeem' THEN points ELSE 0 END)"
            " FROM loyalty_entry WHERE created_at >= ? AND created_at < ? GROUP BY m",
            (shift, lo, hi),
        )
        moves = self._tier_moves(bounds, tier_thresholds)
        by_month: dict[str, list[int]] = {}

        def row(month: str) -> list[int]:
            return by_month.setdefault(str(month), [0] * 10)

        for m, members, repeat, n, spend in visits:
            row(m)[0:4] = [int(members), int(repeat), int(n), int(spend)]
        for m, n, spend in guests:
            row(m)[4:6] = [int(n), int(spend or 0)]
        for m, earned, redeemed in points:
            row(m)[6:8] = [int(earned or 0), int(redeemed or 0)]
        for m, up, down in moves:
            if up or down:
                row(m)[8:10] = [int(up), int(down)]
        return [MonthFigures(m, *values) for m, values in sorted(by_month.items())]

    def _tier_moves(
        self, bounds: Sequence[tuple[str, datetime]], thresholds: Sequence[int]
    ) -> list[tuple[Any, ...]]:
        """Per month: members whose tier at the month's end is above / below the one at the
        end of the month before (tier = rolling 365-day spend against ``thresholds``)."""
        if not thresholds or len(bounds) < 2:
            return []
        ordered = sorted(thresholds, reverse=True)
        level = " ".join(
            f"WHEN spend >= {int(t)} THEN {len(ordered) - i}" for i, t in enumerate(ordered)
        )
        base = sum(1 for t in thresholds if t <= 0)
        values = ",".join("(?, ?, ?, ?)" for _ in bounds)
        args: list[Any] = []
        for i, (month, moment) in enumerate(bounds):
            args += [i, month, stamp(moment - timedelta(days=365)), stamp(moment)]
        return self._all(
            f"WITH b(i, m, lo, hi) AS (VALUES {values}),"
            " sp AS (SELECT b.i AS i, s.customer_id AS cid, SUM(s.total_cents) AS spend"
            " FROM b JOIN sale s ON s.customer_id IS NOT NULL AND s.status = 'completed'"
            " AND s.created_at > b.lo AND s.created_at <= b.hi GROUP BY b.i, s.customer_id),"
            f" lv AS (SELECT i, cid, CASE {level} ELSE 0 END AS k FROM sp),"
            " ids AS (SELECT DISTINCT cid FROM lv),"
            f" grid AS (SELECT b.i AS i, b.m AS m, ids.cid AS cid, COALESCE(lv.k, {base}) AS k"
            " FROM b CROSS JOIN ids LEFT JOIN lv ON lv.i = b.i AND lv.cid = ids.cid)"
            " SELECT g.m, SUM(g.k > p.k), SUM(g.k < p.k) FROM grid g"
            " JOIN grid p ON p.cid = g.cid AND p.i = g.i - 1 GROUP BY g.i",
            args,
        )

    def cohorts(
        self, start: datetime, end: datetime, offset_minutes: int
    ) -> tuple[list[tuple[str, int]], list[CohortCell]]:
        """Members who joined per month of the range, and per (joined, visited) month the
        members of that cohort with a visit (visits up to the end of the range)."""
        lo, hi, shift = stamp(start), stamp(end), _shift(offset_minutes)
        joined = self._all(
            "SELECT strftime('%Y-%m', created_at, ?) AS m, COUNT(*) FROM customer"
            " WHERE created_at >= ? AND created_at < ? GROUP BY m",
            (shift, lo, hi),
        )
        cells = self._all(
            "WITH c AS (SELECT id, strftime('%Y-%m', created_at, ?) AS m FROM customer"
            " WHERE created_at >= ? AND created_at < ?),"
            " v AS (SELECT DISTINCT s.customer_id AS cid, strftime('%Y-%m', s.created_at, ?) AS m"
            f" FROM c JOIN sale s ON s.customer_id = c.id WHERE {_VISIT} AND {_IN})"
            " SELECT c.m, v.m, COUNT(*) FROM c JOIN v ON v.cid = c.id GROUP BY c.m, v.m",
            (shift, lo, hi, shift, lo, hi),
        )
        return (
            [(str(m), int(n)) for m, n in joined],
            [CohortCell(str(j), str(v), int(n)) for j, v, n in cells],
        )

    def offers(self, start: datetime, end: datetime) -> list[OfferFigures]:
        """Promotions used in the range, and campaigns sent before its end."""
        lo, hi = stamp(start), stamp(end)
        promos = self._all(
            "SELECT l.promotion, COUNT(*), COUNT(DISTINCT s.customer_id),"
            " SUM(s.total_cents) FROM sale s JOIN sale_line l ON l.sale_id = s.id"
            f" WHERE s.status = 'completed' AND l.promotion <> '' AND {_IN}"
            " GROUP BY l.promotion",
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
