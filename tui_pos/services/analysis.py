"""Analysis reports over a date range: one method per report, sums done by the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Protocol

from tui_pos.domain import analysis_reports as build
from tui_pos.domain.analysis import (
    REPORT_KINDS,
    AnalysisReport,
    DateRange,
    ReportKind,
    offset_spans,
)
from tui_pos.domain.analysis_figures import (
    CategorySales,
    DiscountSummary,
    EmployeeSales,
    HourSales,
    ItemSales,
    NoSaleRecord,
    RefundRecord,
    TenderSummary,
    VoidRecord,
)
from tui_pos.domain.channel_report import ChannelSales, by_channel
from tui_pos.domain.errors import DomainError
from tui_pos.domain.report import TaxTotal

if TYPE_CHECKING:
    from tui_pos.services.ports import Clock


class AnalysisStore(Protocol):
    """Sums over the stored documents of one till made in ``[start, end)`` (aware times).

    Sums are grouped by the store (never a loop over every line in Python): a year of
    sales is millions of lines. Only completed sales count, except in :meth:`voids`.
    """

    def hours(
        self, till: str, start: datetime, end: datetime, offset_minutes: int
    ) -> list[HourSales]:
        """Sales count and net per local hour of the day, local = UTC + ``offset_minutes``
        (the caller cuts the range where the offset changes)."""

    def categories(self, till: str, start: datetime, end: datetime) -> list[CategorySales]:
        """Net sales and discounts per product category (lines without one: empty name)."""

    def items(self, till: str, start: datetime, end: datetime) -> list[ItemSales]:
        """Net quantity and sales per product, returns deducted."""

    def employees(self, till: str, start: datetime, end: datetime) -> list[EmployeeSales]:
        """Per cashier name: completed sales, net, discounts, and voided sales."""

    def tenders(self, till: str, start: datetime, end: datetime) -> list[TenderSummary]:
        """Per payment kind: count, money taken, money paid back."""

    def taxes(self, till: str, start: datetime, end: datetime) -> list[TaxTotal]:
        """Stored tax per code and rate."""

    def channels(self, till: str, start: datetime, end: datetime) -> list[ChannelSales]:
        """Completed sales of the till (``till``) and the web orders it knows (``web``)."""

    def discounts(self, till: str, start: datetime, end: datetime) -> list[DiscountSummary]:
        """Per cashier who gave any: line and sale discounts."""

    def voids(self, till: str, start: datetime, end: datetime) -> list[VoidRecord]:
        """Voided sales, and completed sales with voided lines."""

    def refunds(self, till: str, start: datetime, end: datetime) -> list[RefundRecord]:
        """Lines with a negative quantity in completed sales."""

    def no_sales(self, till: str, start: datetime, end: datetime) -> list[NoSaleRecord]:
        """Drawer openings without a sale."""


class Analysis:
    """The analysis reports of one till. Dates are local calendar days (``tz``, or the
    system's zone when None), as for ``report x --date``."""

    def __init__(self, store: AnalysisStore, till: str, clock: Clock, tz: tzinfo | None) -> None:
        self.store = store
        self.till = till
        self.clock = clock
        self.tz = tz

    def today(self) -> date:
        """The local calendar day now."""
        return self.clock().astimezone(self.tz).date()

    def report(self, kind: str, period: DateRange, top: int | None = None) -> AnalysisReport:
        """The report named ``kind`` (one of :data:`REPORT_KINDS`)."""
        if kind not in (*REPORT_KINDS, "channel"):
            raise DomainError(f"No report {kind!r}: choose one of {', '.join(REPORT_KINDS)}")
        if top is not None and top < 1:
            raise DomainError("--top must be at least 1")
        if kind == "item":
            return self.by_item(period, top)
        method: Callable[[DateRange], AnalysisReport] = getattr(self, _METHODS[kind])
        return method(period)

    def by_hour(self, period: DateRange) -> AnalysisReport:
        """Sales per local hour of the day."""
        rows: list[HourSales] = []
        for span in offset_spans(*period.bounds(self.tz), self.tz):
            rows += self.store.hours(self.till, span.start, span.end, span.offset_minutes)
        return build.by_hour(self.till, period, rows)

    def by_category(self, period: DateRange) -> AnalysisReport:
        """Net sales per category."""
        rows = self.store.categories(self.till, *period.bounds(self.tz))
        return build.by_category(self.till, period, rows)

    def by_item(self, period: DateRange, top: int | None = None) -> AnalysisReport:
        """Top sellers (all items when ``top`` is None)."""
        rows = self.store.items(self.till, *period.bounds(self.tz))
        return build.by_item(self.till, period, rows, top)

    def by_employee(self, period: DateRange) -> AnalysisReport:
        """Sales per cashier."""
        rows = self.store.employees(self.till, *period.bounds(self.tz))
        return build.by_employee(self.till, period, rows)

    def by_tender(self, period: DateRange) -> AnalysisReport:
        """Payments per kind."""
        rows = self.store.tenders(self.till, *period.bounds(self.tz))
        return build.by_tender(self.till, period, rows)

    def by_channel(self, period: DateRange) -> AnalysisReport:
        """Sales by channel: the till's own and the web orders it knows."""
        rows = self.store.channels(self.till, *period.bounds(self.tz))
        return by_channel(self.till, period, rows)

    def by_tax(self, period: DateRange) -> AnalysisReport:
        """Tax per code."""
        rows = self.store.taxes(self.till, *period.bounds(self.tz))
        return build.by_tax(self.till, period, rows)

    def discounts(self, period: DateRange) -> AnalysisReport:
        """Discounts per cashier."""
        rows = self.store.discounts(self.till, *period.bounds(self.tz))
        return build.discounts(self.till, period, rows)

    def voids(self, period: DateRange) -> AnalysisReport:
        """Voided sales and lines."""
        rows = self.store.voids(self.till, *period.bounds(self.tz))
        return build.voids(self.till, period, rows, self.tz)

    def refunds(self, period: DateRange) -> AnalysisReport:
        """Returned items."""
        rows = self.store.refunds(self.till, *period.bounds(self.tz))
        return build.refunds(self.till, period, rows, self.tz)

    def no_sales(self, period: DateRange) -> AnalysisReport:
        """Drawer openings without a sale."""
        rows = self.store.no_sales(self.till, *period.bounds(self.tz))
        return build.no_sales(self.till, period, rows, self.tz)


_METHODS: dict[ReportKind, str] = {
    "hour": "by_hour",
    "category": "by_category",
    "item": "by_item",
    "employee": "by_employee",
    "tender": "by_tender",
    "tax": "by_tax",
    "discounts": "discounts",
    "voids": "voids",
    "refunds": "refunds",
    "no-sales": "no_sales",
    "channel": "by_channel",
}
