"""Loyalty rules (pure): earn, redeem limits, tiers, birthday window, suggestions, RFM."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_pos.domain.customer import CustomerStats
from tui_pos.domain.loyalty import (
    EarnLine,
    LoyaltyError,
    LoyaltyRules,
    PointsMove,
    Tier,
    birthday_occurrence,
    check_redeem,
    earn_points,
    parse_points,
    redeem_cap,
    sale_moves,
    tier_for,
)
from tui_pos.domain.segments import Rfm, SegmentRule, rfm_group, rfm_scores
from tui_pos.domain.suggestions import favourites, suggest

TIERS = (Tier("Bronze", 0, 100), Tier("Silver", 30_000, 125), Tier("Gold", 100_000, 150))
RULES = LoyaltyRules(
    enabled=True,
    points_per_unit=1,
    category_multipliers=MappingProxyType({"Wine": 200, "Tobacco": 0}),
    point_value_cents=1,
    redeem_min_points=100,
    redeem_max_share=50,
    tiers=TIERS,
    birthday_window_days=7,
    birthday_points=200,
)


# --- earning -------------------------------------------------------------------------------


def test_one_point_per_whole_unit_truncated_once_per_sale() -> None:
    assert earn_points([EarnLine(1_299)], RULES) == 12
    # 0.60 + 0.60 = 1.20: one point for the sale, not zero per line
    assert earn_points([EarnLine(60), EarnLine(60)], RULES) == 1


def test_category_multipliers() -> None:
    lines = [EarnLine(1_000, "Wine"), EarnLine(1_000, "Tobacco"), EarnLine(1_000, "Bakery")]
    assert earn_points(lines, RULES) == 20 + 0 + 10


def test_tier_multiplier_applies_to_the_whole_sale() -> None:
    lines = [EarnLine(1_000, "Wine"), EarnLine(1_000)]
    assert earn_points(lines, RULES, tier_multiplier=150) == 45  # (20 + 10) x 1.5


def test_points_per_unit() -> None:
    rules = LoyaltyRules(enabled=True, points_per_unit=3)
    assert earn_points([EarnLine(250)], rules) == 7  # 2.50 x 3 = 7.5 -> 7


def test_the_part_paid_with_points_earns_nothing() -> None:
    assert earn_points([EarnLine(2_000)], RULES, points_paid_cents=500) == 15
    split = earn_points([EarnLine(1_000, "Wine"), EarnLine(1_000)], RULES, points_paid_cents=1_000)
    assert split == 10 + 5  # half of each line was paid with points


def test_a_return_earns_negative_points_symmetrically() -> None:
    sale = [EarnLine(1_299, "Wine"), EarnLine(350)]
    back = [EarnLine(-1_299, "Wine"), EarnLine(-350)]
    assert earn_points(back, RULES, 125) == -earn_points(sale, RULES, 125)


def test_sale_moves_redeem_then_earn_and_return_reversal() -> None:
    moves = sale_moves([EarnLine(2_000)], [(500, 500)], RULES)
    assert moves == [PointsMove("redeem", -500), PointsMove("earn", 15)]
    back = sale_moves([EarnLine(-2_000)], [], RULES)
    assert back == [PointsMove("reversal", -20)]
    assert sale_moves([EarnLine(50)], [], RULES) == []  # nothing earned: no row
    refund_in_points = sale_moves([EarnLine(-500)], [(-500, 500)], RULES)
    assert refund_in_points == [PointsMove("reversal", 500), PointsMove("reversal", -5)]


@given(
    st.lists(st.tuples(st.integers(-50_000, 50_000), st.sampled_from(["", "Wine", "Tobacco"]))),
    st.sampled_from([100, 125, 150]),
)
def test_negating_every_line_negates_the_points(
    lines: list[tuple[int, str]], tier_multiplier: int
) -> None:
    forward = [EarnLine(a, c) for a, c in lines]
    backward = [EarnLine(-a, c) for a, c in lines]
    assert earn_points(backward, RULES, tier_multiplier) == -earn_points(
        forward, RULES, tier_multiplier
    )


# --- redeeming -----------------------------------------------------------------------------


def test_redeem_cap_is_the_least_of_balance_share_and_due() -> None:
    assert redeem_cap(10_000, 2_000, 2_000, 0, RULES) == 1_000  # 50 % of 20.00
    assert redeem_cap(300, 2_000, 2_000, 0, RULES) == 300  # the balance
    assert redeem_cap(10_000, 2_000, 400, 0, RULES) == 400  # what is still due
    assert redeem_cap(10_000, 2_000, 1_500, 600, RULES) == 400  # share left after 6.00
    worth_two = LoyaltyRules(enabled=True, point_value_cents=2, redeem_max_share=100)
    assert redeem_cap(10_000, 1_001, 1_001, 0, worth_two) == 500  # whole points only


def test_check_redeem_refusals() -> None:
    def check(points: int, balance: int = 5_000, total: int = 2_000) -> int:
        return check_redeem(points, balance, total, total, 0, RULES)

    assert check(1_000) == 1_000
    with pytest.raises(LoyaltyError, match="At most 1000 points"):
        check(1_001)
    with pytest.raises(LoyaltyError, match="at least 100 points"):
        check(99)
    with pytest.raises(LoyaltyError, match="has 50 points"):
        check(50, balance=50)
    with pytest.raises(LoyaltyError, match="has -20 points"):
        check(100, balance=-20)  # after a reversal of spent points: refused until positive
    with pytest.raises(LoyaltyError, match="more than 0"):
        check(0)
    with pytest.raises(LoyaltyError, match="not enabled"):
        check_redeem(100, 500, 500, 500, 0, LoyaltyRules(enabled=False))


@pytest.mark.parametrize(("text", "points"), [("250", 250), (" 1,000 ", 1000), ("0", 0)])
def test_parse_points(text: str, points: int) -> None:
    assert parse_points(text) == points


@pytest.mark.parametrize("text", ["", "-5", "1.5", "ten", "１２", "1" * 10])
def test_parse_points_refuses(text: str) -> None:
    with pytest.raises(LoyaltyError):
        parse_points(text)


# --- tiers and birthdays ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spend", "tier"),
    [(-500, None), (0, "Bronze"), (29_999, "Bronze"), (30_000, "Silver"), (100_000, "Gold")],
)
def test_tier_for_spend(spend: int, tier: str | None) -> None:
    found = tier_for(spend, TIERS)
    assert (found.name if found else None) == tier


@pytest.mark.parametrize(
    ("birthday", "today", "window", "expected"),
    [
        (date(1990, 6, 10), date(2026, 6, 10), 7, date(2026, 6, 10)),
        (date(1990, 6, 10), date(2026, 6, 3), 7, date(2026, 6, 10)),
        (date(1990, 6, 10), date(2026, 6, 17), 7, date(2026, 6, 10)),
        (date(1990, 6, 10), date(2026, 6, 18), 7, None),
        (date(1990, 6, 10), date(2026, 6, 2), 7, None),
        # the window crosses the new year both ways
        (date(1990, 1, 2), date(2026, 12, 30), 7, date(2027, 1, 2)),
        (date(1990, 12, 30), date(2027, 1, 3), 7, date(2026, 12, 30)),
        # 29 February: the 28th in other years, the 29th in leap years
        (date(1988, 2, 29), date(2027, 2, 28), 0, date(2027, 2, 28)),
        (date(1988, 2, 29), date(2027, 3, 1), 0, None),
        (date(1988, 2, 29), date(2028, 2, 29), 0, date(2028, 2, 29)),
        (date(1988, 2, 29), date(2028, 2, 28), 0, None),
        (date(1988, 2, 29), date(2027, 3, 5), 7, date(2027, 2, 28)),
    ],
)
def test_birthday_window(birthday: date, today: date, window: int, expected: date | None) -> None:
    assert birthday_occurrence(birthday, today, window) == expected


# --- suggestions on a constructed history -------------------------------------------------

BREAD, MILK, EGGS, COFFEE, JAM, BUTTER, WINE = 1, 2, 3, 4, 5, 6, 7


def test_suggestions_from_habits_and_from_items_bought_together() -> None:
    # Ten visits: bread and milk almost always, coffee on half of them, wine once.
    visits = [frozenset({BREAD, MILK})] * 5 + [frozenset({BREAD, MILK, COFFEE})] * 4
    visits += [frozenset({COFFEE, WINE})]
    # Across the store: jam goes with bread in 40 of 100 bread sales, butter in 20.
    pairs = {BREAD: {JAM: 40, BUTTER: 20, MILK: 70}}
    found = suggest(visits, [BREAD], pairs, {BREAD: 100}, min_visits=2, min_share=30)
    assert [(s.product_id, s.reason, s.score) for s in found] == [
        (MILK, "usual", 90),
        (COFFEE, "usual", 50),
        (JAM, "together", 40),
    ]
    assert found[2].because_of == BREAD
    # Nothing already in the basket is suggested; the wine bought once is not a habit.
    assert all(s.product_id not in (BREAD, WINE) for s in found)
    today = [BREAD, MILK, COFFEE]
    assert [s.product_id for s in suggest(visits, today, pairs, {BREAD: 100})] == [JAM]


def test_no_history_no_habits() -> None:
    assert suggest([], [BREAD], {}, {}) == []
    assert favourites([frozenset({EGGS, MILK}), frozenset({MILK})]) == [(MILK, 2), (EGGS, 1)]


# --- RFM and segments ------------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def stats(cid: int, visits: int, spend: int, days_ago: int | None) -> CustomerStats:
    last = NOW - timedelta(days=days_ago) if days_ago is not None else None
    return CustomerStats(cid, visits, spend, last, spend, 0)


def test_rfm_groups() -> None:
    everyone = [
        stats(1, 50, 500_000, 1),  # recent, frequent, big: champion
        stats(2, 40, 400_000, 200),  # frequent but gone: at risk
        stats(3, 1, 2_000, 2),  # one recent visit: new
        stats(4, 2, 3_000, 400),  # long gone
        stats(6, 3, 5_000, 100),
        stats(5, 0, 0, None),  # never bought
    ]
    scores = rfm_scores(everyone, NOW)
    assert rfm_group(scores[1]) == "Champions"
    assert rfm_group(scores[2]) in ("Loyal", "At risk")
    assert rfm_group(scores[3]) == "New"
    assert rfm_group(scores[4]) == "Lost"
    assert rfm_group(scores.get(5)) == "No visits"
    assert Rfm(2, 4, 3).group == "Loyal" and Rfm(2, 3, 3).group == "At risk"


def test_segment_rule_gold_not_seen_in_60_days() -> None:
    rule = SegmentRule(tier="Gold", not_seen_days=60)
    assert rule.matches(stats(1, 9, 9, 61), "Gold", "Lost", False, NOW)
    assert not rule.matches(stats(1, 9, 9, 59), "Gold", "Lost", False, NOW)
    assert not rule.matches(stats(1, 9, 9, 61), "Silver", "Lost", False, NOW)
    assert SegmentRule.from_dict(rule.to_dict()) == rule
    assert rule.describe() == "tier Gold, not seen in 60 days"
    with pytest.raises(Exception, match="Unknown RFM group"):
        SegmentRule(rfm_group="Whales")
