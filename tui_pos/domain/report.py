"""The X/Z day report: totals of a contiguous range of a till's sales.

Definitions (all integer minor units):
- ``gross_cents``: price x quantity of every line sold, before discounts.
- ``discount_cents``: line and sale discounts.
- ``net_cents``: gross - discount, i.e. what the lines were sold for.
- ``tax_cents``: tax of the period (included in net when prices include tax).
- ``total_cents``: sale totals (net, plus tax when prices exclude tax).
- ``rounding_cents``: cash rounding; tenders sum to total + rounding.
- ``cash_expected_cents``: cash that should be in the drawer from these sales.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tui_pos.domain.tax import TaxRate


@dataclass(frozen=True)
class TaxTotal:
    """Tax of one code over the period."""

    code: str
    rate_bp: int
    base_cents: int
    tax_cents: int


@dataclass(frozen=True)
class PeriodTotals:
    """Raw sums over a range of sales, as the store computes them."""

    first_seq: int | None = None
    last_seq: int | None = None
    sales_count: int = 0
    gross_cents: int = 0
    discount_cents: int = 0
    tax_cents: int = 0
    total_cents: int = 0
    rounding_cents: int = 0
    voids_count: int = 0
    voided_lines: int = 0
    taxes: tuple[TaxTotal, ...] = ()
    tenders: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DayReport:
    """An X (read) or Z (close) report."""

    kind: Literal["X", "Z"]
    date: str
    till: str
    totals: PeriodTotals
    z_number: int | None = None
    closed_at: str | None = None
    opening_float_cents: int = 0
    unprinted_receipts: tuple[str, ...] = ()  #: sale numbers whose receipt is still queued

    @property
    def net_cents(self) -> int:
        """What the lines were sold for: gross minus discounts."""
        return self.totals.gross_cents - self.totals.discount_cents

    @property
    def cash_expected_cents(self) -> int:
        """Opening float plus the cash taken (change already deducted)."""
        return self.opening_float_cents + self.totals.tenders.get("cash", 0)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (fields of docs/DESIGN.md, "Report JSON")."""
        t = self.totals
        return {
            "kind": self.kind,
            "date": self.date,
            "till": self.till,
            "z_number": self.z_number,
            "closed_at": self.closed_at,
            "first_sale": t.first_seq,
            "last_sale": t.last_seq,
            "sales_count": t.sales_count,
            "gross_cents": t.gross_cents,
            "discount_cents": t.discount_cents,
            "net_cents": self.net_cents,
            "tax_cents": t.tax_cents,
            "tax_by_code": {
                x.code: {
                    "rate": TaxRate(x.code, x.code, x.rate_bp).label,
                    "base_cents": x.base_cents,
                    "tax_cents": x.tax_cents,
                }
                for x in t.taxes
            },
            "total_cents": t.total_cents,
            "rounding_cents": t.rounding_cents,
            "refunds_cents": 0,
            "voids_count": t.voids_count,
            "voided_lines": t.voided_lines,
            "tenders": dict(sorted(t.tenders.items())),
            "opening_float_cents": self.opening_float_cents,
            "cash_expected_cents": self.cash_expected_cents,
            "unprinted_receipts": list(self.unprinted_receipts),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DayReport:
        """Rebuild a stored report (a Z keeps its JSON)."""
        taxes = tuple(
            TaxTotal(code, _rate_bp(v["rate"]), int(v["base_cents"]), int(v["tax_cents"]))
            for code, v in data["tax_by_code"].items()
        )
        totals = PeriodTotals(
            first_seq=data.get("first_sale"),
            last_seq=data.get("last_sale"),
            sales_count=int(data["sales_count"]),
            gross_cents=int(data["gross_cents"]),
            discount_cents=int(data["discount_cents"]),
            tax_cents=int(data["tax_cents"]),
            total_cents=int(data["total_cents"]),
            rounding_cents=int(data["rounding_cents"]),
            voids_count=int(data["voids_count"]),
            voided_lines=int(data.get("voided_lines", 0)),
            taxes=taxes,
            tenders={k: int(v) for k, v in data["tenders"].items()},
        )
        return cls(
            kind="Z" if data["kind"] == "Z" else "X",
            date=str(data["date"]),
            till=str(data["till"]),
            totals=totals,
            z_number=data.get("z_number"),
            closed_at=data.get("closed_at"),
            opening_float_cents=int(data.get("opening_float_cents", 0)),
            unprinted_receipts=tuple(data.get("unprinted_receipts", ())),
        )


def _rate_bp(label: str) -> int:
    whole, _, frac = label.rstrip("%").partition(".")
    return int(whole) * 100 + int(frac.ljust(2, "0")[:2] or 0)
