"""The demo store's sales history: real sales through the register, in the past."""

from __future__ import annotations

from datetime import timedelta

from tests.support.approvals import approved
from tests.support.tills import FIXED_NOW
from tui_pos.bootstrap import Till
from tui_pos.demo.sales import ensure_demo_sales
from tui_pos.domain.analysis import DateRange
from tui_pos.domain.staff import Action, Role


def test_demo_history_fills_the_reports_once(demo_till: Till) -> None:
    manager = demo_till.register.cashier
    for code, name in (("11", "Alex"), ("12", "Sam")):
        demo_till.staff.add_employee(
            code, name, Role.CASHIER, "4826", approval=approved(demo_till, Action.STAFF_ADMIN)
        )
    made = ensure_demo_sales(demo_till, days=2)
    assert made > 50
    assert ensure_demo_sales(demo_till, days=2) == 0  # only into a store without sales
    today = FIXED_NOW.astimezone().date()
    period = DateRange(today - timedelta(days=2), today)
    analysis = demo_till.analysis
    by_hour = analysis.by_hour(period)
    assert by_hour.total("sales") == analysis.by_employee(period).total("sales")
    assert len(by_hour.rows) > 5
    names = {r[0] for r in analysis.by_employee(period).rows}
    assert names == {"Alex", "Sam", "Test Manager"}  # the store's employees
    assert not analysis.voids(period).is_empty
    # Nothing happened after "now", and no receipt of the made-up history is owed.
    last = demo_till.register.store.last_sale("T1")
    assert last is not None and last.created_at <= FIXED_NOW
    assert demo_till.print_queue.pending() == []
    assert demo_till.db.execute_sql("PRAGMA synchronous").fetchone() == (2,)  # FULL again
    assert demo_till.register.cashier == manager  # the register is left as it was
    # Each past day was opened with a float and closed with a counted Z: today is fresh.
    zs = [z for back in (1, 2) for z in demo_till.reports.z_reports(today - timedelta(back))]
    assert [z.z_number for z in zs] == [2, 1]
    assert all(z.over_short_cents == 0 and z.opening_float_cents == 10000 for z in zs)
    assert demo_till.reports.x_report().totals.sales_count == 0
    assert demo_till.cash.needs_float()


def test_demo_deliveries_restock_what_the_history_sold_and_leave_a_few_low(
    demo_till: Till,
) -> None:
    from tui_pos.demo.stock import ensure_demo_deliveries

    assert ensure_demo_deliveries(demo_till) == 0  # nothing below zero: no delivery
    ensure_demo_sales(demo_till, days=10)
    before = demo_till.stock.levels()
    assert any(level.level_milli < 0 for level in before)  # the history oversold
    restocked = ensure_demo_deliveries(demo_till)
    after = demo_till.stock.levels()
    assert restocked > 0
    assert all(level.level_milli >= 0 for level in after)
    assert 0 < sum(level.low for level in after) < sum(level.low for level in before)
    assert ensure_demo_deliveries(demo_till) == 0  # once
