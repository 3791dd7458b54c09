"""The money of a cart: each line after promotions and discounts (the cart discount
allocated so that the lines always sum to the total), and the tax per code."""

from __future__ import annotations

from dataclasses import dataclass

from tui_pos.domain.cart_lines import CartLine, Discount
from tui_pos.domain.money import (
    allocate,
)
from tui_pos.domain.promotions import (
    NO_PROMOTION,
    PromoDiscount,
    PromoLine,
    Promotion,
    apply_promotions,
)
from tui_pos.domain.tax import TaxLine, TaxRate, tax_of


@dataclass(frozen=True)
class LineTotals:
    """The money of one line after discounts."""

    base_cents: int
    line_discount_cents: int  #: the promotion plus the manual line discount
    cart_discount_cents: int
    promo_discount_cents: int = 0
    promotion: str = ""  #: the promotion's name, shown on the line and the receipt

    @property
    def amount_cents(self) -> int:
        """What the line costs after both discounts."""
        return self.base_cents - self.line_discount_cents - self.cart_discount_cents


@dataclass(frozen=True)
class CartTotals:
    """Everything the screen and the receipt show about the money of a cart."""

    lines: tuple[LineTotals, ...]
    subtotal_cents: int
    discount_cents: int
    taxes: tuple[TaxLine, ...]
    tax_cents: int
    total_cents: int


def compute_totals(
    lines: list[CartLine],
    discount: Discount | None,
    taxes: dict[str, TaxRate],
    prices_include_tax: bool,
    promotions: tuple[Promotion, ...] = (),
) -> CartTotals:
    """Totals of ``lines`` with an optional cart ``discount``; see the module docstring.

    Order: promotions first, then the manual line discount on what the promotion left,
    then the sale discount spread over the sold lines. Return lines keep the amounts
    they were sold for (their discounts are negative too) and take no new discount.
    Raises DiscountError when a discount exceeds what it applies to.
    """
    bases = [ln.base_cents for ln in lines]
    promos = _promotions(lines, promotions)
    line_discounts = []
    for ln, base, promo in zip(lines, bases, promos, strict=True):
        if ln.refund is not None:
            line_discounts.append(ln.refund.line_discount_cents)
            continue
        manual = ln.discount.amount_on(base - promo.cents) if ln.discount else 0
        line_discounts.append(promo.cents + manual)
    after_line = [b - d for b, d in zip(bases, line_discounts, strict=True)]
    sold = [i for i, ln in enumerate(lines) if not ln.is_return]
    sold_after = [after_line[i] for i in sold]
    cart_discount = discount.amount_on(sum(sold_after)) if discount and sold else 0
    shares = [ln.refund.cart_discount_cents if ln.refund else 0 for ln in lines]
    for i, share in zip(sold, allocate(cart_discount, sold_after) if sold else [], strict=True):
        shares[i] = share
    line_totals = tuple(
        LineTotals(
            b,
            d,
            s,
            ln.refund.promo_discount_cents if ln.refund else p.cents,
            p.name,
        )
        for ln, b, d, s, p in zip(lines, bases, line_discounts, shares, promos, strict=True)
    )
    by_code: dict[str, int] = {}
    for ln, lt in zip(lines, line_totals, strict=True):
        by_code[ln.tax_code] = by_code.get(ln.tax_code, 0) + lt.amount_cents
    tax_lines = tuple(
        TaxLine(
            code,
            taxes[code].rate_bp,
            base,
            tax_of(base, taxes[code].rate_bp, included=prices_include_tax),
        )
        for code, base in sorted(by_code.items())
    )
    lines_sum = sum(lt.amount_cents for lt in line_totals)
    tax_total = sum(t.tax_cents for t in tax_lines)
    return CartTotals(
        lines=line_totals,
        subtotal_cents=sum(bases),
        discount_cents=sum(line_discounts) + sum(shares),
        taxes=tax_lines,
        tax_cents=tax_total,
        total_cents=lines_sum if prices_include_tax else lines_sum + tax_total,
    )


def _promotions(lines: list[CartLine], promotions: tuple[Promotion, ...]) -> list[PromoDiscount]:
    """The promotion of each line (none on return lines)."""
    if not promotions:
        return [NO_PROMOTION] * len(lines)
    sold = [i for i, ln in enumerate(lines) if not ln.is_return]
    found = apply_promotions(
        [
            PromoLine(
                ln.product_id,
                ln.category_id,
                ln.unit,
                ln.unit_price_cents,
                ln.qty_milli,
                ln.base_cents,
            )
            for ln in (lines[i] for i in sold)
        ],
        promotions,
    )
    result = [NO_PROMOTION] * len(lines)
    for i, promo in zip(sold, found, strict=True):
        result[i] = promo
    return result
