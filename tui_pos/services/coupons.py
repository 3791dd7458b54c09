"""Redeeming a personal coupon at the till: checked when it is scanned (known, unused,
valid today, this customer's: the owner is attached when nobody is), then stored once
with the sale."""

from __future__ import annotations

from typing import Protocol

from tui_pos.domain.cart_lines import Discount
from tui_pos.domain.coupons import Coupon, CouponError
from tui_pos.services.customers import Customers
from tui_pos.services.ports import Clock
from tui_pos.services.register import Register


class CouponStore(Protocol):
    """Looks coupons up."""

    def coupon(self, code: str) -> Coupon | None:
        """The coupon with ``code``, None when there is none."""


class Coupons:
    """The till's side of personal coupons."""

    def __init__(self, store: CouponStore, customers: Customers, clock: Clock) -> None:
        self.store = store
        self.customers = customers
        self.clock = clock

    def apply(self, register: Register, code: str) -> str:
        """Put the coupon's discount on the open sale; the message for the cashier."""
        coupon = self.store.coupon(code)
        if coupon is None:
            raise CouponError(f"No coupon {code}")
        coupon.check(register.cart.customer_id, self.clock().astimezone().date())
        if register.cart.customer_id is None:
            self.customers.attach(register, coupon.customer_id)
        percent = coupon.kind == "percent"
        discount = Discount(
            "percent" if percent else "amount", coupon.value * (100 if percent else 1)
        )
        register.apply_coupon(code, discount)
        return f"Coupon {code}: {discount.label} off the sale"
