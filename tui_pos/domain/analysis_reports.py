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
from datetime import datetime, tzinfo

from tui_pos.domain.analysis import (
    AnalysisReport,
    Column,
    DateRange,
    Row,
    average,
    no_rows,
    share_bp,
    totals_row,
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
from tui_pos.domain.report import TaxTotal
from tui_pos.domain.sale import format_sale_number
from tui_pos.domain.tax import TaxRate

NO_EMPLOYEE = "(none)"
NO_CATEGORY = "(none)"


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


def _time(moment: datetime, tz: tzinfo | None) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


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
            rows.append((f"{hour:02d}:00", count, net, average(net, count)))
    sales = sum(c for c, _ in hours.values())
    net = sum(n for _, n in hours.values())
    columns = (
        Column("hour", "Hour"),
        Column("sales", "Sales", "count"),
        Column("net_cents", "Net sales", "money"),
        Column("average_cents", "Average sale", "money"),
    )
    totals = ("Total", sales, net, average(net, sales))
    return AnalysisReport(
        "hour",
        TITLES["hour"],
        till,
        period,
        columns,
        tuple(rows),
        totals,
        no_rows("sales", period),
        chart="net_cents",
    )


def by_category(till: str, period: DateRange, groups: Sequence[CategorySales]) -> AnalysisReport:
    """Net sales and discounts per category, largest first."""
    net = sum(g.net_cents for g in groups)
    rows: list[Row] = [
        (g.category or NO_CATEGORY, g.net_cents, g.discount_cents, share_bp(g.net_cents, net))
        for g in sorted(groups, key=lambda g: (-g.net_cents, g.category))
    ]
    columns = (
        Column("category", "Category"),
        Column("net_cents", "Net sales", "money"),
        Column("discount_cents", "Discounts", "money"),
        Column("share_bp", "Share", "percent"),
    )
    totals = totals_row("Total", columns, rows, {"net_cents", "discount_cents"})
    totals[3] = share_bp(net, net)
    return AnalysisReport(
        "category",
        TITLES["category"],
        till,
        period,
        columns,
        tuple(rows),
        tuple(totals),
        no_rows("sales", period),
    )


def by_item(
    till: str, period: DateRange, items: Sequence[ItemSales], top: int | None
) -> AnalysisReport:
    """Items by net sales, best first; ``top`` keeps the first N rows (totals cover all)."""
    net = sum(i.net_cents for i in items)
    ordered = sorted(items, key=lambda i: (-i.net_cents, -i.qty_milli, i.name, i.code))
    shown = ordered if top is None else ordered[:top]
    cut = top is not None and len(items) > top
    columns = (
        Column("item", "Item"),
        Column("code", "Code"),
        Column("unit", "Unit"),
        Column("qty_milli", "Quantity", "qty"),
        Column("net_cents", "Net sales", "money"),
        Column("share_bp", "Share", "percent"),
    )
    rows = tuple(
        (i.name, i.code, i.unit, i.qty_milli, i.net_cents, share_bp(i.net_cents, net))
        for i in shown
    )
    totals = (f"Total ({len(items)} items)", None, None, None, net, share_bp(net, net))
    return AnalysisReport(
        "item",
        TITLES["item"],
        till,
        period,
        columns,
        rows,
        totals,
        no_rows("sales", period),
        note=f"Top {top} of {len(items)} items; totals are of all items" if cut else "",
    )


def by_employee(till: str, period: DateRange, groups: Sequence[EmployeeSales]) -> AnalysisReport:
    """Sales, average sale, discounts and voided sales per cashier."""
    rows: list[Row] = [
        (
            g.cashier or NO_EMPLOYEE,
            g.sales,
            g.net_cents,
            average(g.net_cents, g.sales),
            g.discount_cents,
            g.voids,
        )
        for g in sorted(groups, key=lambda g: (-g.net_cents, g.cashier))
    ]
    columns = (
        Column("employee", "Employee"),
        Column("sales", "Sales", "count"),
        Column("net_cents", "Net sales", "money"),
        Column("average_cents", "Average sale", "money"),
        Column("discount_cents", "Discounts", "money"),
        Column("voids", "Voided sales", "count"),
    )
    totals = totals_row("Total", columns, rows, {"sales", "net_cents", "discount_cents", "voids"})
    totals[3] = average(int(totals[2] or 0), int(totals[1] or 0))
    return AnalysisReport(
        "employee",
        TITLES["employee"],
        till,
        period,
        columns,
        tuple(rows),
        tuple(totals),
        no_rows("sales", period),
    )


def by_tender(till: str, period: DateRange, tenders: Sequence[TenderSummary]) -> AnalysisReport:
    """Money taken and paid back per kind of payment."""
    rows: list[Row] = [
        (t.kind, t.payments, t.taken_cents, t.refunded_cents, t.taken_cents - t.refunded_cents)
        for t in sorted(tenders, key=lambda t: t.kind)
    ]
    columns = (
        Column("tender", "Tender"),
        Column("payments", "Payments", "count"),
        Column("taken_cents", "Taken", "money"),
        Column("refunded_cents", "Refunded", "money"),
        Column("net_cents", "Net", "money"),
    )
    totals = totals_row("Total", columns, rows, {c.key for c in columns})
    return AnalysisReport(
        "tender",
        TITLES["tender"],
        till,
        period,
        columns,
        tuple(rows),
        tuple(totals),
        no_rows("payments", period),
    )


def by_tax(till: str, period: DateRange, taxes: Sequence[TaxTotal]) -> AnalysisReport:
    """Tax per code and rate, as stored with each sale (never recomputed)."""
    rows: list[Row] = [
        (t.code, TaxRate(t.code, t.code, t.rate_bp).label, t.base_cents, t.tax_cents)
        for t in sorted(taxes, key=lambda t: (t.code, t.rate_bp))
    ]
    columns = (
        Column("code", "Code"),
        Column("rate", "Rate"),
        Column("base_cents", "Base", "money"),
        Column("tax_cents", "Tax", "money"),
    )
    totals = totals_row("Total", columns, rows, {"base_cents", "tax_cents"})
    return AnalysisReport(
        "tax",
        TITLES["tax"],
        till,
        period,
        columns,
        tuple(rows),
        tuple(totals),
        no_rows("sales", period),
    )


def discounts(till: str, period: DateRange, groups: Sequence[DiscountSummary]) -> AnalysisReport:
    """Line and sale discounts per cashier."""
    rows: list[Row] = [
        (g.cashier or NO_EMPLOYEE, g.sales, g.line_cents, g.sale_cents, g.line_cents + g.sale_cents)
        for g in sorted(groups, key=lambda g: (-(g.line_cents + g.sale_cents), g.cashier))
    ]
    columns = (
        Column("employee", "Employee"),
        Column("sales", "Sales discounted", "count"),
        Column("line_discount_cents", "Line discounts", "money"),
        Column("sale_discount_cents", "Sale discounts", "money"),
        Column("discount_cents", "Total", "money"),
    )
    totals = totals_row("Total", columns, rows, {c.key for c in columns})
    return AnalysisReport(
        "discounts",
        TITLES["discounts"],
        till,
        period,
        columns,
        tuple(rows),
        tuple(totals),
        no_rows("discounts", period),
    )


def voids(
    till: str, period: DateRange, records: Sequence[VoidRecord], tz: tzinfo | None
) -> AnalysisReport:
    """Voided sales and completed sales with voided lines, in time order."""
    rows: list[Row] = [
        (
            format_sale_number(till, r.seq),
            _time(r.created_at, tz),
            r.cashier or NO_EMPLOYEE,
            "whole sale" if r.whole_sale else "lines",
            r.lines,
            r.amount_cents,
        )
        for r in sorted(records, key=lambda r: r.seq)
    ]
    columns = (
        Column("sale", "Sale"),
        Column("time", "Time"),
        Column("employee", "Employee"),
        Column("what", "Voided"),
        Column("lines", "Lines", "count"),
        Column("amount_cents", "Amount", "money"),
    )
    whole = [r for r in records if r.whole_sale]
    totals = totals_row(f"Total ({len(whole)} sales voided)", columns, rows, {"lines"})
    totals[5] = sum(r.amount_cents or 0 for r in whole)
    return AnalysisReport(
        "voids",
        TITLES["voids"],
        till,
        period,
        columns,
        tuple(rows),
        tuple(totals),
        no_rows("voids", period),
        note="Lines voided before payment keep no amount, only how many.",
    )


def refunds(
    till: str, period: DateRange, records: Sequence[RefundRecord], tz: tzinfo | None
) -> AnalysisReport:
    """Every returned item, in time order (amounts paid back are positive)."""
    rows: list[Row] = [
        (
            format_sale_number(till, r.seq),
            _time(r.created_at, tz),
            r.cashier or NO_EMPLOYEE,
            r.name,
            r.unit,
            r.qty_milli,
            r.amount_cents,
        )
        for r in sorted(records, key=lambda r: r.seq)
    ]
    columns = (
        Column("sale", "Sale"),
        Column("time", "Time"),
        Column("employee", "Employee"),
        Column("item", "Item"),
        Column("unit", "Unit"),
        Column("qty_milli", "Quantity", "qty"),
        Column("amount_cents", "Refunded", "money"),
    )
    totals = totals_row(f"Total ({len(records)} items)", columns, rows, {"amount_cents"})
    return AnalysisReport(
        "refunds",
        TITLES["refunds"],
        till,
        period,
        columns,
        tuple(rows),
        tuple(totals),
        no_rows("refunds", period),
    )


def no_sales(
    till: str, period: DateRange, records: Sequence[NoSaleRecord], tz: tzinfo | None
) -> AnalysisReport:
    """Every drawer opening without a sale, in time order."""
    rows: list[Row] = [
        (
            _time(r.created_at, tz),
            r.seq,
            "opened" if r.sent else f"not opened: {r.error or 'not sent'}",
        )
        for r in sorted(records, key=lambda r: r.seq)
    ]
    columns = (Column("time", "Time"), Column("number", "No.", "count"), Column("drawer", "Drawer"))
    return AnalysisReport(
        "no-sales",
        TITLES["no-sales"],
        till,
        period,
        columns,
        tuple(rows),
        (f"Total ({len(records)} no-sales)", None, None),
        no_rows("no-sales", period),
    )
