"""Cash in the drawer: movements outside sales, and the count at the Z close."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from tui_pos.domain.card_numbers import refuse_card_number
from tui_pos.domain.errors import DomainError
from tui_pos.domain.money import format_money, parse_money

CashKind = Literal["float", "in", "out"]

#: Most pieces of one denomination a count accepts (a typo guard, not a real limit).
MAX_PIECES = 100_000

#: The longest reason text kept with a cash movement.
MAX_REASON = 80


class CashError(DomainError):
    """A cash amount, reason or count that cannot be used."""


@dataclass(frozen=True)
class Denomination:
    """A note or coin, by value."""

    cents: int

    @property
    def label(self) -> str:
        """How the count screen names it: ``20.00``."""
        return format_money(self.cents)


def denominations(texts: Sequence[str]) -> tuple[Denomination, ...]:
    """The configured notes and coins, largest first, each once."""
    values = sorted({parse_money(t) for t in texts}, reverse=True)
    if not values or values[-1] <= 0:
        raise CashError("Denominations must be amounts above zero")
    return tuple(Denomination(v) for v in values)


def parse_pieces(text: str) -> int:
    """How many notes or coins of one kind: a whole number (empty = 0)."""
    cleaned = text.strip()
    if not cleaned:
        return 0
    if not cleaned.isascii() or not cleaned.isdigit():
        raise CashError(f"Count pieces as a whole number, not {cleaned[:12]!r}")
    pieces = int(cleaned)
    if pieces > MAX_PIECES:
        raise CashError(f"{pieces} pieces of one kind is not a real count")
    return pieces


def count_total(counts: Mapping[Denomination, int]) -> int:
    """The counted cash: value x pieces summed."""
    return sum(d.cents * pieces for d, pieces in counts.items())


def parse_amount(kind: CashKind, amount_text: str) -> int:
    """A cash movement's amount: above zero, except a float which may be 0."""
    amount = parse_money(amount_text)
    if amount < 0 or (amount == 0 and kind != "float"):
        raise CashError("The amount must be above zero")
    return amount


def parse_movement(kind: CashKind, amount_text: str, reason: str) -> tuple[int, str]:
    """A cash movement's amount (see :func:`parse_amount`) and reason (needed for cash in
    and out)."""
    amount = parse_amount(kind, amount_text)
    reason = " ".join(reason.split())
    if kind != "float" and not reason:
        raise CashError("Say why: a reason is needed for cash in or out")
    refuse_card_number(reason, "reason")
    return amount, reason[:MAX_REASON]
