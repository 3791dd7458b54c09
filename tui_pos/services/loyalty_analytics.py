"""Loyalty program analytics over a date range (``tui-pos report loyalty --by ...`` and the
Loyalty page of the reports screen); the sums are the store's, the shaping the domain's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import Protocol

from tui_pos.domain import loyalty_analytics as build
from tui_pos.domain.analysis import AnalysisReport, DateRange, day_start
from tui_pos.domain.errors import DomainError
from tui_pos.domain.loyalty import LoyaltyRules
from tui_pos.domain.loyalty_analytics import (
    DEFAULT_CHURN_DAYS,
    LOYALTY_KINDS,
    CohortCell,
    MonthFigures,
    OfferFigures,
    ProgramFigures,
    month_after,
)
from tui_pos.services.ports import Clock

#: A month of a report: its label (YYYY-MM) and its [start, end) as aware times.
MonthSpan = tuple[str, datetime, datetime]


class LoyaltyAnalyticsStore(Protocol):
    """Sums over every till's documents and the points ledger in ``[start, end)``."""

    def program(self, start: datetime, end: datetime, churn_days: int) -> ProgramFigures:
        """The program-wide figures."""

    def months(
        self,
        spans: Sequence[MonthSpan],
        tier_spans: Sequence[tuple[datetime, datetime]],
        tier_thresholds: Sequence[int],
    ) -> list[MonthFigures]:
        """Per month span; tier moves over ``tier_spans`` (12 months before, then one per
        span)."""

    def cohorts(
        self, start: datetime, end: datetime, spans: Sequence[MonthSpan]
    ) -> tuple[list[tuple[str, int]], list[CohortCell]]:
        """Members joined per month, and their visits per later month."""

    def offers(self, start: datetime, end: datetime) -> list[OfferFigures]:
        """Promotions and campaigns."""


class LoyaltyAnalytics:
    """The loyalty reports. Dates are local calendar days (``tz``; None = the system's)."""

    def __init__(
        self,
        store: LoyaltyAnalyticsStore,
        rules: LoyaltyRules,
        till: str,
        clock: Clock,
        tz: tzinfo | None,
    ) -> None:
        self.store = store
        self.rules = rules
        self.till = till
        self.clock = clock
        self.tz = tz

    def today(self) -> date:
        """The local calendar day now."""
        return self.clock().astimezone(self.tz).date()

    def report(
        self, kind: str, period: DateRange, churn_days: int = DEFAULT_CHURN_DAYS
    ) -> AnalysisReport:
        """The loyalty report named ``kind`` (one of :data:`LOYALTY_KINDS`)."""
        if kind not in LOYALTY_KINDS:
            raise DomainError(
                f"No loyalty report {kind!r}: choose one of {', '.join(LOYALTY_KINDS)}"
            )
        if churn_days < 1:
            raise DomainError("--churn-days must be at least 1")
        start, end = period.bounds(self.tz)
        if kind == "summary":
            figures = self.store.program(start, end, churn_days)
            return build.summary(
                self.till, period, figures, self.rules.point_value_cents, churn_days
            )
        spans = self.month_spans(period)
        if kind == "month":
            thresholds = [t.min_spend_cents for t in self.rules.tiers]
            months = self.store.months(spans, self.tier_spans(period), thresholds)
            return build.by_month(self.till, period, months)
        if kind == "cohort":
            joined, cells = self.store.cohorts(start, end, spans)
            last = period.last.isoformat()[:7]
            return build.cohorts(self.till, period, joined, cells, last)
        return build.offers(self.till, period, self.store.offers(start, end))

    def _month_start(self, month: str) -> datetime:
        return day_start(date.fromisoformat(month + "-01"), self.tz)

    def month_spans(self, period: DateRange) -> list[MonthSpan]:
        """The local calendar months of the range, the first and last cut to the range."""
        start, end = period.bounds(self.tz)
        spans: list[MonthSpan] = []
        month, last = period.first.isoformat()[:7], period.last.isoformat()[:7]
        while month <= last:
            following = month_after(month, 1)
            lo = max(self._month_start(month), start)
            spans.append((month, lo, min(self._month_start(following), end)))
            month = following
        return spans

    def tier_spans(self, period: DateRange) -> list[tuple[datetime, datetime]]:
        """Whole local months from 12 before the range's first month to its last month
        (cut at the range's end): a tier at a month's end is decided by the 12 months
        ending there."""
        end = period.bounds(self.tz)[1]
        month = month_after(period.first.isoformat()[:7], -12)
        spans: list[tuple[datetime, datetime]] = []
        while month <= period.last.isoformat()[:7]:
            following = month_after(month, 1)
            spans.append((self._month_start(month), min(self._month_start(following), end)))
            month = following
        return spans
