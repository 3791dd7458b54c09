"""Tests for the cart: lines, discounts, tax per code and totals."""

import json
from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_pos.domain.cart import Cart, CartLine, Discount, LineTotals, compute_totals
from tui_pos.domain.errors import CartError, DiscountError, DomainError
from tui_pos.domain.money import MAX_AMOUNT_CENTS
from tui_pos.domain.tax import TaxRate, tax_of

TAXES = {
    "A": TaxRate("A", "Standard", 2000),
    "B": TaxRate("B", "Reduced", 550),
    "Z": TaxRate("Z", "Zero", 0),
}


def line(
    name: str,
    price: int,
    qty_milli: int = 1000,
    tax_code: str = "A",
    unit: str = "each",
    discount: Discount | None = None,
    product_id: int = 1,
) -> CartLine:
    return CartLine(
        product_id=product_id,
        name=name,
        unit=unit,  # type: ignore[arg-type]
        unit_price_cents=price,
        qty_milli=qty_milli,
        tax_code=tax_code,
        code=f"P{product_id}",
        discount=discount,
    )


def make_cart(*lines: CartLine, include: bool = True) -> Cart:
    cart = Cart(TAXES, prices_include_tax=include)
    for ln in lines:
        cart.add(ln)
    return cart


def grocery_cart(include: bool = True) -> Cart:
    """Bread 2 x 2.49 (B), wine 12.99 (A), apples 0.512 kg x 3.49 (B), stamp 1.20 (Z)."""
    return make_cart(
        line("Bread", 249, 2000, "B", product_id=1),
        line("Wine", 1299, 1000, "A", product_id=2),
        line("Apples", 349, 512, "B", unit="kg", product_id=3),
        line("Stamp", 120, 1000, "Z", product_id=4),
        include=include,
    )


def three_line_cart(include: bool = True) -> Cart:
    """10.00 (A), 5.00 (B), 2.50 (Z): 17.50 in all."""
    return make_cart(
        line("Ten", 1000, tax_code="A", product_id=1),
        line("Five", 500, tax_code="B", product_id=2),
        line("Two fifty", 250, tax_code="Z", product_id=3),
        include=include,
    )


def snapshot(cart: Cart) -> tuple[dict[str, Any], Any]:
    return cart.to_dict(), cart.totals()


def tax_by_code(cart: Cart) -> dict[str, tuple[int, int]]:
    return {t.code: (t.base_cents, t.tax_cents) for t in cart.totals().taxes}


# -- totals on hand-computed examples ----------------------------------------------


def test_line_base_is_price_times_quantity_rounded_half_up() -> None:
    assert line("x", 249, 2000).base_cents == 498
    assert line("x", 349, 512, unit="kg").base_cents == 179  # 178.688
    assert line("x", 1000, 1).base_cents == 1
    assert line("x", 500, 1, unit="kg").base_cents == 1  # 0.5 -> 1
    assert line("x", 499, 1, unit="kg").base_cents == 0  # 0.499 -> 0


def test_totals_prices_including_tax() -> None:
    totals = grocery_cart(include=True).totals()
    assert [lt.base_cents for lt in totals.lines] == [498, 1299, 179, 120]
    assert [lt.amount_cents for lt in totals.lines] == [498, 1299, 179, 120]
    assert totals.subtotal_cents == 2096
    assert totals.discount_cents == 0
    # A: 1299 * 20/120 = 216.5 -> 217; B: 677 * 5.5/105.5 = 35.29 -> 35; Z: 0.
    assert [(t.code, t.rate_bp, t.base_cents, t.tax_cents) for t in totals.taxes] == [
        ("A", 2000, 1299, 217),
        ("B", 550, 677, 35),
        ("Z", 0, 120, 0),
    ]
    assert totals.tax_cents == 252
    assert totals.total_cents == 2096  # tax is inside the prices


def test_totals_prices_excluding_tax() -> None:
    totals = grocery_cart(include=False).totals()
    assert totals.subtotal_cents == 2096
    # A: 1299 * 20% = 259.8 -> 260; B: 677 * 5.5% = 37.235 -> 37; Z: 0.
    assert [(t.code, t.base_cents, t.tax_cents) for t in totals.taxes] == [
        ("A", 1299, 260),
        ("B", 677, 37),
        ("Z", 120, 0),
    ]
    assert totals.tax_cents == 297
    assert totals.total_cents == 2096 + 297


def test_tax_is_rounded_once_per_code_not_per_line() -> None:
    # Each 0.03 line alone would carry 0.5 -> 1 cent of 20 % tax; together 0.06 carries 1.
    cart = make_cart(line("a", 3, tax_code="A"), line("b", 3, tax_code="A"))
    assert tax_by_code(cart) == {"A": (6, 1)}
    cart = make_cart(line("a", 3, tax_code="A"), line("b", 3, tax_code="A"), include=False)
    # 6 * 20 % = 1.2 -> 1, where per line it would be 2 x (0.6 -> 1) = 2.
    assert tax_by_code(cart) == {"A": (6, 1)}
    assert cart.totals().total_cents == 7


def test_tax_of() -> None:
    assert tax_of(1200, 2000, included=True) == 200
    assert tax_of(1000, 2000, included=False) == 200
    assert tax_of(1055, 550, included=True) == 55
    assert tax_of(1000, 0, included=True) == 0
    assert tax_of(1299, 2000, included=True) == 217  # 216.5 half up


def test_tax_rate_label() -> None:
    assert TAXES["A"].label == "20%"
    assert TAXES["B"].label == "5.5%"
    assert TAXES["Z"].label == "0%"
    assert TaxRate("C", "Odd", 1025).label == "10.25%"


def test_empty_cart_totals() -> None:
    cart = make_cart()
    assert cart.is_empty
    totals = cart.totals()
    assert totals.lines == ()
    assert totals.taxes == ()
    assert (totals.subtotal_cents, totals.discount_cents, totals.tax_cents) == (0, 0, 0)
    assert totals.total_cents == 0


# -- line discounts ----------------------------------------------------------------


def test_line_discount_percent() -> None:
    cart = grocery_cart()
    cart.set_line_discount(1, Discount.parse("10%"))  # 10 % of 12.99 = 1.299 -> 1.30
    totals = cart.totals()
    assert totals.lines[1] == LineTotals(1299, 130, 0)
    assert totals.lines[1].amount_cents == 1169
    assert totals.subtotal_cents == 2096
    assert totals.discount_cents == 130
    assert totals.total_cents == 1966
    # A: 1169 / 6 = 194.83 -> 195
    assert tax_by_code(cart)["A"] == (1169, 195)


def test_line_discount_amount() -> None:
    cart = grocery_cart(include=False)
    cart.set_line_discount(0, Discount.parse("1.00"))
    totals = cart.totals()
    assert totals.lines[0].amount_cents == 398
    assert totals.discount_cents == 100
    # B: (398 + 179) * 5.5 % = 31.735 -> 32; A 260; Z 0.
    assert tax_by_code(cart) == {"A": (1299, 260), "B": (577, 32), "Z": (120, 0)}
    assert totals.total_cents == 1996 + 292


def test_line_discount_equal_to_line_and_full_percent() -> None:
    cart = three_line_cart()
    cart.set_line_discount(0, Discount.parse("10.00"))
    cart.set_line_discount(1, Discount.parse("100%"))
    totals = cart.totals()
    assert [lt.amount_cents for lt in totals.lines] == [0, 0, 250]
    assert totals.total_cents == 250
    assert tax_by_code(cart) == {"A": (0, 0), "B": (0, 0), "Z": (250, 0)}


def test_clear_line_discount() -> None:
    cart = three_line_cart()
    cart.set_line_discount(0, Discount.parse("50%"))
    assert cart.totals().total_cents == 1250
    cart.set_line_discount(0, None)
    assert cart.lines[0].discount is None
    assert cart.totals().total_cents == 1750


def test_line_discount_larger_than_line_is_refused_and_changes_nothing() -> None:
    cart = three_line_cart()
    cart.set_line_discount(1, Discount.parse("5%"))
    before = snapshot(cart)
    with pytest.raises(DiscountError, match="more than"):
        cart.set_line_discount(0, Discount.parse("10.01"))
    assert snapshot(cart) == before


def test_line_discount_on_bad_index_is_refused() -> None:
    cart = three_line_cart()
    before = snapshot(cart)
    for index in (-1, 3, 99):
        with pytest.raises(CartError, match="No line selected"):
            cart.set_line_discount(index, Discount.parse("10%"))
    assert snapshot(cart) == before
    with pytest.raises(CartError, match="empty"):
        make_cart().set_line_discount(0, Discount.parse("10%"))


# -- cart discount -----------------------------------------------------------------


def test_cart_discount_percent_is_spread_over_lines() -> None:
    cart = three_line_cart()
    cart.set_cart_discount(Discount.parse("10%"))
    totals = cart.totals()
    assert [lt.cart_discount_cents for lt in totals.lines] == [100, 50, 25]
    assert [lt.amount_cents for lt in totals.lines] == [900, 450, 225]
    assert totals.subtotal_cents == 1750
    assert totals.discount_cents == 175
    assert totals.total_cents == 1575
    # A: 900 / 6 = 150; B: 450 * 5.5 / 105.5 = 23.46 -> 23.
    assert tax_by_code(cart) == {"A": (900, 150), "B": (450, 23), "Z": (225, 0)}


def test_cart_discount_amount_allocated_by_largest_remainder() -> None:
    cart = three_line_cart()
    cart.set_cart_discount(Discount.parse("1.00"))
    totals = cart.totals()
    # 100 over 1000:500:250 = 57.14, 28.57, 14.29 -> 57, 28, 14 + the cent left to 28.57.
    assert [lt.cart_discount_cents for lt in totals.lines] == [57, 29, 14]
    assert [lt.amount_cents for lt in totals.lines] == [943, 471, 236]
    assert totals.discount_cents == 100
    assert totals.total_cents == 1650
    # A: 943 / 6 = 157.17 -> 157; B: 471 * 5.5 / 105.5 = 24.55 -> 25.
    assert tax_by_code(cart) == {"A": (943, 157), "B": (471, 25), "Z": (236, 0)}


def test_cart_discount_excluding_tax() -> None:
    cart = three_line_cart(include=False)
    cart.set_cart_discount(Discount.parse("10%"))
    totals = cart.totals()
    # A: 900 * 20 % = 180; B: 450 * 5.5 % = 24.75 -> 25.
    assert tax_by_code(cart) == {"A": (900, 180), "B": (450, 25), "Z": (225, 0)}
    assert totals.tax_cents == 205
    assert totals.total_cents == 1575 + 205


def test_cart_discount_applies_after_line_discounts() -> None:
    cart = three_line_cart()
    cart.set_line_discount(0, Discount.parse("5.00"))  # 10.00 -> 5.00
    cart.set_cart_discount(Discount.parse("10%"))  # 10 % of 12.50 = 1.25
    totals = cart.totals()
    assert totals.lines[0] == LineTotals(1000, 500, 50)
    assert [lt.cart_discount_cents for lt in totals.lines] == [50, 50, 25]
    assert totals.discount_cents == 500 + 125
    assert totals.total_cents == 1125


def test_cart_discount_equal_to_cart_makes_it_free() -> None:
    cart = three_line_cart()
    cart.set_cart_discount(Discount.parse("17.50"))
    totals = cart.totals()
    assert totals.total_cents == 0
    assert all(lt.amount_cents == 0 for lt in totals.lines)
    assert totals.tax_cents == 0


def test_cart_discount_larger_than_cart_is_refused_and_changes_nothing() -> None:
    cart = three_line_cart()
    cart.set_cart_discount(Discount.parse("1.00"))
    before = snapshot(cart)
    with pytest.raises(DiscountError):
        cart.set_cart_discount(Discount.parse("17.51"))
    assert snapshot(cart) == before
    assert cart.discount == Discount("amount", 100)


def test_line_discount_that_would_break_the_cart_discount_is_refused() -> None:
    cart = three_line_cart()
    cart.set_cart_discount(Discount.parse("17.00"))
    before = snapshot(cart)
    with pytest.raises(DiscountError):
        cart.set_line_discount(0, Discount.parse("50%"))  # lines would sum to 12.50
    assert snapshot(cart) == before


def test_cart_discount_on_empty_cart_is_refused_and_none_clears() -> None:
    cart = make_cart()
    with pytest.raises(CartError, match="empty"):
        cart.set_cart_discount(Discount.parse("10%"))
    assert cart.discount is None
    cart.set_cart_discount(None)  # clearing is always fine
    cart = three_line_cart()
    cart.set_cart_discount(Discount.parse("10%"))
    cart.set_cart_discount(None)
    assert cart.discount is None
    assert cart.totals().total_cents == 1750


# -- Discount.parse ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("10%", "percent", 1000),
        ("12.5%", "percent", 1250),
        ("12,5%", "percent", 1250),
        ("0.01%", "percent", 1),
        ("100%", "percent", 10_000),
        (" 10 % ", "percent", 1000),
        ("1.50", "amount", 150),
        ("1,50", "amount", 150),
        ("2", "amount", 200),
        ("0.01", "amount", 1),
    ],
)
def test_discount_parse(text: str, kind: str, value: int) -> None:
    assert Discount.parse(text) == Discount(kind, value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "%",
        "0%",
        "0.00%",
        "0",
        "0.00",
        "100.01%",
        "150%",
        "-10%",
        "-1.50",
        "10%%",
        "1.234",
        "10.123%",
        "1e2",
        "99999999%",
        "12345678901",
    ],
)
def test_discount_parse_refuses(text: str) -> None:
    with pytest.raises(DiscountError):
        Discount.parse(text)


def test_discount_error_is_a_domain_error() -> None:
    with pytest.raises(DomainError):
        Discount.parse("nope")


def test_discount_label_and_amount_on() -> None:
    assert Discount("percent", 1000).label == "10%"
    assert Discount("percent", 1250).label == "12.50%"
    assert Discount("amount", 150).label == "1.50"
    assert Discount("percent", 1000).amount_on(1299) == 130
    assert Discount("amount", 150).amount_on(150) == 150
    with pytest.raises(DiscountError):
        Discount("amount", 151).amount_on(150)


# -- lines: add and void -----------------------------------------------------------


def test_add_returns_the_line_and_keeps_order() -> None:
    cart = make_cart()
    first = cart.add(line("a", 100))
    second = cart.add(line("b", 200))
    assert cart.lines == [first, second]
    assert not cart.is_empty
    assert first.line_id != second.line_id


def test_unknown_tax_code_is_refused() -> None:
    cart = three_line_cart()
    before = snapshot(cart)
    with pytest.raises(CartError, match="unknown tax code 'X'"):
        cart.add(line("Mystery", 100, tax_code="X"))
    assert snapshot(cart) == before


@pytest.mark.parametrize(
    "bad",
    [
        line("zero qty", 100, qty_milli=0),
        line("negative qty", 100, qty_milli=-1000),
        line("negative price", -1),
    ],
)
def test_bad_lines_are_refused(bad: CartLine) -> None:
    cart = three_line_cart()
    before = snapshot(cart)
    with pytest.raises(CartError):
        cart.add(bad)
    assert snapshot(cart) == before


def test_total_above_maximum_is_refused() -> None:
    cart = make_cart(line("big", MAX_AMOUNT_CENTS))
    assert cart.totals().total_cents == MAX_AMOUNT_CENTS
    with pytest.raises(CartError, match="exceed"):
        cart.add(line("one more cent", 1))
    assert len(cart.lines) == 1
    # Excluding tax, the tax counts towards the limit.
    with pytest.raises(CartError):
        make_cart(line("big", MAX_AMOUNT_CENTS), include=False)


def test_free_line_is_allowed() -> None:
    cart = make_cart(line("free bag", 0))
    assert cart.totals().total_cents == 0


def test_void_line() -> None:
    cart = three_line_cart()
    five = cart.lines[1]
    assert cart.void_line(1) is five
    assert [ln.name for ln in cart.lines] == ["Ten", "Two fifty"]
    assert cart.voided_lines == 1
    assert cart.totals().total_cents == 1250


def test_void_line_respreads_the_cart_discount() -> None:
    cart = three_line_cart()
    cart.set_cart_discount(Discount.parse("10%"))
    cart.void_line(0)
    totals = cart.totals()
    assert [lt.cart_discount_cents for lt in totals.lines] == [50, 25]
    assert totals.total_cents == 675


def test_void_line_that_would_break_the_cart_discount_is_refused() -> None:
    cart = three_line_cart()
    cart.set_cart_discount(Discount.parse("10.00"))
    before = snapshot(cart)
    with pytest.raises(DiscountError):
        cart.void_line(0)  # 10.00 off the remaining 7.50
    assert snapshot(cart) == before
    assert cart.voided_lines == 0


def test_void_last_line_clears_the_cart_discount() -> None:
    cart = make_cart(line("only", 500))
    cart.set_cart_discount(Discount.parse("5.00"))
    cart.void_line(0)
    assert cart.is_empty
    assert cart.discount is None
    assert cart.voided_lines == 1
    assert cart.totals().total_cents == 0


def test_void_line_bad_index_or_empty() -> None:
    with pytest.raises(CartError, match="empty"):
        make_cart().void_line(0)
    cart = three_line_cart()
    with pytest.raises(CartError, match="No line selected"):
        cart.void_line(3)
    assert len(cart.lines) == 3
    assert cart.voided_lines == 0


# -- persistence -------------------------------------------------------------------


@pytest.mark.parametrize("include", [True, False])
def test_to_dict_from_dict_round_trip(include: bool) -> None:
    cart = grocery_cart(include=include)
    cart.set_line_discount(1, Discount.parse("12.5%"))
    cart.set_line_discount(0, Discount.parse("0.50"))
    cart.set_cart_discount(Discount.parse("1.00"))
    cart.add(line("Gone", 100, product_id=9))
    cart.void_line(4)
    data = json.loads(json.dumps(cart.to_dict()))
    restored = Cart.from_dict(data, TAXES, prices_include_tax=include)
    assert restored.totals() == cart.totals()
    assert restored.lines == cart.lines
    assert restored.discount == cart.discount
    assert restored.uuid == cart.uuid
    assert restored.voided_lines == 1
    assert restored.to_dict() == cart.to_dict()


def test_from_dict_rechecks_lines() -> None:
    data = three_line_cart().to_dict()
    data["lines"][0]["tax_code"] = "X"
    with pytest.raises(CartError):
        Cart.from_dict(data, TAXES, prices_include_tax=True)
    data = three_line_cart().to_dict()
    data["discount"] = {"kind": "amount", "value": 1751}
    with pytest.raises(DiscountError):
        Cart.from_dict(data, TAXES, prices_include_tax=True)
    data = three_line_cart().to_dict()
    data["discount"] = {"kind": "bogus", "value": 1}
    with pytest.raises(DiscountError, match="Unknown discount kind"):
        Cart.from_dict(data, TAXES, prices_include_tax=True)


@pytest.mark.parametrize(
    "raw",
    [{"kind": "amount", "value": -100}, {"kind": "percent", "value": 15_000}],
    ids=["negative-amount", "percent-above-100"],
)
def test_from_dict_refuses_invalid_discount_values(raw: dict[str, Any]) -> None:
    data = three_line_cart().to_dict()
    data["lines"][0]["discount"] = raw
    with pytest.raises(DiscountError):
        Cart.from_dict(data, TAXES, prices_include_tax=True)


# -- the key property --------------------------------------------------------------


@st.composite
def carts(draw: st.DrawFn) -> Cart:
    include = draw(st.booleans())
    cart = Cart(TAXES, prices_include_tax=include)
    for i in range(draw(st.integers(1, 15))):
        unit = draw(st.sampled_from(["each", "kg"]))
        qty = draw(st.integers(1, 20)) * 1000 if unit == "each" else draw(st.integers(1, 5000))
        ln = line(
            f"item {i}",
            draw(st.integers(0, 100_000)),
            qty,
            draw(st.sampled_from(sorted(TAXES))),
            unit=unit,
            product_id=i,
        )
        kind = draw(st.sampled_from([None, "percent", "amount"]))
        if kind == "percent":
            ln = replace(ln, discount=Discount("percent", draw(st.integers(1, 10_000))))
        elif kind == "amount" and ln.base_cents > 0:
            amount = draw(st.integers(1, ln.base_cents))
            ln = replace(ln, discount=Discount("amount", amount))
        cart.add(ln)
    after_lines = sum(lt.amount_cents for lt in cart.totals().lines)
    kind = draw(st.sampled_from([None, "percent", "amount"]))
    if kind == "percent":
        cart.set_cart_discount(Discount("percent", draw(st.integers(1, 10_000))))
    elif kind == "amount" and after_lines > 0:
        cart.set_cart_discount(Discount("amount", draw(st.integers(1, after_lines))))
    return cart


@settings(max_examples=300, deadline=None)
@given(carts())
def test_totals_are_consistent(cart: Cart) -> None:
    totals = cart.totals()
    include = cart.prices_include_tax
    amounts = [lt.amount_cents for lt in totals.lines]
    lines_sum = sum(amounts)

    assert len(totals.lines) == len(cart.lines)
    assert lines_sum + (0 if include else totals.tax_cents) == totals.total_cents
    assert totals.subtotal_cents - totals.discount_cents == lines_sum
    assert totals.subtotal_cents == sum(ln.base_cents for ln in cart.lines)
    assert all(a >= 0 for a in amounts)
    assert all(lt.line_discount_cents >= 0 and lt.cart_discount_cents >= 0 for lt in totals.lines)
    assert sum(t.base_cents for t in totals.taxes) == lines_sum
    assert sum(t.tax_cents for t in totals.taxes) == totals.tax_cents

    # One tax line per code in use, sorted, on the sum of that code's line amounts.
    expected_bases: dict[str, int] = {}
    for ln, amount in zip(cart.lines, amounts, strict=True):
        expected_bases[ln.tax_code] = expected_bases.get(ln.tax_code, 0) + amount
    assert [t.code for t in totals.taxes] == sorted(expected_bases)
    for t in totals.taxes:
        rate = TAXES[t.code].rate_bp
        assert t.rate_bp == rate
        assert t.base_cents == expected_bases[t.code]
        denominator = 10_000 + rate if include else 10_000
        exact = Fraction(t.base_cents * rate, denominator)
        assert abs(t.tax_cents - exact) <= Fraction(1, 2)

    # The cart discount is fully spread over the lines.
    if cart.discount is not None:
        after_line = sum(lt.base_cents - lt.line_discount_cents for lt in totals.lines)
        assert sum(lt.cart_discount_cents for lt in totals.lines) == cart.discount.amount_on(
            after_line
        )
    else:
        assert all(lt.cart_discount_cents == 0 for lt in totals.lines)

    # Totals survive the crash journal.
    restored = Cart.from_dict(
        json.loads(json.dumps(cart.to_dict())), TAXES, prices_include_tax=include
    )
    assert restored.totals() == totals
    assert compute_totals(cart.lines, cart.discount, TAXES, include) == totals
