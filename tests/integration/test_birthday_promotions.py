"""Birthday-month offers as a discount: a promotion for birthdays applies only while the
attached customer's birthday month is the current month (the clock's, November 2026), the
cart line says "birthday", and the stored line keeps the reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.integration.test_online_orders import run
from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.promotions import PromotionError, birthday_month
from tui_pos.domain.staff import Action

LOAF = "5900000000015"  # White Loaf 800g, 1.49


def test_birthday_month() -> None:
    today = date(2026, 11, 25)
    assert birthday_month(date(1990, 11, 1), today)
    assert not birthday_month(date(1990, 12, 25), today)
    assert not birthday_month(None, today)


def test_a_birthday_promotion_applies_in_the_birthday_month_only(demo_till: Till) -> None:
    till = demo_till
    till.promotions.add(
        name="Cake",
        kind="percent",
        item=LOAF,
        value="50%",
        birthday=True,
        approval=approved(till, Action.PRODUCT_ADMIN),
    )
    now = till.customers.create(CustomerDetails("Nora Now", birthday=date(1990, 11, 30)))
    later = till.customers.create(CustomerDetails("Lea Later", birthday=date(1990, 12, 1)))
    unknown = till.customers.create(CustomerDetails("Una Unknown"))
    till.register.refresh_promotions()
    till.register.scan(LOAF)
    assert till.register.totals().total_cents == 149  # nobody attached
    for other in (later.id, unknown.id):
        till.customers.attach(till.register, other)
        assert till.register.totals().total_cents == 149
    till.customers.attach(till.register, now.id)
    line = till.register.totals().lines[0]
    assert (line.promotion, line.promo_discount_cents) == ("Cake (birthday)", 75)
    assert "birthday" in till.register.cart.to_dict()["audiences"]  # survives a crash
    doc = till.register.pay_cash("")
    assert doc is not None and doc.total_cents == 74
    stored = till.db.execute_sql("SELECT promotion, promo_discount_cents FROM sale_line").fetchall()
    assert stored == [("Cake (birthday)", 75)]
    assert [p.birthday for p in till.promotions.list()] == [True]  # read back from the table


def test_birthday_and_a_tier_are_refused_together(demo_till: Till) -> None:
    with pytest.raises(PromotionError, match="not two"):
        demo_till.promotions.add(
            name="x",
            kind="percent",
            item=LOAF,
            value="10%",
            tier="Gold",
            birthday=True,
            approval=approved(demo_till, Action.PRODUCT_ADMIN),
        )
    assert demo_till.promotions.list() == []


def test_cli_adds_a_birthday_promotion(cli_db: Path) -> None:
    args = ("promo", "add", "--name", "Cake", "--kind", "amount", "--value", "0.50")
    added = run(cli_db, *args, "--item", LOAF, "--birthday")
    assert added.exit_code == 0, added.output
    assert "promotion #1 Cake: 0.50 off on White Loaf 800g for birthday" in added.output
