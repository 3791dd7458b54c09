"""The open sale: lines, discounts and totals.

The cart is plain data plus rules. Totals are always derived, never stored, so they can
not drift: each line's amount is price x quantity (rounded half up once), minus its line
discount, minus its share of the cart discount; the shares are allocated so that the
lines always sum to the total.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

from tui_pos.domain.errors import CartError, DiscountError, MoneyError
from tui_pos.domain.money import (
    MAX_AMOUNT_CENTS,
    allocate,
    div_round,
    format_money,
    parse_money,
    percent_of,
)
from tui_pos.domain.promotions import (
    NO_PROMOTION,
    PromoDiscount,
    PromoLine,
    Promotion,
    apply_promotions,
)
from tui_pos.domain.quantity import ONE, Unit
from tui_pos.domain.returns import ReturnAmounts
from tui_pos.domain.tax import TaxLine, TaxRate, tax_of

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
    damaged count instead of back to stock.
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
        line = self._line(index)
        remaining = self.lines[:index] + self.lines[index + 1 :]
        self._check_bounded(remaining, self.discount if remaining else None)
        del self.lines[index]
        self.voided_lines += 1
        if not self.lines:
            self.discount = None
        return line

    def set_line_discount(self, index: int, discount: Discount | None) -> None:
        """Set or clear the discount of one line."""
        line = self._line(index)
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
        line = self._line(index)
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
            "discount": _discount_dict(self.discount),
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
        cart.set_cart_discount(_discount_from(data.get("discount")))
        cart.coupon = data.get("coupon") or None
        return cart

    # -- internals ---------------------------------------------------------------
    def _line(self, index: int) -> CartLine:
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
        "discount": _discount_dict(ln.discount),
        "category_id": ln.category_id,
        "return_of": ln.return_of,
        "refund": None if ln.refund is None else list(_refund_tuple(ln.refund)),
        "to_stock": ln.to_stock,
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
        discount=_discount_from(raw.get("discount")),
        line_id=str(raw["line_id"]),
        category_id=_int_or_none(raw.get("category_id")),
        return_of=_int_or_none(raw.get("return_of")),
        refund=None if raw.get("refund") is None else ReturnAmounts(*raw["refund"]),
        to_stock=bool(raw.get("to_stock", True)),
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


def _discount_dict(discount: Discount | None) -> dict[str, Any] | None:
    return None if discount is None else {"kind": discount.kind, "value": discount.value}


def _discount_from(raw: Any) -> Discount | None:
    if raw is None:
        return None
    return Discount(raw["kind"], int(raw["value"]))
