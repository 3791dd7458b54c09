"""What the customer's pole display shows at each step of a sale (two short lines)."""

from __future__ import annotations

from tui_pos.domain.cart_lines import CartLine
from tui_pos.domain.money import div_round, format_money
from tui_pos.domain.quantity import ONE, format_quantity

DisplayLines = tuple[str, str]


def _pair(left: str, right: str, width: int) -> str:
    room = max(width - len(right) - 1, 0)
    return f"{left[:room]:<{room}} {right}"[:width]


def welcome(store_name: str, width: int = 20) -> DisplayLines:
    """Between sales."""
    return store_name[:width], "Welcome"[:width]


def item(line: CartLine, width: int = 20) -> DisplayLines:
    """The item just scanned and its amount."""
    amount = format_money(div_round(line.unit_price_cents * line.qty_milli, ONE))
    qty = (
        ""
        if line.qty_milli == ONE and line.unit == "each"
        else format_quantity(line.qty_milli, line.unit)
    )
    return line.name[:width], _pair(qty, amount, width)


def total(total_cents: int, currency: str, width: int = 20) -> DisplayLines:
    """At payment: what is due."""
    return _pair("TOTAL", currency, width), _pair("", format_money(total_cents), width)


def change(paid_cents: int, change_cents: int, width: int = 20) -> DisplayLines:
    """After payment: what was paid and the change."""
    return _pair("PAID", format_money(paid_cents), width), _pair(
        "CHANGE", format_money(change_cents), width
    )
