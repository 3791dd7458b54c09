"""Promotions kept for a tier or a saved segment: they apply only once such a customer is
attached, the cart line says why, and the stored sale keeps the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.approvals import approved
from tests.support.loyalty_history import History
from tests.support.tills import FIXED_NOW
from tui_pos.bootstrap import Till
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.promotions import PromotionError
from tui_pos.domain.segments import SegmentRule
from tui_pos.domain.staff import Action

LOAF = "5900000000015"  # White Loaf 800g, 1.49


def gold_customer(till: Till) -> int:
    """A customer whose last 12 months reach the Gold tier (1,000.00 by default)."""
    gold = till.customers.create(CustomerDetails("Gill Gold"))
    History(till.db).sale(FIXED_NOW - timedelta(days=30), 120_000, gold.id)
    return gold.id


def test_a_tier_promotion_applies_only_to_that_tier(demo_till: Till) -> None:
    till = demo_till
    till.promotions.add(
        name="Gold bread",
        kind="percent",
        item=LOAF,
        value="20%",
        tier="Gold",
        approval=approved(till, Action.PRODUCT_ADMIN),
    )
    plain = till.customers.create(CustomerDetails("Pat Plain"))
    gold = gold_customer(till)
    till.register.refresh_promotions()
    till.register.scan(LOAF)
    assert till.register.totals().total_cents == 149  # nobody attached: full price
    till.customers.attach(till.register, plain.id)
    assert till.register.totals().total_cents == 149  # a Bronze customer: full price
    till.customers.attach(till.register, gold)
    line = till.register.totals().lines[0]
    assert (line.promo_discount_cents, line.promotion) == (30, "Gold bread (Gold members)")
    assert till.register.totals().total_cents == 119
    till.register.set_customer(None)
    assert till.register.totals().total_cents == 149  # detached: the offer goes too


def test_a_segment_promotion_and_the_reason_on_the_stored_line(demo_till: Till) -> None:
    till = demo_till
    till.customers.save_segment(
        "friends", SegmentRule(consent_only=True), approval=approved(till, Action.CUSTOMER_ADMIN)
    )
    till.promotions.add(
        name="Friends loaf",
        kind="amount",
        item=LOAF,
        value="0.50",
        segment="friends",
        approval=approved(till, Action.PRODUCT_ADMIN),
    )
    friend = till.customers.create(CustomerDetails("Fay Friend", marketing_consent=True))
    other = till.customers.create(CustomerDetails("Otto Other"))
    till.register.refresh_promotions()
    till.register.scan(LOAF)
    till.customers.attach(till.register, other.id)
    assert till.register.totals().total_cents == 149
    till.customers.attach(till.register, friend.id)
    assert till.register.totals().total_cents == 99
    snapshot = till.register.cart.to_dict()
    assert snapshot["audiences"] == ["segment:friends", "tier:Bronze"]  # survives a crash
    doc = till.register.pay_cash("5.00")
    assert doc is not None and doc.total_cents == 99
    stored = till.db.execute_sql("SELECT promotion, promo_discount_cents FROM sale_line").fetchall()
    assert stored == [("Friends loaf (segment friends)", 50)]


def test_a_promotion_is_for_a_tier_or_a_segment_not_both(demo_till: Till) -> None:
    with pytest.raises(PromotionError, match="not two"):
        demo_till.promotions.add(
            name="x",
            kind="percent",
            item=LOAF,
            value="10%",
            tier="Gold",
            segment="friends",
            approval=approved(demo_till, Action.PRODUCT_ADMIN),
        )
    assert all(p.name != "x" for p in demo_till.promotions.list())  # nothing stored
