"""Quantities in thousandths of a unit: 3 pieces = 3000, 0.512 kg = 512 (grams).

One integer representation for counted and weighed goods keeps line arithmetic exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from tui_pos.domain.errors import QuantityError

Unit = Literal["each", "kg"]
UNITS: tuple[Unit, ...] = ("each", "kg")

ONE = 1000

_NUMBER = re.compile(r"^(?P<int>\d{1,7})(?:[.,](?P<frac>\d{1,3}))?$")


@dataclass(frozen=True)
class QuantityLimits:
    """Bounds a sale line's quantity must stay within (from ``[barcodes]`` in config)."""

    max_each: int = 999
    max_weight_grams: int = 100_000


def parse_quantity(text: str, unit: Unit, limits: QuantityLimits) -> int:
    """Parse a typed quantity for ``unit`` into thousandths.

    Pieces must be whole numbers in 1..``max_each``; weights are kilograms with up to
    three decimals in (0, ``max_weight_grams``]. A number of eight or more digits is
    refused as a barcode typed into the quantity.
    """
    cleaned = text.strip()
    digits = cleaned.replace(".", "").replace(",", "")
    if digits.isdigit() and len(digits) >= 8:
        raise QuantityError(f"{cleaned} looks like a barcode, not a quantity")
    match = _NUMBER.match(cleaned)
    if match is None:
        raise QuantityError(f"Not a quantity: {cleaned!r}")
    whole = int(match.group("int"))
    frac = match.group("frac")
    if unit == "each":
        if frac is not None and int(frac) != 0:
            raise QuantityError(f"Quantity must be a whole number of pieces, got {cleaned}")
        if whole == 0:
            raise QuantityError("Quantity must be at least 1")
        if whole > limits.max_each:
            raise QuantityError(f"Quantity {whole} is above the limit of {limits.max_each}")
        return whole * ONE
    grams = whole * ONE + int((frac or "").ljust(3, "0"))
    return check_weight(grams, limits)


def check_weight(grams: int, limits: QuantityLimits) -> int:
    """Return ``grams`` if it is a sellable weight, else raise QuantityError."""
    if grams <= 0:
        raise QuantityError("Weight must be more than 0 kg")
    if grams > limits.max_weight_grams:
        raise QuantityError(
            f"Weight {format_quantity(grams, 'kg')} is above the limit of "
            f"{format_quantity(limits.max_weight_grams, 'kg')}"
        )
    return grams


def format_quantity(milli: int, unit: Unit) -> str:
    """``3000, each`` -> ``3``; ``512, kg`` -> ``0.512 kg``; returns are negative."""
    if milli < 0:
        return "-" + format_quantity(-milli, unit)
    if unit == "kg":
        whole, frac = divmod(milli, ONE)
        return f"{whole}.{frac:03d} kg"
    whole, frac = divmod(milli, ONE)
    return str(whole) if frac == 0 else f"{whole}.{frac:03d}".rstrip("0")
