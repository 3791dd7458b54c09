"""Promotions applied automatically in the cart: a pure function of lines and promotions.

Kinds (``value`` is in the unit the kind needs):
- ``percent``: ``value`` basis points off each eligible line (1000 = 10 %).
- ``amount``: ``value`` cents off per unit (per piece, or per kg for weighed goods),
  never more than the line.
- ``multi_price``: "N for price": every set of ``buy_qty`` eligible pieces costs ``value``
  cents (2 for 5.00).
- ``multi_free``: "buy N pay M": in every set of ``buy_qty`` eligible pieces the
  ``buy_qty - pay_qty`` cheapest are free (3 for 2).
- ``stamp``: a stamp card: each of a customer's visits buying the item (or category)
  is one stamp; on the ``buy_qty``-th visit one piece (the dearest) is free. It applies
  only when the attached customer's audiences hold ``stamp:<id>`` (this visit completes
  the card; the stamps are counted in SQL over their stored sales when they are attached).

A promotion targets one product or one category. Multi-buy counts whole pieces of
eligible lines together (a category's items mix; the most expensive pieces fill the sets
first). Each line gets at most one promotion: the promotions are tried from the largest
total discount down (on a tie the older one, lower id, first), each on the lines no
earlier promotion took; so the result does not depend on the order they are given in.
A line's promotion discount is never more than the line, so no line goes negative.
Order of discounts in the cart: promotions first, then the manual line discount on what
is left, then the sale discount (see :mod:`tui_pos.domain.cart`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from tui_pos.domain.card_numbers import refuse_card_number
from tui_pos.domain.errors import DomainError
from tui_pos.domain.money import allocate, div_round, format_money, percent_of
from tui_pos.domain.quantity import ONE

PromotionKind = Literal["percent", "amount", "multi_price", "multi_free", "stamp"]
PROMOTION_KINDS: tuple[PromotionKind, ...] = (
    "percent",
    "amount",
    "multi_price",
    "multi_free",
    "stamp",
)


class PromotionError(DomainError):
    """A promotion that cannot be defined (bad value, no target, dates reversed...)."""


#: The audience of a customer whose birthday month is the current month.
BIRTHDAY_AUDIENCE = "birthday"


def birthday_month(birthday: date | None, today: date) -> bool:
    """Whether ``today`` is in the month of the ``birthday`` (any year)."""
    return birthday is not None and birthday.month == today.month


@dataclass(frozen=True)
class Promotion:
    """One promotion rule; ``product_id`` or ``category_id`` says what it applies to."""

    id: int
    name: str
    kind: PromotionKind
    value: int
    product_id: int | None = None
    category_id: int | None = None
    buy_qty: int = 0
    pay_qty: int = 0
    starts_on: date = date.min
    ends_on: date | None = None
    tier: str = ""  #: only when a customer of this tier is attached ("" = everybody)
    segment: str = ""  #: only when a member of this saved segment is attached
    birthday: bool = False  #: only when the attached customer's birthday month is now

    def __post_init__(self) -> None:
        check_promotion(self)

    @property
    def audience(self) -> str:
        """Who it is for: ``tier:Gold``, ``segment:lapsed``, ``birthday``, or "" for
        everybody."""
        if self.kind == "stamp":
            return f"stamp:{self.id}"
        if self.birthday:
            return BIRTHDAY_AUDIENCE
        if self.tier:
            return f"tier:{self.tier}"
        return f"segment:{self.segment}" if self.segment else ""

    def reaches(self, audiences: frozenset[str]) -> bool:
        """True when it is for everybody, or for a tier or segment the customer is in."""
        return not self.audience or self.audience in audiences

    @property
    def reason(self) -> str:
        """What the cart line and the receipt show: the name, and for a targeted promotion
        why the line got it (``Coffee week (Gold members)``, ``Cake (birthday)``)."""
        if self.kind == "stamp":
            return f"{self.name} (stamp {self.buy_qty} of {self.buy_qty}: free)"
        if self.birthday:
            return f"{self.name} (birthday)"
        if self.tier:
            return f"{self.name} ({self.tier} members)"
        return f"{self.name} (segment {self.segment})" if self.segment else self.name

    def active_on(self, day: date) -> bool:
        """True when ``day`` is within the promotion's dates (both ends included)."""
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def applies_to(self, line: PromoLine) -> bool:
        """True when ``line`` is the product or in the category of the promotion."""
        if self.product_id is not None:
            return line.product_id == self.product_id
        return line.category_id is not None and line.category_id == self.category_id

    @property
    def label(self) -> str:
        """What the promotion does, e.g. ``10% off``, ``3 for 2``, ``2 for 5.00``."""
        if self.kind == "percent":
            return format_money(self.value).removesuffix(".00") + "% off"
        if self.kind == "amount":
            return f"{format_money(self.value)} off"
        if self.kind == "multi_price":
            return f"{self.buy_qty} for {format_money(self.value)}"
        if self.kind == "stamp":
            return f"stamp card: one free every {self.buy_qty} visits"
        return f"{self.buy_qty} for {self.pay_qty}"


def check_promotion(promo: Promotion) -> None:
    """Refuse a promotion that could not be applied sensibly (PromotionError)."""
    if not promo.name.strip() or len(promo.name) > 80:
        raise PromotionError("A promotion needs a name of 1-80 characters")
    refuse_card_number(promo.name, "promotion's name")
    if (promo.product_id is None) == (promo.category_id is None):
        raise PromotionError("A promotion applies to one item or one category")
    if promo.kind == "percent" and not 0 < promo.value <= 10_000:
        raise PromotionError("A percent promotion must be more than 0% and at most 100%")
    if promo.kind == "amount" and promo.value <= 0:
        raise PromotionError("An amount off must be more than 0")
    if promo.kind == "multi_price" and (promo.buy_qty < 2 or promo.value < 0):
        raise PromotionError("'N for price' needs N of at least 2 and a price")
    if promo.kind == "multi_free" and not 0 < promo.pay_qty < promo.buy_qty:
        raise PromotionError("'Buy N pay M' needs M of at least 1 and less than N")
    if promo.kind == "stamp" and promo.buy_qty < 2:
        raise PromotionError("A stamp card needs --buy N (the Nth visit is free) of at least 2")
    if promo.kind == "stamp" and (promo.tier or promo.segment or promo.birthday):
        raise PromotionError("A stamp card is for every customer: no tier, segment or birthday")
    if sum((bool(promo.tier), bool(promo.segment), promo.birthday)) > 1:
        raise PromotionError("A promotion is for a tier, a segment or birthdays, not two")
    if len(promo.tier) > 40 or len(promo.segment) > 40:
        raise PromotionError("A tier or segment name is at most 40 characters")
    if promo.kind not in PROMOTION_KINDS:
        raise PromotionError(f"Unknown promotion kind {promo.kind!r}")


@dataclass(frozen=True)
class PromoLine:
    """What a promotion looks at on a cart line."""

    product_id: int
    category_id: int | None
    unit: str
    unit_price_cents: int
    qty_milli: int
    base_cents: int


@dataclass(frozen=True)
class PromoDiscount:
    """The promotion given to one line (``cents`` 0 and ``name`` empty: none)."""

    cents: int = 0
    name: str = ""


NO_PROMOTION = PromoDiscount()


def apply_promotions(
    lines: Sequence[PromoLine], promotions: Sequence[Promotion]
) -> list[PromoDiscount]:
    """The promotion discount of each line (see the module docstring for the rules)."""
    result = [NO_PROMOTION] * len(lines)
    free = set(range(len(lines)))
    pending = list(promotions)
    while pending and free:
        best: tuple[int, Promotion, dict[int, int]] | None = None
        for promo in pending:
            shares = _discounts(promo, lines, free)
            total = sum(shares.values())
            if total > 0 and (
                best is None or (total, -promo.id) > (best[0], -best[1].id)
            ):  # the larger discount wins; on a tie the older promotion (lower id)
                best = (total, promo, shares)
        if best is None:
            break
        _, promo, shares = best
        pending.remove(promo)
        for index, cents in shares.items():
            if cents > 0:
                result[index] = PromoDiscount(cents, promo.reason)
                free.discard(index)
    return result


def _discounts(promo: Promotion, lines: Sequence[PromoLine], free: set[int]) -> dict[int, int]:
    eligible = [i for i in sorted(free) if promo.applies_to(lines[i]) and lines[i].base_cents > 0]
    if promo.kind == "percent":
        return {i: percent_of(lines[i].base_cents, promo.value) for i in eligible}
    if promo.kind == "amount":
        return {
            i: min(lines[i].base_cents, div_round(promo.value * lines[i].qty_milli, ONE))
            for i in eligible
        }
    pieces = [i for i in eligible if lines[i].unit != "kg" and lines[i].qty_milli >= ONE]
    if promo.kind == "stamp":
        if not pieces:
            return {}
        dearest = max(pieces, key=lambda i: (lines[i].unit_price_cents, -i))
        return {dearest: min(lines[dearest].unit_price_cents, lines[dearest].base_cents)}
    return _multi_buy(promo, lines, [i for i in eligible if lines[i].unit != "kg"])


class StampTally(NamedTuple):
    """A customer's stamp card, net of returns: the visits that bought a piece of the
    card's item (or category) and kept at least one, and of them the visits that got the
    free piece and kept it. A return takes a visit's stamp back only when nothing it
    stamped is left; a free piece is the last of its line to go back."""

    visits: int
    free: int


def stamp_completes(tally: StampTally, every: int) -> bool:
    """Whether the next stamped visit is the free one: the current card (stamps not yet
    spent on a free piece) holds ``every - 1`` (or more, when a free piece was missed)."""
    return every > 0 and tally.visits - every * tally.free >= every - 1


def stamps_on_card(tally: StampTally, every: int, free_now: bool) -> int:
    """Stamps on the current card after a visit: ``every`` when that visit got the free
    piece; else the stamps not yet spent on a free piece (0 when returns took back stamps
    already spent)."""
    if every <= 0:
        return 0
    if free_now:
        return every
    return min(max(tally.visits - every * tally.free, 0), every - 1)


def _multi_buy(promo: Promotion, lines: Sequence[PromoLine], eligible: list[int]) -> dict[int, int]:
    # Whole pieces of every eligible line, dearest first, fill sets of buy_qty.
    pieces = sorted(
        (lines[i].unit_price_cents for i in eligible for _ in range(lines[i].qty_milli // ONE)),
        reverse=True,
    )
    n = promo.buy_qty
    discount = 0
    for start in range(0, len(pieces) - len(pieces) % n, n):
        group = pieces[start : start + n]
        if promo.kind == "multi_price":
            discount += max(0, sum(group) - promo.value)
        else:
            discount += sum(sorted(group)[: n - promo.pay_qty])
    if discount == 0:
        return {}
    bases = [lines[i].base_cents for i in eligible]
    discount = min(discount, sum(bases))
    return dict(zip(eligible, allocate(discount, bases), strict=True))
