"""The open sale: lines, discounts and totals.

The cart is plain data plus rules. Totals are always derived, never stored, so they can
not drift: each line's amount is price x quantity (rounded half up once), minus its line
discount, minus its share of the cart discount; the shares are allocated so that the
lines always sum to the total.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from tui_pos.domain.cart_lines import (
    CartLine,
    Discount,
    discount_from_dict,
    discount_to_dict,
    line_from_dict,
    line_to_dict,
)
from tui_pos.domain.cart_totals import CartTotals, compute_totals
from tui_pos.domain.errors import CartError, DiscountError
from tui_pos.domain.money import (
    MAX_AMOUNT_CENTS,
    format_money,
    percent_of,
)
from tui_pos.domain.promotions import (
    Promotion,
)
from tui_pos.domain.tax import TaxRate


class Cart:
    """The open sale. Mutating methods raise a DomainError and change nothing on bad input."""

    def __init__(self, taxes: dict[str, TaxRate], *, prices_include_tax: bool = True) -> None:
        self.taxes = taxes
        self.prices_include_tax = prices_include_tax
        self.lines: list[CartLine] = []
        self.discount: Discount | None = None
        self.uuid = uuid.uuid4().hex
        self.voided_lines = 0
        #: Promotions active today, set by the register; applied in :meth:`totals`.
        self.promotions: tuple[Promotion, ...] = ()
        self.customer_id: int | None = None  #: the customer attached to the sale, if any
        #: The attached customer's tier and segments (``tier:Gold``): targeted promotions
        #: apply only to them.
        self.audiences: frozenset[str] = frozenset()
        #: A personal coupon redeemed on this sale (its discount is the sale discount).
        self.coupon: str | None = None
        # The last totals and what they were computed from: lines are immutable values, so
        # the same line objects, discount and promotions give the same totals (a payment
        # asks for them several times; computing them once per change is enough).
        self._memo: tuple[tuple[Any, ...], CartTotals] | None = None

    # -- changes -----------------------------------------------------------------
    def add(self, line: CartLine) -> CartLine:
        """Append a line after checking its tax code and that the total stays sane."""
        if line.tax_code not in self.taxes:
            raise CartError(f"{line.name}: unknown tax code {line.tax_code!r}")
        if line.qty_milli == 0 or (line.qty_milli < 0 and line.refund is None):
            raise CartError("Quantity must be more than 0")
        if line.qty_milli > 0 and (line.return_of is not None or line.refund is not None):
            raise CartError("A return line takes a negative quantity")
        if line.refund is not None and (line.refund.amount_cents > 0 or line.discount):
            raise CartError("A return line gives money back and takes no discount")
        if line.unit_price_cents < 0:
            raise CartError(f"{line.name}: negative price")
        upper = sum(ln.base_cents for ln in self.lines) + line.base_cents
        if not self.prices_include_tax:
            upper += percent_of(upper, max(t.rate_bp for t in self.taxes.values()))
        if upper > MAX_AMOUNT_CENTS:
            raise CartError(f"Sale total would exceed {format_money(MAX_AMOUNT_CENTS)}")
        self.lines.append(line)
        return line

    def void_line(self, index: int) -> CartLine:
        """Remove the line at ``index`` (the cart discount then re-spreads over the rest)."""
        line = self.line(index)
        remaining = self.lines[:index] + self.lines[index + 1 :]
        self._check_bounded(remaining, self.discount if remaining else None)
        del self.lines[index]
        self.voided_lines += 1
        if not self.lines:
            self.discount = None
        return line

    def set_line_discount(self, index: int, discount: Discount | None) -> None:
        """Set or clear the discount of one line."""
        line = self.line(index)
        if line.is_return and discount is not None:
            raise DiscountError("A return gives back what was paid: it takes no discount")
        candidate = replace(line, discount=discount)
        lines = [*self.lines]
        lines[index] = candidate
        self._check_bounded(lines, self.discount)
        self.lines[index] = candidate

    def set_line_price(self, index: int, unit_price_cents: int) -> None:
        """Override one line's unit price (a discount larger than the new price is refused)."""
        if unit_price_cents < 0:
            raise CartError("A price cannot be negative")
        line = self.line(index)
        candidate = replace(line, unit_price_cents=unit_price_cents)
        lines = [*self.lines]
        lines[index] = candidate
        self._check_bounded(lines, self.discount)
        self.lines[index] = candidate

    def set_cart_discount(self, discount: Discount | None) -> None:
        """Set or clear the discount on the whole sale."""
        if discount is not None and not self.lines:
            raise CartError("The sale is empty")
        self._check_bounded(self.lines, discount)
        self.discount = discount

    # -- derived -----------------------------------------------------------------
    def totals(self) -> CartTotals:
        """Subtotal, discounts, tax per code and total, always consistent."""
        key = (
            tuple(self.lines),
            self.discount,
            self.promotions,
            self.audiences,
            self.taxes,
            self.prices_include_tax,
        )
        # Identity first: tuples compare their items with ``is`` before ``==``.
        if self._memo is not None and self._memo[0] == key:
            return self._memo[1]
        promotions = tuple(p for p in self.promotions if p.reaches(self.audiences))
        totals = compute_totals(
            self.lines, self.discount, self.taxes, self.prices_include_tax, promotions
        )
        self._memo = (key, totals)
        return totals

    @property
    def is_empty(self) -> bool:
        """True when the cart has no lines."""
        return not self.lines

    # -- persistence as plain data (suspend/resume, crash journal) ----------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot of the cart."""
        data = self._snapshot()
        if self.audiences:  # only when used: older snapshots stay as they were
            data["audiences"] = sorted(self.audiences)
        if self.coupon:
            data["coupon"] = self.coupon
        return data

    def _snapshot(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "discount": discount_to_dict(self.discount),
            "voided_lines": self.voided_lines,
            "customer_id": self.customer_id,
            "lines": [line_to_dict(ln) for ln in self.lines],
        }

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], taxes: dict[str, TaxRate], *, prices_include_tax: bool
    ) -> Cart:
        """Rebuild a cart from :meth:`to_dict` output, re-checking every line."""
        cart = cls(taxes, prices_include_tax=prices_include_tax)
        cart.uuid = str(data["uuid"])
        cart.voided_lines = int(data.get("voided_lines", 0))
        customer = data.get("customer_id")
        cart.customer_id = None if customer is None else int(customer)
        cart.audiences = frozenset(str(a) for a in data.get("audiences", ()))
        for raw in data["lines"]:
            cart.add(line_from_dict(raw))
        cart.set_cart_discount(discount_from_dict(data.get("discount")))
        cart.coupon = data.get("coupon") or None
        return cart

    # -- internals ---------------------------------------------------------------
    def line(self, index: int) -> CartLine:
        """The line at ``index`` (CartError when the sale is empty or there is none)."""
        if not self.lines:
            raise CartError("The sale is empty")
        if not 0 <= index < len(self.lines):
            raise CartError("No line selected")
        return self.lines[index]

    def _check_bounded(self, lines: list[CartLine], discount: Discount | None) -> None:
        totals = compute_totals(
            lines, discount, self.taxes, self.prices_include_tax, self.promotions
        )
        if abs(totals.total_cents) > MAX_AMOUNT_CENTS:
            raise CartError(f"Sale total would exceed {format_money(MAX_AMOUNT_CENTS)}")
