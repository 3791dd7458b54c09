"""What a cart is made of: products, discounts and lines, and a line's stored form
(the crash journal and parked sales keep lines as plain dicts)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from tui_pos.domain.errors import DiscountError, MoneyError
from tui_pos.domain.money import (
    div_round,
    format_money,
    parse_money,
    percent_of,
)
from tui_pos.domain.quantity import ONE, Unit
from tui_pos.domain.returns import ReturnAmounts

DiscountKind = Literal["percent", "amount"]


@dataclass(frozen=True)
class Product:
    """What the cart needs to know of a catalog item."""

    id: int
    name: str
    price_cents: int
    tax_code: str
    unit: Unit = "each"
    barcode: str | None = None
    plu: str | None = None
    category_id: int | None = None


@dataclass(frozen=True)
class Discount:
    """A discount: ``value`` is basis points for percent (1000 = 10 %), cents for amount."""

    kind: DiscountKind
    value: int

    def __post_init__(self) -> None:
        if self.kind == "percent" and not 0 < self.value <= 10_000:
            raise DiscountError("A percent discount must be more than 0% and at most 100%")
        if self.kind == "amount" and self.value <= 0:
            raise DiscountError("A discount must be more than 0")
        if self.kind not in ("percent", "amount"):
            raise DiscountError(f"Unknown discount kind {self.kind!r}")

    @classmethod
    def parse(cls, text: str) -> Discount:
        """``"10%"`` -> 10 percent; ``"1.50"`` -> 1.50 off. Percent may have 2 decimals."""
        cleaned = text.strip().replace(" ", "")
        if not cleaned:
            raise DiscountError("Type a discount like 10% or 1.50")
        if cleaned.endswith("%"):
            try:
                bp = parse_money(cleaned[:-1])  # same grammar: up to 2 decimals
            except MoneyError as exc:
                raise DiscountError(f"Not a percentage: {cleaned!r}") from exc
            return cls("percent", bp)  # the range is checked in __post_init__
        try:
            cents = parse_money(cleaned)
        except MoneyError as exc:
            raise DiscountError(f"Not a discount: {cleaned!r} (type 10% or 1.50)") from exc
        return cls("amount", cents)

    def amount_on(self, base_cents: int) -> int:
        """The discount in cents on ``base_cents``; an amount larger than the base is refused."""
        if self.kind == "percent":
            return percent_of(base_cents, self.value)
        if self.value > base_cents:
            raise DiscountError(
                f"Discount {format_money(self.value)} is more than {format_money(base_cents)}"
            )
        return self.value

    @property
    def label(self) -> str:
        """``10%`` or ``1.50``."""
        if self.kind == "percent":
            return format_money(self.value).removesuffix(".00") + "%"
        return format_money(self.value)


@dataclass(frozen=True)
class CartLine:
    """One line of the open sale. ``qty_milli`` is thousandths (grams for kg items).

    A return line has a negative quantity and carries what it gives back (``refund``):
    with a receipt, what was paid for the sold line it names (``return_of``); without
    one, today's price. ``to_stock`` False sends the goods to the
    damaged count instead of back to stock. ``claim`` is the store server's claim id of
    a line taken back of a document sold elsewhere (stored with the sale: its push
    completes the claim, a voided sale's releases it).
    """

    product_id: int
    name: str
    unit: Unit
    unit_price_cents: int
    qty_milli: int
    tax_code: str
    code: str = ""
    discount: Discount | None = None
    line_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    category_id: int | None = None
    return_of: int | None = None
    refund: ReturnAmounts | None = None
    to_stock: bool = True
    claim: str = ""

    @cached_property  # (the line is immutable; the cart sums these on every scan)
    def base_cents(self) -> int:
        """Price x quantity, rounded half up once (what was paid, for a receipted return)."""
        if self.refund is not None:
            return self.refund.base_cents
        return div_round(self.unit_price_cents * self.qty_milli, ONE)

    @property
    def is_return(self) -> bool:
        """True for a line that takes goods back."""
        return self.qty_milli < 0


def line_to_dict(ln: CartLine) -> dict[str, Any]:
    """One cart line as JSON-ready data (the crash journal appends these one by one)."""
    return {
        "line_id": ln.line_id,
        "product_id": ln.product_id,
        "name": ln.name,
        "unit": ln.unit,
        "unit_price_cents": ln.unit_price_cents,
        "qty_milli": ln.qty_milli,
        "tax_code": ln.tax_code,
        "code": ln.code,
        "discount": discount_to_dict(ln.discount),
        "category_id": ln.category_id,
        "return_of": ln.return_of,
        "refund": None if ln.refund is None else list(_refund_tuple(ln.refund)),
        "to_stock": ln.to_stock,
        "claim": ln.claim,
    }


def line_from_dict(raw: dict[str, Any]) -> CartLine:
    """A cart line from :func:`line_to_dict` output (the cart re-checks it when added)."""
    return CartLine(
        product_id=int(raw["product_id"]),
        name=str(raw["name"]),
        unit=raw["unit"],
        unit_price_cents=int(raw["unit_price_cents"]),
        qty_milli=int(raw["qty_milli"]),
        tax_code=str(raw["tax_code"]),
        code=str(raw.get("code", "")),
        discount=discount_from_dict(raw.get("discount")),
        line_id=str(raw["line_id"]),
        category_id=_int_or_none(raw.get("category_id")),
        return_of=_int_or_none(raw.get("return_of")),
        refund=None if raw.get("refund") is None else ReturnAmounts(*raw["refund"]),
        to_stock=bool(raw.get("to_stock", True)),
        claim=str(raw.get("claim", "")),
    )


def _refund_tuple(refund: ReturnAmounts) -> tuple[int, int, int, int]:
    return (
        refund.base_cents,
        refund.line_discount_cents,
        refund.cart_discount_cents,
        refund.promo_discount_cents,
    )


def _int_or_none(raw: Any) -> int | None:
    return None if raw is None else int(raw)


def discount_to_dict(discount: Discount | None) -> dict[str, Any] | None:
    """A discount as stored with a cart snapshot (None: no discount)."""
    return None if discount is None else {"kind": discount.kind, "value": discount.value}


def discount_from_dict(raw: Any) -> Discount | None:
    """The discount of a stored cart snapshot."""
    if raw is None:
        return None
    return Discount(raw["kind"], int(raw["value"]))
