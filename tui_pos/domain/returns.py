"""Returns: what may still be returned of a sold line, and what a return of it is worth.

A finished sale is never edited. A return is a new sale document whose return lines have
negative quantities and amounts and name the line they return. What was paid for a line
(after its promotion, line and sale discounts) is given back in proportion to the
quantity returned, computed cumulatively: returning a line in several goes gives back
exactly what was paid for it, never a cent more.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_pos.domain.errors import DomainError
from tui_pos.domain.quantity import Unit, format_quantity


class ReturnError(DomainError):
    """A return that cannot be made (more than was sold, nothing left to return...)."""


@dataclass(frozen=True)
class ReturnAmounts:
    """The money of a return line, each a negative amount (or zero)."""

    base_cents: int
    line_discount_cents: int
    cart_discount_cents: int
    promo_discount_cents: int = 0

    @property
    def amount_cents(self) -> int:
        """What the return line gives back (negative)."""
        return self.base_cents - self.line_discount_cents - self.cart_discount_cents


@dataclass(frozen=True)
class ReturnableLine:
    """A line of a stored sale, with how much of it has been returned already."""

    line_id: int
    sale_seq: int
    product_id: int | None
    name: str
    code: str
    unit: Unit
    qty_milli: int
    unit_price_cents: int
    base_cents: int
    line_discount_cents: int
    cart_discount_cents: int
    promo_discount_cents: int
    amount_cents: int
    tax_code: str
    returned_milli: int = 0  #: positive: the quantity returned so far

    @property
    def remaining_milli(self) -> int:
        """What may still be returned."""
        return max(0, self.qty_milli - self.returned_milli)


@dataclass(frozen=True)
class LeftToReturn:
    """A line of a document sold elsewhere as the store server tells it: what was sold
    (quantity and amount paid) and what is left to return."""

    position: int
    code: str
    name: str
    qty_milli: int
    amount_cents: int
    left_milli: int


def _share(total: int, part: int, whole: int) -> int:
    """``total * part / whole`` rounded half away from zero, in integers."""
    num = total * part
    sign = -1 if num < 0 else 1
    q, r = divmod(abs(num), whole)
    return sign * (q + (1 if 2 * r >= whole else 0))


def return_amounts(line: ReturnableLine, qty_milli: int, in_cart_milli: int = 0) -> ReturnAmounts:
    """The (negative) money of returning ``qty_milli`` of ``line``.

    ``in_cart_milli`` is what the open return already takes of this line. Raises
    ReturnError when more would be returned than was sold.
    """
    if qty_milli <= 0:
        raise ReturnError("The quantity to return must be more than 0")
    already = line.returned_milli + in_cart_milli
    left = line.qty_milli - already
    if qty_milli > left:
        unit = line.unit
        if left <= 0:
            raise ReturnError(
                f"{line.name}: all {format_quantity(line.qty_milli, unit)} already returned"
            )
        raise ReturnError(
            f"{line.name}: only {format_quantity(left, unit)} of "
            f"{format_quantity(line.qty_milli, unit)} left to return"
        )
    whole = line.qty_milli

    def part(total: int) -> int:
        return _share(total, already + qty_milli, whole) - _share(total, already, whole)

    return ReturnAmounts(
        base_cents=-part(line.base_cents),
        line_discount_cents=-part(line.line_discount_cents),
        cart_discount_cents=-part(line.cart_discount_cents),
        promo_discount_cents=-part(line.promo_discount_cents),
    )
