"""The X/Z day report: totals of a contiguous range of a till's sales.

Definitions (all integer minor units):
- ``gross_cents``: price x quantity of every line sold, before discounts.
- ``discount_cents``: line and sale discounts.
- ``net_cents``: gross - discount, i.e. what the lines were sold for.
- ``tax_cents``: tax of the period (included in net when prices include tax).
- ``total_cents``: sale totals (net, plus tax when prices exclude tax).
- ``rounding_cents``: cash rounding; tenders sum to total + rounding.
- ``cash_expected_cents``: cash that should be in the drawer: opening float + cash taken
  (change deducted) + cash in - cash out.
- ``counted_cents`` / ``over_short_cents``: the blind count at the Z close and its
  difference to the expected cash (positive = over).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    #: What return lines gave back: the negated sum of negative line amounts (returns and
    #: exchanges are sale documents, so gross and net above are already net of them).
    refunds_cents: int = 0
    taxes: tuple[TaxTotal, ...] = ()
    tenders: dict[str, int] = field(default_factory=dict)
    float_cents: int = 0  #: opening float(s) put in the drawer
    cash_in_cents: int = 0
    cash_out_cents: int = 0
    no_sales: int = 0  #: drawer opened without a sale
    last_cash_seq: int = 0  #: the last cash movement covered

    @classmethod
    def from_sums(
        cls,
        head: Sequence[Any],
        refunds: Any,
        taxes: Iterable[Sequence[Any]],
        tenders: Iterable[Sequence[Any]],
    ) -> PeriodTotals:
        """The totals from the rows of the sale sums: ``head`` = MIN(seq), MAX(seq), then
        the sums of completed sales, subtotal, discount, tax, total and rounding, then
        the voided sales and voided lines; ``refunds`` = the refund sum; ``taxes`` = (code,
        rate_bp, base, tax) rows; ``tenders`` = (kind, amount) rows. NULL sums count 0.
        The cash fields (other tables) stay 0: ``dataclasses.replace`` sets them."""
        sums = [int(value or 0) for value in head[2:10]]
        return cls(
            first_seq=head[0],
            last_seq=head[1],
            sales_count=sums[0],
            gross_cents=sums[1],
            discount_cents=sums[2],
            tax_cents=sums[3],
            total_cents=sums[4],
            rounding_cents=sums[5],
            voids_count=sums[6],
            voided_lines=sums[7],
            refunds_cents=int(refunds or 0),
            taxes=tuple(TaxTotal(c, int(r), int(b), int(t)) for c, r, b, t in taxes),
            tenders={str(kind): int(amount) for kind, amount in tenders},
        )


@dataclass(frozen=True)
class DayReport:
    """An X (read) or Z (close) report."""

    kind: Literal["X", "Z"]
    date: str
    till: str
    totals: PeriodTotals
    z_number: int | None = None
    closed_at: str | None = None
    unprinted_receipts: tuple[str, ...] = ()  #: sale numbers whose receipt is still queued
    counted_cents: int | None = None  #: the blind count at a Z close (None: not counted)
    closed_by: str = ""  #: who closed the day
    accepted_by: str = ""  #: who accepted a cash over/short
    #: The hash chain's head when the day closed (its number and MAC) and the running
    #: grand total of every sale ever chained: printed on the Z, the anchor kept on paper.
    chain_seq: int | None = None
    chain_head: str = ""
    grand_total_cents: int | None = None

    @property
    def net_cents(self) -> int:
        """What the lines were sold for: gross minus discounts."""
        return self.totals.gross_cents - self.totals.discount_cents

    @property
    def opening_float_cents(self) -> int:
        """Cash put in the drawer to start the period."""
        return self.totals.float_cents

    @property
    def cash_expected_cents(self) -> int:
        """Opening float, plus the cash taken (change already deducted), plus cash in,
        minus cash out."""
        t = self.totals
        return t.float_cents + t.tenders.get("cash", 0) + t.cash_in_cents - t.cash_out_cents

    @property
    def over_short_cents(self) -> int | None:
        """Counted minus expected cash (positive = over), once counted."""
        if self.counted_cents is None:
            return None
        return self.counted_cents - self.cash_expected_cents

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
            "refunds_cents": t.refunds_cents,
            "voids_count": t.voids_count,
            "voided_lines": t.voided_lines,
            "tenders": dict(sorted(t.tenders.items())),
            "opening_float_cents": self.opening_float_cents,
            "cash_in_cents": t.cash_in_cents,
            "cash_out_cents": t.cash_out_cents,
            "no_sales_count": t.no_sales,
            "cash_expected_cents": self.cash_expected_cents,
            "counted_cents": self.counted_cents,
            "over_short_cents": self.over_short_cents,
            "closed_by": self.closed_by,
            "over_short_accepted_by": self.accepted_by,
            "last_cash_movement": t.last_cash_seq,
            "unprinted_receipts": list(self.unprinted_receipts),
            "chain_seq": self.chain_seq,
            "chain_head": self.chain_head,
            "grand_total_cents": self.grand_total_cents,
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
            refunds_cents=int(data.get("refunds_cents", 0)),
            taxes=taxes,
            tenders={k: int(v) for k, v in data["tenders"].items()},
            float_cents=int(data.get("opening_float_cents", 0)),
            cash_in_cents=int(data.get("cash_in_cents", 0)),
            cash_out_cents=int(data.get("cash_out_cents", 0)),
            no_sales=int(data.get("no_sales_count", 0)),
            last_cash_seq=int(data.get("last_cash_movement", 0)),
        )
        counted = data.get("counted_cents")
        return cls(
            kind="Z" if data["kind"] == "Z" else "X",
            date=str(data["date"]),
            till=str(data["till"]),
            totals=totals,
            z_number=data.get("z_number"),
            closed_at=data.get("closed_at"),
            unprinted_receipts=tuple(data.get("unprinted_receipts", ())),
            counted_cents=int(counted) if counted is not None else None,
            closed_by=str(data.get("closed_by", "")),
            accepted_by=str(data.get("over_short_accepted_by", "")),
            chain_seq=data.get("chain_seq"),
            chain_head=str(data.get("chain_head") or ""),
            grand_total_cents=data.get("grand_total_cents"),
        )


def _rate_bp(label: str) -> int:
    whole, _, frac = label.rstrip("%").partition(".")
    return int(whole) * 100 + int(frac.ljust(2, "0")[:2] or 0)
