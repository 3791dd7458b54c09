"""Promotions in the cart: examples of each kind, the order of discounts, and properties
(no line ever negative, lines always sum to the total) with hypothesis."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_pos.domain.cart import Cart, CartLine, Discount
from tui_pos.domain.errors import DiscountError
from tui_pos.domain.promotions import (
    PromoLine,
    Promotion,
    PromotionError,
    apply_promotions,
)
from tui_pos.domain.tax import TaxRate

TAXES = {"A": TaxRate("A", "Standard", 2000), "B": TaxRate("B", "Food", 550)}
BAKERY = 7


def cart(*promos: Promotion, include_tax: bool = True) -> Cart:
    c = Cart(TAXES, prices_include_tax=include_tax)
    c.promotions = promos
    return c


def line(
    pid: int, price: int, qty: int = 1, *, cat: int | None = None, unit: str = "each"
) -> CartLine:
    return CartLine(
        product_id=pid,
        name=f"item {pid}",
        unit="kg" if unit == "kg" else "each",
        unit_price_cents=price,
        qty_milli=qty * 1000 if unit == "each" else qty,
        tax_code="B",
        category_id=cat,
    )


def test_percent_off_a_category() -> None:
    c = cart(Promotion(1, "Bakery 10%", "percent", 1000, category_id=BAKERY))
    c.add(line(1, 149, cat=BAKERY))
    c.add(line(2, 300, cat=3))
    t = c.totals()
    assert [lt.promo_discount_cents for lt in t.lines] == [15, 0]
    assert t.lines[0].promotion == "Bakery 10%"
    assert t.total_cents == 149 - 15 + 300


def test_amount_off_per_unit_never_more_than_the_line() -> None:
    c = cart(Promotion(1, "50 off", "amount", 50, product_id=1))
    c.add(line(1, 149, 3))
    c.add(line(1, 30, 1))  # a cheap line: the discount stops at its price
    t = c.totals()
    assert [lt.promo_discount_cents for lt in t.lines] == [150, 30]
    assert t.lines[1].amount_cents == 0


def test_three_for_two_gives_the_cheapest_free() -> None:
    c = cart(Promotion(1, "3 for 2", "multi_free", 0, category_id=BAKERY, buy_qty=3, pay_qty=2))
    c.add(line(1, 200, 2, cat=BAKERY))
    c.add(line(2, 100, 1, cat=BAKERY))
    assert c.totals().total_cents == 400
    c.add(line(3, 50, 1, cat=BAKERY))  # a fourth piece does not complete a set
    assert c.totals().total_cents == 450


def test_two_for_five() -> None:
    c = cart(Promotion(1, "2 for 5.00", "multi_price", 500, product_id=1, buy_qty=2))
    c.add(line(1, 299, 5))
    t = c.totals()
    assert t.total_cents == 500 + 500 + 299
    assert t.lines[0].promotion == "2 for 5.00"


def test_multi_buy_that_would_cost_more_gives_nothing() -> None:
    c = cart(Promotion(1, "2 for 5.00", "multi_price", 500, product_id=1, buy_qty=2))
    c.add(line(1, 200, 2))
    assert c.totals().lines[0].promo_discount_cents == 0
    assert c.totals().lines[0].promotion == ""


def test_weighed_items_are_not_counted_in_multi_buy() -> None:
    c = cart(Promotion(1, "3 for 2", "multi_free", 0, product_id=1, buy_qty=3, pay_qty=2))
    c.add(line(1, 299, 3000, unit="kg"))
    assert c.totals().discount_cents == 0


def test_one_promotion_per_line_the_larger_wins() -> None:
    small = Promotion(1, "5%", "percent", 500, category_id=BAKERY)
    big = Promotion(2, "3 for 2", "multi_free", 0, product_id=1, buy_qty=3, pay_qty=2)
    c = cart(small, big)
    c.add(line(1, 100, 3, cat=BAKERY))
    c.add(line(2, 100, 1, cat=BAKERY))
    t = c.totals()
    assert [lt.promotion for lt in t.lines] == ["3 for 2", "5%"]
    assert [lt.promo_discount_cents for lt in t.lines] == [100, 5]


def test_manual_discounts_apply_after_the_promotion() -> None:
    c = cart(Promotion(1, "Half price", "percent", 5000, product_id=1))
    c.add(line(1, 1000))
    c.set_line_discount(0, Discount("percent", 1000))  # 10% of what the promotion left
    t = c.totals()
    assert t.lines[0].promo_discount_cents == 500
    assert t.lines[0].line_discount_cents == 550
    c.set_cart_discount(Discount("amount", 100))
    assert c.totals().total_cents == 350
    with pytest.raises(DiscountError):  # more than what is left after the promotion
        c.set_line_discount(0, Discount("amount", 600))


def test_promotion_dates_and_checks() -> None:
    p = Promotion(
        1,
        "x",
        "percent",
        100,
        product_id=1,
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 11, 30),
    )
    assert p.active_on(date(2026, 11, 30)) and not p.active_on(date(2026, 12, 1))
    with pytest.raises(PromotionError):
        Promotion(1, "x", "percent", 100)  # no target
    with pytest.raises(PromotionError):
        Promotion(1, "x", "multi_free", 0, product_id=1, buy_qty=2, pay_qty=2)
    with pytest.raises(PromotionError):
        Promotion(1, "x", "percent", 10_001, product_id=1)


# -- properties -------------------------------------------------------------------------

promotions = st.lists(
    st.one_of(
        st.builds(
            lambda i, bp, cat: Promotion(i, f"p{i}", "percent", bp, category_id=cat),
            st.integers(1, 99),
            st.integers(1, 10_000),
            st.integers(1, 3),
        ),
        st.builds(
            lambda i, cents, pid: Promotion(i, f"a{i}", "amount", cents, product_id=pid),
            st.integers(100, 199),
            st.integers(1, 5_000),
            st.integers(1, 6),
        ),
        st.builds(
            lambda i, n, price, cat: Promotion(
                i, f"m{i}", "multi_price", price, category_id=cat, buy_qty=n
            ),
            st.integers(200, 299),
            st.integers(2, 5),
            st.integers(0, 2_000),
            st.integers(1, 3),
        ),
        st.builds(
            lambda i, n, m, pid: Promotion(
                i, f"f{i}", "multi_free", 0, product_id=pid, buy_qty=n, pay_qty=min(m, n - 1)
            ),
            st.integers(300, 399),
            st.integers(2, 5),
            st.integers(1, 4),
            st.integers(1, 6),
        ),
    ),
    max_size=4,
    unique_by=lambda p: p.id,
)
cart_lines = st.lists(
    st.builds(
        lambda pid, price, qty, cat, kg: line(
            pid, price, qty if not kg else qty * 137, cat=cat, unit="kg" if kg else "each"
        ),
        st.integers(1, 6),
        st.integers(0, 5_000),
        st.integers(1, 12),
        st.one_of(st.none(), st.integers(1, 3)),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


@given(cart_lines, promotions, st.booleans(), st.one_of(st.none(), st.integers(1, 5_000)))
def test_promotions_never_make_a_line_negative_and_totals_add_up(
    lines: list[CartLine], promos: list[Promotion], include_tax: bool, cart_bp: int | None
) -> None:
    c = cart(*promos, include_tax=include_tax)
    for ln in lines:
        c.add(ln)
    if cart_bp is not None:
        c.set_cart_discount(Discount("percent", cart_bp))
    t = c.totals()
    no_promos = cart(include_tax=include_tax)
    for ln in lines:
        no_promos.add(ln)
    for lt in t.lines:
        assert 0 <= lt.promo_discount_cents <= lt.base_cents
        assert lt.amount_cents >= 0
        assert (lt.promotion == "") == (lt.promo_discount_cents == 0)
    lines_sum = sum(lt.amount_cents for lt in t.lines)
    assert t.subtotal_cents - t.discount_cents == lines_sum
    assert t.total_cents == (lines_sum if include_tax else lines_sum + t.tax_cents)
    assert sum(x.base_cents for x in t.taxes) == lines_sum
    # A promotion never makes a cart dearer.
    if cart_bp is None:
        assert t.total_cents <= no_promos.totals().total_cents


@given(cart_lines, promotions)
def test_apply_promotions_does_not_depend_on_their_order(
    lines: list[CartLine], promos: list[Promotion]
) -> None:
    promo_lines = [
        PromoLine(
            ln.product_id, ln.category_id, ln.unit, ln.unit_price_cents, ln.qty_milli, ln.base_cents
        )
        for ln in lines
    ]
    forward = apply_promotions(promo_lines, promos)
    backward = apply_promotions(promo_lines, list(reversed(promos)))
    assert forward == backward
