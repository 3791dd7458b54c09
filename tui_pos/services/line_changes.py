"""Changing the open sale's lines and its discount: the register's edit use cases.

A mixin of :class:`tui_pos.services.register.Register` (the sale's state lives there).
Voiding a line, a price override and a discount above the till's limit are gated: each
takes the approval the screen collected and its authorizer refuses (and audits) what the
roles in it may not do.
"""

from __future__ import annotations

from collections.abc import Callable

from tui_pos.domain.cart import Cart
from tui_pos.domain.cart_lines import CartLine, Discount
from tui_pos.domain.cart_totals import CartTotals
from tui_pos.domain.errors import CartError
from tui_pos.domain.money import div_round, parse_money
from tui_pos.domain.staff import Action, Approval
from tui_pos.services.permissions import Authorizer


class LineChanges:
    """Void a line, discount a line or the sale, override a price, apply a coupon."""

    # The register's state, set by its constructor.
    cart: Cart
    auth: Authorizer
    totals: Callable[[], CartTotals]
    _change: Callable[..., None]
    _drop_claims: Callable[[list[CartLine]], None]

    def void_line(self, index: int, approval: Approval | None = None) -> CartLine:
        """Remove one line; ``approval`` must cover VOID_LINE (PermissionDenied otherwise)."""
        name = self.cart.line(index).name
        self.auth.authorize(Action.VOID_LINE, approval, f"void {name}")
        removed: list[CartLine] = []
        self._change(lambda: removed.append(self.cart.void_line(index)))
        self._drop_claims(removed)
        return removed[0]

    def set_line_discount(self, index: int, text: str, approval: Approval | None = None) -> None:
        """Discount one line: ``10%`` or ``1.50``; an empty text removes the discount. Above
        the discount limit ``approval`` must cover DISCOUNT_OVER_LIMIT."""
        discount = Discount.parse(text) if text.strip() else None
        name = self.cart.line(index).name
        self._check_discount(text, index, approval, f"discount on {name}: {text.strip()}")
        self._change(lambda: self.cart.set_line_discount(index, discount))

    def discount_share_bp(self, text: str, index: int | None = None) -> int:
        """How large a discount is, in basis points of what it applies to (line ``index``
        or the whole sale), to check it against the staff limit. Changes nothing."""
        if not text.strip():
            return 0
        discount = Discount.parse(text)
        if discount.kind == "percent":
            return discount.value
        base = (
            self.cart.lines[index].base_cents if index is not None else self.totals().subtotal_cents
        )
        return 10_000 if base <= 0 else div_round(discount.value * 10_000, base)

    def _check_discount(
        self, text: str, index: int | None, approval: Approval | None, detail: str
    ) -> None:
        """A discount above the limit needs DISCOUNT_OVER_LIMIT (PermissionDenied); an empty
        sale is refused as such by the cart (the input check comes first)."""
        if self.cart.is_empty:
            return
        if self.auth.discount_over_limit(self.discount_share_bp(text, index)):
            self.auth.authorize(Action.DISCOUNT_OVER_LIMIT, approval, detail)

    def set_line_price(self, index: int, text: str, approval: Approval | None = None) -> None:
        """Override the unit price of one line (``2.49``; 0 makes it free); ``approval`` must
        cover PRICE_OVERRIDE (PermissionDenied otherwise)."""
        price = parse_money(text)
        name = self.cart.line(index).name
        self.auth.authorize(Action.PRICE_OVERRIDE, approval, f"price of {name}: {text.strip()}")
        self._change(lambda: self.cart.set_line_price(index, price))

    def set_cart_discount(self, text: str, approval: Approval | None = None) -> None:
        """Discount the whole sale: ``10%`` or ``5.00``; an empty text removes it. Above the
        discount limit ``approval`` must cover DISCOUNT_OVER_LIMIT."""
        if self.cart.coupon:
            raise CartError(
                f"Coupon {self.cart.coupon} is the sale discount: void the sale to drop it"
            )
        discount = Discount.parse(text) if text.strip() else None
        self._check_discount(text, None, approval, f"sale discount: {text.strip()}")
        self._change(lambda: self.cart.set_cart_discount(discount))

    def apply_coupon(self, code: str, discount: Discount) -> None:
        """Give the sale a coupon's discount (as its sale discount; one coupon a sale)."""
        if self.cart.coupon:
            raise CartError(f"Coupon {self.cart.coupon} is already on this sale")
        if self.cart.discount is not None:
            raise CartError("The sale has a discount already: remove it to use the coupon")

        def apply() -> None:
            self.cart.set_cart_discount(discount)
            self.cart.coupon = code

        self._change(apply)
