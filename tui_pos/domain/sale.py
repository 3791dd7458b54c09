"""A finished sale as one immutable document: what is stored, printed and reported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # annotations only: a report that formats sale numbers loads no cart
    from tui_pos.domain.cart import Cart
    from tui_pos.domain.loyalty import PointsSummary
    from tui_pos.domain.quantity import Unit
    from tui_pos.domain.tax import TaxLine
    from tui_pos.domain.tender import Payment, Tender

SaleStatus = Literal["completed", "voided"]


def format_sale_number(till: str, seq: int) -> str:
    """The sale number a customer and a cashier read: ``T1-000042``."""
    return f"{till}-{seq:06d}"


@dataclass(frozen=True)
class SoldLine:
    """A sale line frozen at checkout: names, prices and rates are copies, not lookups."""

    product_id: int | None
    name: str
    code: str
    unit: Unit
    qty_milli: int
    unit_price_cents: int
    base_cents: int
    line_discount_cents: int
    cart_discount_cents: int
    amount_cents: int
    tax_code: str
    tax_rate_bp: int
    #: A return line (negative quantity) names the sold line it returns; None without receipt.
    return_of_line_id: int | None = None
    promotion: str = ""  #: the promotion's name (its discount is in line_discount_cents)
    promo_discount_cents: int = 0
    to_stock: bool = True  #: a return line's goods go back to stock (else: damaged)
    claim: str = ""  #: the store server's claim of a line sold elsewhere (CartLine.claim)

    @property
    def is_return(self) -> bool:
        """True for a line that took goods back."""
        return self.qty_milli < 0


@dataclass(frozen=True)
class SaleDocument:
    """A completed (or voided) sale. ``seq`` is the till's sale number once stored."""

    uuid: str
    till: str
    status: SaleStatus
    created_at: datetime
    cashier: str
    lines: tuple[SoldLine, ...]
    taxes: tuple[TaxLine, ...]
    payments: tuple[Payment, ...]
    subtotal_cents: int
    discount_cents: int
    tax_cents: int
    total_cents: int
    rounding_cents: int
    change_cents: int
    voided_lines: int
    seq: int | None = None
    employee_id: int | None = None  #: the logged-in cashier (``cashier`` is their name)
    customer_id: int | None = None  #: the customer the sale was made to (no personal data)
    points: PointsSummary | None = None  #: loyalty points of the sale, once stored
    coupon: str | None = None  #: the personal coupon redeemed on the sale

    @property
    def paid_cents(self) -> int:
        """What the customer paid net of change (total plus cash rounding)."""
        return self.total_cents + self.rounding_cents

    @property
    def has_returns(self) -> bool:
        """True for a return or an exchange."""
        return any(ln.is_return for ln in self.lines)

    @property
    def refund_cents(self) -> int:
        """What the return lines gave back (positive): the negated sum of their amounts."""
        return -sum(ln.amount_cents for ln in self.lines if ln.amount_cents < 0)


def sale_document(
    cart: Cart,
    tender: Tender | None,
    *,
    till: str,
    cashier: str,
    now: datetime,
    status: SaleStatus = "completed",
    employee_id: int | None = None,
) -> SaleDocument:
    """Freeze ``cart`` and its payments into a document (the cart's UUID is the sale's)."""
    totals = cart.totals()
    lines = tuple(
        SoldLine(
            product_id=ln.product_id,
            name=ln.name,
            code=ln.code,
            unit=ln.unit,
            qty_milli=ln.qty_milli,
            unit_price_cents=ln.unit_price_cents,
            base_cents=lt.base_cents,
            line_discount_cents=lt.line_discount_cents,
            cart_discount_cents=lt.cart_discount_cents,
            amount_cents=lt.amount_cents,
            tax_code=ln.tax_code,
            tax_rate_bp=cart.taxes[ln.tax_code].rate_bp,
            return_of_line_id=ln.return_of,
            promotion=lt.promotion,
            promo_discount_cents=lt.promo_discount_cents,
            to_stock=ln.to_stock,
            claim=ln.claim,
        )
        for ln, lt in zip(cart.lines, totals.lines, strict=True)
    )
    return SaleDocument(
        uuid=cart.uuid,
        till=till,
        status=status,
        created_at=now,
        cashier=cashier,
        lines=lines,
        taxes=totals.taxes,
        payments=tuple(tender.payments) if tender else (),
        subtotal_cents=totals.subtotal_cents,
        discount_cents=totals.discount_cents,
        tax_cents=totals.tax_cents,
        total_cents=totals.total_cents,
        rounding_cents=tender.rounding_cents if tender else 0,
        change_cents=tender.change_cents if tender else 0,
        voided_lines=cart.voided_lines,
        employee_id=employee_id,
        customer_id=cart.customer_id,
        coupon=cart.coupon if status == "completed" else None,
    )
