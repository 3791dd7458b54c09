"""Tests for quantities in thousandths: pieces and kilograms."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_pos.domain.errors import DomainError, QuantityError
from tui_pos.domain.quantity import (
    ONE,
    QuantityLimits,
    check_weight,
    format_quantity,
    parse_quantity,
)

LIMITS = QuantityLimits()  # max_each=999, max_weight_grams=100_000


def test_default_limits() -> None:
    assert LIMITS.max_each == 999
    assert LIMITS.max_weight_grams == 100_000
    assert ONE == 1000


# -- pieces ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "milli"),
    [
        ("1", 1000),
        ("3", 3000),
        (" 12 ", 12000),
        ("2.0", 2000),
        ("2,000", 2000),
        ("007", 7000),
        ("999", 999_000),
    ],
)
def test_parse_each_accepts(text: str, milli: int) -> None:
    assert parse_quantity(text, "each", LIMITS) == milli


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "at least 1"),
        ("0.000", "at least 1"),
        ("1.5", "whole number"),
        ("2,25", "whole number"),
        ("0.001", "whole number"),
        ("1000", "above the limit"),
        ("1234567", "above the limit"),
        ("", "Not a quantity"),
        ("   ", "Not a quantity"),
        ("abc", "Not a quantity"),
        ("-1", "Not a quantity"),
        ("1.2345", "Not a quantity"),
        ("1e3", "Not a quantity"),
        ("2x", "Not a quantity"),
    ],
)
def test_parse_each_refuses(text: str, message: str) -> None:
    with pytest.raises(QuantityError, match=message):
        parse_quantity(text, "each", LIMITS)


def test_parse_each_respects_configured_limit() -> None:
    limits = QuantityLimits(max_each=5)
    assert parse_quantity("5", "each", limits) == 5000
    with pytest.raises(QuantityError, match="limit of 5"):
        parse_quantity("6", "each", limits)


# -- kilograms ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("0.512", 512),
        ("0,512", 512),
        ("1", 1000),
        ("1.5", 1500),
        ("1,25", 1250),
        ("0.001", 1),
        ("2.05", 2050),
        ("100", 100_000),
        ("100.000", 100_000),
        (" 0.3 ", 300),
    ],
)
def test_parse_kg_accepts(text: str, grams: int) -> None:
    assert parse_quantity(text, "kg", LIMITS) == grams


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "more than 0"),
        ("0.000", "more than 0"),
        ("100.001", "above the limit"),
        ("101", "above the limit"),
        ("0.0005", "Not a quantity"),
        ("", "Not a quantity"),
        ("kg", "Not a quantity"),
        ("-0.5", "Not a quantity"),
        ("1.2.3", "Not a quantity"),
    ],
)
def test_parse_kg_refuses(text: str, message: str) -> None:
    with pytest.raises(QuantityError, match=message):
        parse_quantity(text, "kg", LIMITS)


def test_parse_kg_limit_message_shows_kilograms() -> None:
    with pytest.raises(QuantityError, match=r"100\.001 kg is above the limit of 100\.000 kg"):
        parse_quantity("100.001", "kg", LIMITS)


def test_check_weight() -> None:
    assert check_weight(1, LIMITS) == 1
    assert check_weight(100_000, LIMITS) == 100_000
    for bad in (0, -1, 100_001):
        with pytest.raises(QuantityError):
            check_weight(bad, LIMITS)


# -- barcodes typed into the quantity ----------------------------------------------


@pytest.mark.parametrize("unit", ["each", "kg"])
@pytest.mark.parametrize(
    "text",
    ["12345678", "4006381333931", "96385074", "1234567.8", "1234,5678", "00000001"],
)
def test_eight_or_more_digits_look_like_a_barcode(text: str, unit: str) -> None:
    with pytest.raises(QuantityError, match="looks like a barcode"):
        parse_quantity(text, unit, LIMITS)  # type: ignore[arg-type]


@pytest.mark.parametrize("unit", ["each", "kg"])
def test_seven_digits_are_not_a_barcode(unit: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity("1234567", unit, LIMITS)  # type: ignore[arg-type]
    assert "barcode" not in str(info.value)
    assert "above the limit" in str(info.value)


def test_quantity_error_is_a_domain_error() -> None:
    with pytest.raises(DomainError):
        parse_quantity("0", "each", LIMITS)


@settings(max_examples=200)
@given(st.integers(1, 999))
def test_parse_each_round_trips(n: int) -> None:
    milli = parse_quantity(str(n), "each", LIMITS)
    assert milli == n * ONE
    assert format_quantity(milli, "each") == str(n)


@settings(max_examples=200)
@given(st.integers(1, 100_000))
def test_parse_kg_round_trips(grams: int) -> None:
    text = format_quantity(grams, "kg").removesuffix(" kg")
    assert parse_quantity(text, "kg", LIMITS) == grams


# -- format_quantity ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("milli", "unit", "text"),
    [
        (3000, "each", "3"),
        (1000, "each", "1"),
        (999_000, "each", "999"),
        (1500, "each", "1.5"),
        (1250, "each", "1.25"),
        (512, "kg", "0.512 kg"),
        (1, "kg", "0.001 kg"),
        (1000, "kg", "1.000 kg"),
        (1500, "kg", "1.500 kg"),
        (100_000, "kg", "100.000 kg"),
    ],
)
def test_format_quantity(milli: int, unit: str, text: str) -> None:
    assert format_quantity(milli, unit) == text  # type: ignore[arg-type]
