"""The ten analysis reports: what the store summed in, an :class:`AnalysisReport` out.

Definitions (completed sales only; voided sales appear in the voids report alone):
- net = what the lines were sold for (price x qty minus line and sale discounts), so
  returns (lines with a negative quantity, in the same documents) are netted out of the
  hour, category, item and employee reports; the refunds report lists them.
- sales = completed sale documents (a refund-only document counts as one).
- hours are local clock hours: the range is cut where the zone's UTC offset changes
  (daylight saving) and the store groups each piece by hour with that piece's offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from tui_pos.domain.analysis import AnalysisReport, Column, DateRange, Row
from tui_pos.domain.money import div_round
from tui_pos.domain.output_schema import iso_timestamp
from tui_pos.domain.report import TaxTotal
from tui_pos.domain.sale import format_sale_number
from tui_pos.domain.tax import TaxRate

NO_EMPLOYEE = "(none)"
NO_CATEGORY = "(none)"


# -- what the store sums ---------------------------------------------------------------
@dataclass(frozen=True)
class HourSales:
    """Completed sales in one local clock hour of the day (0-23), all days added up."""

    hour: int
    sales: int
    net_cents: int


@dataclass(frozen=True)
class CategorySales:
    """Net sales of one category (as the product is filed today)."""

    category: str
    net_cents: int
    discount_cents: int


@dataclass(frozen=True)
class ItemSales:
    """Net quantity and sales of one item (returns deducted)."""

    name: str
    code: str
    unit: str
    qty_milli: int
    net_cents: int


@dataclass(frozen=True)
class EmployeeSales:
    """What one cashier sold; ``voids`` counts their voided sales."""

    cashier: str
    sales: int
    net_cents: int
    discount_cents: int
    voids: int


@dataclass(frozen=True)
class TenderSummary:
    """Payments of one kind: money taken, and money paid back on returns."""

    kind: str
    payments: int
    taken_cents: int
    refunded_cents: int


@dataclass(frozen=True)
class DiscountSummary:
    """Discounts given by one cashier."""

    cashier: str
    sales: int  #: sales with any discount
    line_cents: int
    sale_cents: int


@dataclass(frozen=True)
class VoidRecord:
    """A voided sale (``whole_sale``), or a completed sale with lines voided before payment."""

    seq: int
    created_at: datetime  #: aware
    cashier: str
    whole_sale: bool
    lines: int
    amount_cents: int | None  #: None: a voided line's amount is not stored


@dataclass(frozen=True)
class RefundRecord:
    """One returned item: quantity and amount as positive numbers."""

    seq: int
    created_at: datetime
    cashier: str
    name: str
    code: str
    unit: str
    qty_milli: int
    amount_cents: int


@dataclass(frozen=True)
class NoSaleRecord:
    """A drawer opened without a sale."""

    seq: int
    created_at: datetime
    sent: bool
    error: str


# -- shaping ---------------------------------------------------------------------------
TITLES: dict[str, str] = {
    "hour": "Sales by hour",
    "category": "Sales by category",
    "item": "Top sellers",
    "employee": "Sales by employee",
    "tender": "Sales by tender",
    "tax": "Tax by code",
    "discounts": "Discounts",
    "voids": "Voids",
    "refunds": "Refunds",
    "no-sales": "No-sales",
}


def _empty(what: str, period: DateRange) -> str:
    days = f"on {period.label}" if period.days == 1 else f"from {period.label}"
    return f"No {what} {days}"


def _share(part: int, whole: int) -> int | None:
    """Basis points of ``whole`` (None when the whole is not a positive amount)."""
    return div_round(part * 10_000, whole) if whole > 0 else None


def _average(total: int, count: int) -> int | None:
    return div_round(total, count) if count else None


def _local(moment: datetime, tz: tzinfo | None) -> datetime:
    return moment.astimezone(tz)


def _time(moment: datetime, tz: tzinfo | None) -> str:
    return iso_timestamp(moment, tz)


def by_hour(till: str, period: DateRange, groups: Sequence[HourSales]) -> AnalysisReport:
    """Sales per local clock hour over the range (hours of all days added up; ``groups``
    may hold an hour more than once, one per offset span)."""
    hours: dict[int, tuple[int, int]] = {}
    for g in groups:
        count, net = hours.get(g.hour, (0, 0))
        hours[g.hour] = (count + g.sales, net + g.net_cents)
    rows: list[Row] = []
    if hours:
        for hour in range(min(hours), max(hours) + 1):  # no gaps: the chart reads as a day
            count, net = hours.get(hour, (0, 0))
            rows.append((f"{hour:02d}:00", count, net, _average(net, count)))
    sales = sum(c for c, _ in hours.values())
    net = sum(n for _, n in hours.values())
    return AnalysisReport(
        "hour",
        TITLES["hour"],
        till,
        period,
        (
            Column("hour", "Hour"),
            Column("sales", "Sales", "count"),
            Column("net_cents", "Net sales", "money"),
            Column("average_cents", "Average sale", "money"),
        ),
        tuple(rows),
        ("Total", sales, net, _average(net, sales)),
        _empty("sales", period),
        chart="net_cents",
    )


def by_category(till: str, period: DateRange, groups: Sequence[CategorySales]) -> AnalysisReport:
    """Net sales and discounts per category, largest first."""
    net = sum(g.net_cents for g in groups)
    ordered = sorted(groups, key=lambda g: (-g.net_cents, g.category))
    return AnalysisReport(
        "category",
        TITLES["category"],
        till,
        period,
        (
            Column("category", "Category"),
            Column("net_cents", "Net sales", "money"),
            Column("discount_cents", "Discounts", "money"),
            Column("share_bp", "Share", "percent"),
        ),
        tuple(
            (g.category or NO_CATEGORY, g.net_cents, g.discount_cents, _share(g.net_cents, net))
            for g in ordered
        ),
        ("Total", net, sum(g.discount_cents for g in groups), _share(net, net)),
        _empty("sales", period),
    )


def by_item(
    till: str, period: DateRange, items: Sequence[ItemSales], top: int | None
) -> AnalysisReport:
    """Items by net sales, best first; ``top`` keeps the first N rows (totals cover all)."""
    net = sum(i.net_cents for i in items)
    ordered = sorted(items, key=lambda i: (-i.net_cents, -i.qty_milli, i.name, i.code))
    shown = ordered if top is None else ordered[:top]
    note = (
        f"Top {top} of {len(items)} items; totals are of all items"
        if (top is not None and len(items) > top)
        else ""
    )
    return AnalysisReport(
        "item",
        TITLES["item"],
        till,
        period,
        (
            Column("item", "Item"),
            Column("code", "Code"),
            Column("unit", "Unit"),
            Column("qty_milli", "Quantity", "qty"),
            Column("net_cents", "Net sales", "money"),
            Column("share_bp", "Share", "percent"),
        ),
        tuple(
            (i.name, i.code, i.unit, i.qty_milli, i.net_cents, _share(i.net_cents, net))
            for i in shown
        ),
        (f"Total ({len(items)} items)", None, None, None, net, _share(net, net)),
        _empty("sales", period),
        note=note,
    )


def by_employee(till: str, period: DateRange, groups: Sequence[EmployeeSales]) -> AnalysisReport:
    """Sales, average sale, discounts and voided sales per cashier."""
    ordered = sorted(groups, key=lambda g: (-g.net_cents, g.cashier))
    sales = sum(g.sales for g in groups)
    net = sum(g.net_cents for g in groups)
    return AnalysisReport(
        "employee",
        TITLES["employee"],
        till,
        period,
        (
            Column("employee", "Employee"),
            Column("sales", "Sales", "count"),
            Column("net_cents", "Net sales", "money"),
            Column("average_cents", "Average sale", "money"),
            Column("discount_cents", "Discounts", "money"),
            Column("voids", "Voided sales", "count"),
        ),
        tuple(
            (
                g.cashier or NO_EMPLOYEE,
                g.sales,
                g.net_cents,
                _average(g.net_cents, g.sales),
                g.discount_cents,
                g.voids,
            )
            for g in ordered
        ),
        (
            "Total",
            sales,
            net,
            _average(net, sales),
            sum(g.discount_cents for g in groups),
            sum(g.voids for g in groups),
        ),
        _empty("sales", period),
    )


def by_tender(till: str, period: DateRange, tenders: Sequence[TenderSummary]) -> AnalysisReport:
    """Money taken and paid back per kind of payment."""
    ordered = sorted(tenders, key=lambda t: t.kind)
    return AnalysisReport(
        "tender",
        TITLES["tender"],
        till,
        period,
        (
            Column("tender", "Tender"),
            Column("payments", "Payments", "count"),
            Column("taken_cents", "Taken", "money"),
            Column("refunded_cents", "Refunded", "money"),
            Column("net_cents", "Net", "money"),
        ),
        tuple(
            (t.kind, t.payments, t.taken_cents, t.refunded_cents, t.taken_cents - t.refunded_cents)
            for t in ordered
        ),
        (
            "Total",
            sum(t.payments for t in tenders),
            sum(t.taken_cents for t in tenders),
            sum(t.refunded_cents for t in tenders),
            sum(t.taken_cents - t.refunded_cents for t in tenders),
        ),
        _empty("payments", period),
    )


def by_tax(till: str, period: DateRange, taxes: Sequence[TaxTotal]) -> AnalysisReport:
    """Tax per code and rate, as stored with each sale (never recomputed)."""
    ordered = sorted(taxes, key=lambda t: (t.code, t.rate_bp))
    return AnalysisReport(
        "tax",
        TITLES["tax"],
        till,
        period,
        (
            Column("code", "Code"),
            Column("rate", "Rate"),
            Column("base_cents", "Base", "money"),
            Column("tax_cents", "Tax", "money"),
        ),
        tuple(
            (t.code, TaxRate(t.code, t.code, t.rate_bp).label, t.base_cents, t.tax_cents)
            for t in ordered
        ),
        ("Total", None, sum(t.base_cents for t in taxes), sum(t.tax_cents for t in taxes)),
        _empty("sales", period),
    )


def discounts(till: str, period: DateRange, groups: Sequence[DiscountSummary]) -> AnalysisReport:
    """Line and sale discounts per cashier."""
    ordered = sorted(groups, key=lambda g: (-(g.line_cents + g.sale_cents), g.cashier))
    return AnalysisReport(
        "discounts",
        TITLES["discounts"],
        till,
        period,
        (
            Column("employee", "Employee"),
            Column("sales", "Sales discounted", "count"),
            Column("line_discount_cents", "Line discounts", "money"),
            Column("sale_discount_cents", "Sale discounts", "money"),
            Column("discount_cents", "Total", "money"),
        ),
        tuple(
            (
                g.cashier or NO_EMPLOYEE,
                g.sales,
                g.line_cents,
                g.sale_cents,
                g.line_cents + g.sale_cents,
            )
            for g in ordered
        ),
        (
            "Total",
            sum(g.sales for g in groups),
            sum(g.line_cents for g in groups),
            sum(g.sale_cents for g in groups),
            sum(g.line_cents + g.sale_cents for g in groups),
        ),
        _empty("discounts", period),
    )


def voids(
    till: str, period: DateRange, records: Sequence[VoidRecord], tz: tzinfo | None
) -> AnalysisReport:
    """Voided sales and completed sales with voided lines, in time order."""
    ordered = sorted(records, key=lambda r: r.seq)
    whole = [r for r in records if r.whole_sale]
    return AnalysisReport(
        "voids",
        TITLES["voids"],
        till,
        period,
        (
            Column("sale", "Sale"),
            Column("time", "Time", "time"),
            Column("employee", "Employee"),
            Column("what", "Voided"),
            Column("lines", "Lines", "count"),
            Column("amount_cents", "Amount", "money"),
        ),
        tuple(
            (
                format_sale_number(till, r.seq),
                _time(r.created_at, tz),
                r.cashier or NO_EMPLOYEE,
                "whole sale" if r.whole_sale else "lines",
                r.lines,
                r.amount_cents,
            )
            for r in ordered
        ),
        (
            f"Total ({len(whole)} sales voided)",
            None,
            None,
            None,
            sum(r.lines for r in records),
            sum(r.amount_cents or 0 for r in whole),
        ),
        _empty("voids", period),
        note="Lines voided before payment keep no amount, only how many.",
    )


def refunds(
    till: str, period: DateRange, records: Sequence[RefundRecord], tz: tzinfo | None
) -> AnalysisReport:
    """Every returned item, in time order (amounts paid back are positive)."""
    ordered = sorted(records, key=lambda r: r.seq)
    return AnalysisReport(
        "refunds",
        TITLES["refunds"],
        till,
        period,
        (
            Column("sale", "Sale"),
            Column("time", "Time", "time"),
            Column("employee", "Employee"),
            Column("item", "Item"),
            Column("unit", "Unit"),
            Column("qty_milli", "Quantity", "qty"),
            Column("amount_cents", "Refunded", "money"),
        ),
        tuple(
            (
                format_sale_number(till, r.seq),
                _time(r.created_at, tz),
                r.cashier or NO_EMPLOYEE,
                r.name,
                r.unit,
                r.qty_milli,
                r.amount_cents,
            )
            for r in ordered
        ),
        (
            f"Total ({len(records)} items)",
            None,
            None,
            None,
            None,
            None,
            sum(r.amount_cents for r in records),
        ),
        _empty("refunds", period),
    )


def no_sales(
    till: str, period: DateRange, records: Sequence[NoSaleRecord], tz: tzinfo | None
) -> AnalysisReport:
    """Every drawer opening without a sale, in time order."""
    ordered = sorted(records, key=lambda r: r.seq)
    return AnalysisReport(
        "no-sales",
        TITLES["no-sales"],
        till,
        period,
        (
            Column("time", "Time", "time"),
            Column("number", "No.", "count"),
            Column("drawer", "Drawer"),
        ),
        tuple(
            (
                _time(r.created_at, tz),
                r.seq,
                "opened" if r.sent else f"not opened: {r.error or 'not sent'}",
            )
            for r in ordered
        ),
        (f"Total ({len(records)} no-sales)", None, None),
        _empty("no-sales", period),
    )
