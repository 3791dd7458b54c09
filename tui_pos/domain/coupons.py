"""Personal coupons: bound to one customer, valid for some days, redeemed once.

A coupon's code is ``CP`` and 10 characters without look-alikes; redeeming it gives the
sale a discount (percent or amount) like a sale discount. "Once" is decided where the sale
is stored: the redemption row's code is UNIQUE and is checked again inside the sale's
``BEGIN IMMEDIATE`` transaction, so two tills on one database cannot both redeem it (a
store server would arbitrate with the same key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tui_pos.domain.errors import DomainError
from tui_pos.domain.money import format_money

_CODE = re.compile(r"CP[A-HJ-NP-Z2-9]{10}")


class CouponError(DomainError):
    """A coupon that cannot be used here and now (unknown, used, expired, someone else's)."""


def is_coupon_code(text: str) -> bool:
    """Whether ``text`` (as scanned or typed, any case) is a coupon code."""
    return _CODE.fullmatch(text.strip().upper()) is not None


@dataclass(frozen=True)
class Coupon:
    """A stored coupon; ``value`` is a whole percent or minor units."""

    code: str
    customer_id: int
    kind: str  #: "percent" or "amount"
    value: int
    valid_from: date
    valid_to: date | None
    redeemed: bool = False

    @property
    def value_text(self) -> str:
        """What it takes off, e.g. ``10% off`` or ``5.00 off``."""
        return f"{self.value}% off" if self.kind == "percent" else f"{format_money(self.value)} off"

    def check(self, customer_id: int | None, today: date) -> None:
        """Refuse it when used, not valid today, or attached to another customer."""
        if self.redeemed:
            raise CouponError(f"Coupon {self.code} was already redeemed")
        if today < self.valid_from or (self.valid_to is not None and today > self.valid_to):
            raise CouponError(f"Coupon {self.code} is not valid today")
        if customer_id is not None and customer_id != self.customer_id:
            raise CouponError(f"Coupon {self.code} belongs to another customer")
