"""Tests for money in integer cents: parsing, formatting, rounding, allocation."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_pos.domain.errors import DomainError, MoneyError
from tui_pos.domain.money import (
    MAX_AMOUNT_CENTS,
    allocate,
    div_round,
    format_money,
    parse_money,
    percent_of,
    round_to_step,
)

# -- parse_money -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("2.49", 249),
        ("2,49", 249),
        ("2", 200),
        ("2.5", 250),
        ("2,5", 250),
        ("0.05", 5),
        ("0", 0),
        ("0.00", 0),
        ("12.50", 1250),
        ("  7.10  ", 710),
        ("007", 700),
        ("10000000", MAX_AMOUNT_CENTS),
        ("10000000.00", MAX_AMOUNT_CENTS),
    ],
)
def test_parse_money_accepts(text: str, cents: int) -> None:
    assert parse_money(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\t\n",
        "abc",
        "-1",
        "-0.50",
        "+1",
        "1.234",
        "1e3",
        "1.",
        ".5",
        "1,000.00",
        "1 000",
        "12.5.0",
        "€5",
        "5€",
        "10000000.01",  # one cent above the maximum
        "99999999.99",
        "123456789",  # nine integer digits: a barcode, not money
        "4006381333931",
    ],
)
def test_parse_money_refuses(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_money(text)


def test_money_error_is_a_domain_error_with_a_readable_message() -> None:
    with pytest.raises(DomainError, match="Not an amount"):
        parse_money("abc")
    with pytest.raises(MoneyError, match="too large"):
        parse_money("99999999")


def test_parse_money_message_truncates_long_input() -> None:
    with pytest.raises(MoneyError) as info:
        parse_money("x" * 200)
    assert "x" * 21 not in str(info.value)
    assert "…" in str(info.value)


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=MAX_AMOUNT_CENTS))
def test_parse_money_round_trips_format_without_separators(cents: int) -> None:
    major, minor = divmod(cents, 100)
    assert parse_money(f"{major}.{minor:02d}") == cents
    assert parse_money(f"{major},{minor:02d}") == cents
    assert parse_money(format_money(cents).replace(",", "")) == cents


# -- format_money ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (99, "0.99"),
        (100, "1.00"),
        (249, "2.49"),
        (123450, "1,234.50"),
        (100000000, "1,000,000.00"),
        (MAX_AMOUNT_CENTS, "10,000,000.00"),
        (-5, "-0.05"),
        (-249, "-2.49"),
        (-123450, "-1,234.50"),
        (-100000000, "-1,000,000.00"),
    ],
)
def test_format_money(cents: int, text: str) -> None:
    assert format_money(cents) == text


def test_format_money_with_currency() -> None:
    assert format_money(123450, "EUR") == "1,234.50 EUR"
    assert format_money(-5, "USD") == "-0.05 USD"
    assert format_money(100, None) == "1.00"
    assert format_money(100, "") == "1.00"


# -- div_round ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        (0, 10, 0),
        (4, 10, 0),
        (5, 10, 1),
        (6, 10, 1),
        (14, 10, 1),
        (15, 10, 2),
        (25, 10, 3),
        (-4, 10, 0),
        (-5, 10, -1),
        (-6, 10, -1),
        (-15, 10, -2),
        (-25, 10, -3),
        (1, 3, 0),
        (2, 3, 1),
        (-2, 3, -1),
        (7, 1, 7),
        (-7, 1, -7),
    ],
)
def test_div_round_half_away_from_zero(num: int, den: int, expected: int) -> None:
    assert div_round(num, den) == expected


@pytest.mark.parametrize("den", [0, -1, -10])
def test_div_round_refuses_non_positive_denominator(den: int) -> None:
    with pytest.raises(ValueError):
        div_round(10, den)


@settings(max_examples=300)
@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6))
def test_div_round_is_nearest_and_symmetric(num: int, den: int) -> None:
    q = div_round(num, den)
    # Nearest integer to num/den: |q - num/den| <= 1/2.
    assert abs(2 * (q * den - num)) <= den
    # Ties go away from zero, so the result is odd-symmetric.
    assert div_round(-num, den) == -q


# -- round_to_step -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "step", "expected"),
    [
        # The verified table for step 5.
        (1000, 5, 1000),
        (1001, 5, 1000),
        (1002, 5, 1000),
        (1003, 5, 1005),
        (1004, 5, 1005),
        (1005, 5, 1005),
        (1007, 5, 1005),
        (1008, 5, 1010),
        (-1003, 5, -1005),
        (-1002, 5, -1000),
        # Step 10.
        (1004, 10, 1000),
        (1005, 10, 1010),
        (1009, 10, 1010),
        (-1005, 10, -1010),
        # Step 50.
        (1024, 50, 1000),
        (1025, 50, 1050),
        (1074, 50, 1050),
        (1075, 50, 1100),
        # Step 100.
        (1049, 100, 1000),
        (1050, 100, 1100),
        (1149, 100, 1100),
        (49, 100, 0),
        # Step 1 (and below) changes nothing.
        (1003, 1, 1003),
        (1003, 0, 1003),
        (-7, 1, -7),
    ],
)
def test_round_to_step_table(cents: int, step: int, expected: int) -> None:
    assert round_to_step(cents, step) == expected


@settings(max_examples=300)
@given(
    st.integers(-(10**9), 10**9),
    st.sampled_from([1, 2, 5, 10, 20, 25, 50, 100]) | st.integers(1, 1000),
)
def test_round_to_step_properties(x: int, step: int) -> None:
    r = round_to_step(x, step)
    assert 2 * abs(r - x) <= step
    assert r % step == 0
    assert round_to_step(r, step) == r


# -- allocate ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (100, [1, 1], [50, 50]),
        (100, [1, 1, 1], [34, 33, 33]),
        (2, [1, 1, 1], [1, 1, 0]),
        (10, [3, 7], [3, 7]),
        (10, [0, 5], [0, 10]),
        (0, [3, 4], [0, 0]),
        (0, [0, 0], [0, 0]),
        (0, [], []),
        (5, [1000], [5]),
        (1, [1, 2], [0, 1]),
    ],
)
def test_allocate_examples(total: int, weights: list[int], parts: list[int]) -> None:
    assert allocate(total, weights) == parts


@pytest.mark.parametrize(
    ("total", "weights"),
    [(-1, [1]), (1, [-1, 2]), (1, []), (1, [0, 0])],
)
def test_allocate_refuses(total: int, weights: list[int]) -> None:
    with pytest.raises(ValueError):
        allocate(total, weights)


@settings(max_examples=300)
@given(
    st.integers(0, 10**7),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=20).filter(lambda ws: sum(ws) > 0),
)
def test_allocate_properties(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert part >= 0
        exact = Fraction(total * weight, weight_sum)
        assert abs(part - exact) < 1
        if weight == 0:
            assert part == 0


# -- percent_of --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "bp", "expected"),
    [
        (1000, 1000, 100),
        (1000, 10_000, 1000),
        (1000, 0, 0),
        (999, 550, 55),  # 54.945 -> 55
        (10, 2500, 3),  # 2.5 -> 3 (half up)
        (10, 2400, 2),
        (1, 4999, 0),
        (1, 5000, 1),
        (-10, 2500, -3),
        (12345, 1250, 1543),  # 1543.125
    ],
)
def test_percent_of(amount: int, bp: int, expected: int) -> None:
    assert percent_of(amount, bp) == expected


@settings(max_examples=200)
@given(st.integers(0, 10**9), st.integers(0, 10_000))
def test_percent_of_is_within_half_a_cent_and_bounded(amount: int, bp: int) -> None:
    p = percent_of(amount, bp)
    assert abs(Fraction(p) - Fraction(amount * bp, 10_000)) <= Fraction(1, 2)
    assert 0 <= p <= amount
