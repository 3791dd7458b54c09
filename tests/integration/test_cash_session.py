"""Cash sessions: opening float, cash in/out, the X report, the blind-count Z close."""

from __future__ import annotations

import pytest

from tui_pos.bootstrap import Till
from tui_pos.domain.cash import CashError, Denomination, count_total, denominations, parse_pieces
from tui_pos.domain.errors import MoneyError
from tui_pos.domain.staff import Action, Approval


def _approval(till: Till) -> Approval:
    return Approval(Action.CASH_IN_OUT, till.staff.current)


def _cash_sale(till: Till, code: str = "5900000000015", paid: str = "10") -> int:
    till.register.enter(code)
    doc = till.register.pay_cash(paid)
    assert doc is not None
    return doc.total_cents + doc.rounding_cents


def test_float_then_movements_make_the_expected_cash(demo_till: Till) -> None:
    cash = demo_till.cash
    assert cash.needs_float()
    assert cash.record_float("150.00", demo_till.staff.current) == 15000
    assert not cash.needs_float()
    taken = _cash_sale(demo_till)
    cash.move("in", "20", "change from the bank", _approval(demo_till))
    cash.move("out", "12.50", "window cleaner", _approval(demo_till))
    x = demo_till.reports.x_report()
    assert x.opening_float_cents == 15000
    assert x.totals.cash_in_cents == 2000 and x.totals.cash_out_cents == 1250
    assert x.cash_expected_cents == 15000 + taken + 2000 - 1250
    data = x.to_dict()
    for key in ("opening_float_cents", "cash_in_cents", "cash_out_cents", "no_sales_count"):
        assert key in data
    assert data["counted_cents"] is None and data["over_short_cents"] is None


@pytest.mark.parametrize(
    ("kind", "amount", "reason", "error"),
    [
        ("in", "0", "x", CashError),
        ("out", "-5", "x", MoneyError),
        ("out", "ten", "x", MoneyError),
        ("in", "5", "   ", CashError),
        ("out", "9999999999", "x", MoneyError),
    ],
)
def test_bad_cash_movements_change_nothing(
    demo_till: Till, kind: str, amount: str, reason: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        demo_till.cash.move(kind, amount, reason, _approval(demo_till))  # type: ignore[arg-type]
    x = demo_till.reports.x_report()
    assert x.totals.cash_in_cents == x.totals.cash_out_cents == 0


def test_a_blind_count_that_matches_closes_the_day(demo_till: Till) -> None:
    demo_till.cash.record_float("100", demo_till.staff.current)
    taken = _cash_sale(demo_till)
    z = demo_till.reports.close_day(10000 + taken, closed_by="Test Manager")
    assert z.z_number == 1 and z.over_short_cents == 0
    assert z.to_dict()["closed_by"] == "Test Manager"


def test_an_over_short_needs_someone_to_accept_it(demo_till: Till) -> None:
    demo_till.cash.record_float("100", demo_till.staff.current)
    taken = _cash_sale(demo_till)
    with pytest.raises(CashError, match="-0.30 off: a manager must accept it"):
        demo_till.reports.close_day(10000 + taken - 30, closed_by="Chris")
    # Nothing was closed: the period is still open, the next Z is still number 1.
    assert demo_till.reports.x_report().totals.sales_count == 1
    z = demo_till.reports.close_day(10000 + taken - 30, closed_by="Chris", accepted_by="Mia")
    assert z.z_number == 1 and z.over_short_cents == -30
    data = z.to_dict()
    assert data["over_short_accepted_by"] == "Mia" and data["counted_cents"] == 10000 + taken - 30


def test_the_next_period_starts_from_zero_and_asks_for_a_float(demo_till: Till) -> None:
    demo_till.cash.record_float("100", demo_till.staff.current)
    demo_till.cash.move("out", "5", "stamps", _approval(demo_till))
    _cash_sale(demo_till)
    first = demo_till.reports.close_day()
    assert demo_till.cash.needs_float()
    x = demo_till.reports.x_report()
    assert (x.opening_float_cents, x.totals.cash_out_cents, x.totals.sales_count) == (0, 0, 0)
    demo_till.cash.record_float("80", demo_till.staff.current)
    demo_till.cash.move("in", "3", "coins", _approval(demo_till))
    second = demo_till.reports.close_day()
    assert second.z_number == first.z_number + 1
    assert second.opening_float_cents == 8000 and second.totals.cash_in_cents == 300
    assert second.totals.cash_out_cents == 0
    # A stored Z reads back with its cash fields.
    day = demo_till.register.clock().date()
    again = demo_till.reports.z_reports(day)
    assert [r.to_dict() for r in again] == [first.to_dict(), second.to_dict()]


def test_movements_are_records_that_cannot_be_edited(demo_till: Till) -> None:
    demo_till.cash.record_float("10", demo_till.staff.current)
    with pytest.raises(Exception, match="never changed"):
        demo_till.db.execute_sql("UPDATE cash_movement SET amount_cents = 0")


def test_counting_pieces() -> None:
    notes = denominations(["0.05", "20.00", "5.00", "20.00"])
    assert [d.cents for d in notes] == [2000, 500, 5]
    assert count_total({Denomination(2000): 3, Denomination(5): 7}) == 6035
    assert parse_pieces("") == 0 and parse_pieces(" 12 ") == 12
    for bad in ("1.5", "-2", "x", "100001", "١٢"):
        with pytest.raises(CashError):
            parse_pieces(bad)
