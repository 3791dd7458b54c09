"""What the store sums for the analysis reports (``domain/analysis_reports.py`` shapes
them): one value per group or record, money in minor units, quantities in thousandths."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
