"""Money as integer minor units ("cents"): parsing, formatting, rounding, allocation.

Money never passes through float. Decimal appears only while parsing text and applying
rates, and is quantised once with an explicit rounding mode (half up, away from zero).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from tui_pos.domain.errors import MoneyError

#: The largest amount the till accepts anywhere (10 million in major units): a guard
#: against a barcode typed into an amount field, far above any real basket.
MAX_AMOUNT_CENTS = 1_000_000_000

_AMOUNT = re.compile(r"^(?P<int>\d{1,8})(?:[.,](?P<frac>\d{1,2}))?$")


def div_round(numerator: int, denominator: int) -> int:
    """Integer division rounded half away from zero (commercial rounding)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return sign * quotient


def parse_money(text: str) -> int:
    """Parse ``"2.49"``, ``"2,49"``, ``"2"`` or ``"2.5"`` into minor units (249, 249, 200, 250).

    Raises MoneyError with a cashier-readable message for anything else, for negative
    amounts, and for amounts above :data:`MAX_AMOUNT_CENTS`.
    """
    cleaned = text.strip()
    match = _AMOUNT.match(cleaned)
    if match is None:
        shown = cleaned if len(cleaned) <= 20 else cleaned[:19] + "…"
        raise MoneyError(f"Not an amount: {shown!r} (type it like 12.50)")
    frac = (match.group("frac") or "").ljust(2, "0")
    cents = int(match.group("int")) * 100 + int(frac)
    if cents > MAX_AMOUNT_CENTS:
        raise MoneyError(f"Amount too large: {cleaned}")
    return cents


def decimal_to_cents(amount: Decimal) -> int:
    """Convert a Decimal amount in major units to minor units, rounding half up once."""
    try:
        return int((amount * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    except InvalidOperation as exc:
        raise MoneyError(f"Not an amount: {amount}") from exc


def format_money(cents: int, currency: str | None = None) -> str:
    """Format minor units as ``1,234.50`` (with ``currency`` appended when given)."""
    sign = "-" if cents < 0 else ""
    major, minor = divmod(abs(cents), 100)
    text = f"{sign}{major:,}.{minor:02d}"
    return f"{text} {currency}" if currency else text


def percent_of(amount_cents: int, percent_bp: int) -> int:
    """``percent_bp`` basis points (1000 = 10 %) of an amount, rounded half up."""
    return div_round(amount_cents * percent_bp, 10_000)


def round_to_step(cents: int, step: int) -> int:
    """Round to the nearest multiple of ``step`` minor units, ties away from zero.

    This is cash ("Swedish") rounding: step 5 gives 1001 -> 1000, 1003 -> 1005,
    1008 -> 1010. A step of 1 changes nothing.
    """
    if step <= 1:
        return cents
    return div_round(cents, step) * step


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` over ``weights`` proportionally; the parts always sum to ``total``.

    Largest-remainder method: each part is floored, then the cents left over go to the
    parts with the largest remainders (earliest first on ties). Weights must be >= 0 and
    ``total`` must be >= 0.
    """
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("allocate() needs non-negative amounts")
    weight_sum = sum(weights)
    if not weights:
        if total:
            raise ValueError("cannot allocate an amount over no parts")
        return []
    if weight_sum == 0:
        if total:
            raise ValueError("cannot allocate an amount over zero weights")
        return [0] * len(weights)
    parts = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        parts[i] += 1
    return parts
