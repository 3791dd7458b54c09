"""What the customer display shows at each step (services.customer_display)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui_pos.domain.cart import CartLine
from tui_pos.services import customer_display


def _line(name: str, price: int, qty: int, unit: str = "each") -> CartLine:
    return CartLine(1, name, "kg" if unit == "kg" else "each", price, qty, "A")


def test_item_shows_name_and_amount() -> None:
    assert customer_display.item(_line("Whole Milk 1L", 109, 1000)) == (
        "Whole Milk 1L",
        "                1.09",
    )
    assert customer_display.item(_line("Loaf", 149, 3000)) == ("Loaf", "3               4.47")
    assert customer_display.item(_line("Bananas", 129, 512, "kg")) == (
        "Bananas",
        "0.512 kg        0.66",
    )


def test_total_change_and_welcome() -> None:
    assert customer_display.total(1285, "EUR") == ("TOTAL            EUR", "               12.85")
    assert customer_display.change(2000, 715) == ("PAID           20.00", "CHANGE          7.15")
    assert customer_display.welcome("Corner Shop") == ("Corner Shop", "Welcome")


@given(st.text(max_size=60), st.integers(0, 10**9), st.integers(1, 999_000))
def test_lines_never_exceed_the_display(name: str, price: int, qty: int) -> None:
    for lines in (
        customer_display.item(_line(name, price, qty)),
        customer_display.total(price, "EUR"),
        customer_display.change(price, qty),
    ):
        assert all(len(line) <= 20 for line in lines)
