"""Loyalty program analytics over a date range (``tui-pos report loyalty --by ...`` and the
Loyalty page of the reports screen); the sums are the store's, the shaping the domain's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import Protocol

from tui_pos.domain import loyalty_analytics as build
from tui_pos.domain.analysis import AnalysisReport, DateRange, day_start, utc_offset_minutes
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


class LoyaltyAnalyticsStore(Protocol):
    """Sums over every till's documents and the points ledger in ``[start, end)``."""

    def program(self, start: datetime, end: datetime, churn_days: int) -> ProgramFigures:
        """The program-wide figures."""

    def months(
        self,
        start: datetime,
        end: datetime,
        offset_minutes: int,
        bounds: Sequence[tuple[str, datetime]],
        tier_thresholds: Sequence[int],
    ) -> list[MonthFigures]:
        """Per local month (local = UTC + ``offset_minutes``); tier moves at ``bounds``."""

    def cohorts(
        self, start: datetime, end: datetime, offset_minutes: int
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
        offset = utc_offset_minutes(start, self.tz)
        if kind == "summary":
            figures = self.store.program(start, end, churn_days)
            return build.summary(
                self.till, period, figures, self.rules.point_value_cents, churn_days
            )
        if kind == "month":
            bounds = self._month_bounds(period)
            thresholds = [t.min_spend_cents for t in self.rules.tiers]
            months = self.store.months(start, end, offset, bounds, thresholds)
            return build.by_month(self.till, period, months)
        if kind == "cohort":
            joined, cells = self.store.cohorts(start, end, offset)
            last = period.last.isoformat()[:7]
            return build.cohorts(self.till, period, joined, cells, last)
        return build.offers(self.till, period, self.store.offers(start, end))

    def _month_bounds(self, period: DateRange) -> list[tuple[str, datetime]]:
        """The month before the range ending where the range starts, then each month of
        the range ending at its last local midnight (or the range's end)."""
        start, end = period.bounds(self.tz)
        first = period.first.isoformat()[:7]
        bounds = [(month_after(first, -1), start)]
        month = first
        while month <= period.last.isoformat()[:7]:
            following = month_after(month, 1)
            month_end = day_start(date.fromisoformat(following + "-01"), self.tz)
            bounds.append((month, min(month_end, end)))
            month = following
        return bounds
