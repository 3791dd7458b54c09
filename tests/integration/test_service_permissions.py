"""The services refuse what the acting role may not do, however they are called.

Each gated use case is called directly (no screen, no CLI) with an approval by a cashier
alone: refused with PermissionDenied, audited as ``refused``, nothing stored. The same
call approved by someone whose role may do it goes through.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.support.approvals import approved
from tests.support.audit import last_audit, rows
from tests.support.drawers import FakeDrawer
from tests.support.tills import fixed_clock
from tui_pos.bootstrap import Till
from tui_pos.domain.staff import Action, Approval, Employee, Permissions, Role
from tui_pos.models.drawer_store import SqliteDrawerEventStore
from tui_pos.services.drawer import Drawer
from tui_pos.services.permissions import PermissionDenied

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B


@pytest.fixture(autouse=True)
def staff(demo_till: Till) -> None:
    """A cashier (3) and a supervisor (2) beside the logged-in manager."""
    demo_till.staff.add_employee(
        "3", "Cal Cashier", Role.CASHIER, "9024", approval=approved(demo_till, Action.STAFF_ADMIN)
    )
    demo_till.staff.add_employee(
        "2",
        "Sam Supervisor",
        Role.SUPERVISOR,
        "1357",
        approval=approved(demo_till, Action.STAFF_ADMIN),
    )


def who(till: Till, code: str) -> Employee:
    """1 is the logged-in manager, 2 a supervisor, 3 a cashier."""
    if code == "1":
        assert till.staff.current is not None
        return till.staff.current
    found = till.staff.store.by_code(code)
    assert found is not None
    return found.employee


def test_void_sale(demo_till: Till) -> None:
    reg, cashier = demo_till.register, who(demo_till, "3")
    reg.enter(LOAF)
    with pytest.raises(PermissionDenied, match="may not do this: Void sale"):
        reg.void_sale(Approval(Action.VOID_SALE, cashier))
    assert last_audit(demo_till)[:3] == ("void_sale", "refused", cashier.name)
    assert rows(demo_till, "SELECT COUNT(*) FROM sale") == [(0,)] and len(reg.cart.lines) == 1
    with pytest.raises(PermissionDenied):  # an approval for something else does not count
        reg.void_sale(Approval(Action.VOID_LINE, cashier))
    doc = reg.void_sale(Approval(Action.VOID_SALE, cashier, who(demo_till, "2")))
    assert doc is not None and doc.status == "voided"


def test_cash_in_and_out(demo_till: Till) -> None:
    cashier = who(demo_till, "3")
    with pytest.raises(PermissionDenied, match="Cash in / out"):
        demo_till.cash.move("out", "20", "window cleaner", Approval(Action.CASH_IN_OUT, cashier))
    assert last_audit(demo_till)[:3] == ("cash_in_out", "refused", cashier.name)
    assert rows(demo_till, "SELECT COUNT(*) FROM cash_movement WHERE kind = 'out'") == [(0,)]
    approval = Approval(Action.CASH_IN_OUT, cashier, who(demo_till, "2"))
    assert demo_till.cash.move("out", "20", "window cleaner", approval) == 2000
    assert last_audit(demo_till)[:2] == ("cash_out", "done")


def test_z_close_and_accepting_a_difference(demo_till: Till) -> None:
    cashier, supervisor = who(demo_till, "3"), who(demo_till, "2")
    with pytest.raises(PermissionDenied, match="Z close"):
        demo_till.reports.close_day(Approval(Action.Z_CLOSE, cashier))
    assert last_audit(demo_till)[:3] == ("z_close", "refused", cashier.name)
    assert rows(demo_till, "SELECT COUNT(*) FROM z_close") == [(0,)]
    z = Approval(Action.Z_CLOSE, supervisor)
    expected = demo_till.reports.x_report().cash_expected_cents
    # Accepting over/short is for managers: a supervisor's own acceptance is refused.
    with pytest.raises(PermissionDenied, match="Accept cash over/short"):
        demo_till.reports.close_day(
            z, expected + 100, Approval(Action.ACCEPT_OVER_SHORT, supervisor)
        )
    assert rows(demo_till, "SELECT COUNT(*) FROM z_close") == [(0,)]
    accepted = Approval(Action.ACCEPT_OVER_SHORT, supervisor, who(demo_till, "1"))
    report = demo_till.reports.close_day(z, expected + 100, accepted)
    assert (report.z_number, report.closed_by) == (1, supervisor.name)
    assert report.accepted_by == who(demo_till, "1").name
    assert last_audit(demo_till)[:3] == ("z_closed", "done", supervisor.name)


def test_refund(demo_till: Till) -> None:
    reg, cashier = demo_till.register, who(demo_till, "3")
    reg.enter(LOAF)
    sold = reg.pay_card("", "AUTH1")
    assert sold is not None
    returns = demo_till.returns
    returns.return_line(returns.open_sale(str(sold.seq)).lines[0])
    with pytest.raises(PermissionDenied, match="Refund"):
        returns.refund("cash", approval=Approval(Action.REFUND, cashier))
    assert last_audit(demo_till)[:3] == ("refund", "refused", cashier.name)
    assert rows(demo_till, "SELECT COUNT(*) FROM sale") == [(1,)] and reg.has_payments is False
    done = returns.refund("cash", approval=Approval(Action.REFUND, cashier, who(demo_till, "2")))
    assert done is not None and done.total_cents == -149


def test_stock_adjustment(demo_till: Till) -> None:
    supervisor = who(demo_till, "2")
    with pytest.raises(PermissionDenied, match="Product and stock admin"):
        demo_till.stock.adjust(LOAF, "-2", "broken", Approval(Action.PRODUCT_ADMIN, supervisor))
    assert last_audit(demo_till)[:3] == ("product_admin", "refused", supervisor.name)
    assert rows(demo_till, "SELECT COUNT(*) FROM stock_movement WHERE kind = 'adjustment'") == [
        (0,)
    ]
    level = demo_till.stock.adjust(
        LOAF, "-2", "broken", Approval(Action.PRODUCT_ADMIN, who(demo_till, "1"))
    )
    assert level.name.startswith("White Loaf")


def test_void_line(demo_till: Till) -> None:
    # Cashiers may void a line by default: a shop that takes it away from them.
    staff = demo_till.staff
    staff.settings = replace(
        staff.settings,
        permissions=Permissions.with_overrides({"cashier": ["x_report"]}),
    )
    reg, cashier = demo_till.register, who(demo_till, "3")
    reg.enter(LOAF)
    with pytest.raises(PermissionDenied, match="may not do this: Void line"):
        reg.void_line(0, Approval(Action.VOID_LINE, cashier))
    assert last_audit(demo_till)[:3] == ("void_line", "refused", cashier.name)
    assert len(reg.cart.lines) == 1 and reg.cart.voided_lines == 0
    removed = reg.void_line(0, Approval(Action.VOID_LINE, cashier, who(demo_till, "2")))
    assert removed.name.startswith("White Loaf") and reg.cart.is_empty


def test_no_sale(demo_till: Till) -> None:
    kicks = FakeDrawer()
    events = SqliteDrawerEventStore(demo_till.db)
    drawer = Drawer(
        kicks, events, demo_till.staff, till="T1", pin=2, pulse_ms=120, clock=fixed_clock
    )
    cashier = who(demo_till, "3")
    with pytest.raises(PermissionDenied, match="No sale"):
        drawer.no_sale(drawer.monotonic(), Approval(Action.NO_SALE, cashier))
    assert last_audit(demo_till)[:3] == ("no_sale", "refused", cashier.name)
    assert kicks.kicks == [] and rows(demo_till, "SELECT COUNT(*) FROM drawer_event") == [(0,)]
    approval = Approval(Action.NO_SALE, cashier, who(demo_till, "2"))
    assert drawer.no_sale(drawer.monotonic(), approval) is None
    assert kicks.kicks == [(2, 120)]
    # The drawer also opens for a cash movement, under that movement's approval.
    assert (
        drawer.no_sale(drawer.monotonic(), Approval(Action.CASH_IN_OUT, who(demo_till, "2")))
        is None
    )
    assert rows(demo_till, "SELECT reason, sent FROM drawer_event") == [("no_sale", 1)] * 2


def test_price_override(demo_till: Till) -> None:
    reg, cashier = demo_till.register, who(demo_till, "3")
    reg.enter(LOAF)
    with pytest.raises(PermissionDenied, match="Price override"):
        reg.set_line_price(0, "0.10", Approval(Action.PRICE_OVERRIDE, cashier))
    assert last_audit(demo_till)[:3] == ("price_override", "refused", cashier.name)
    assert reg.cart.lines[0].unit_price_cents == 149
    reg.set_line_price(0, "0.10", Approval(Action.PRICE_OVERRIDE, cashier, who(demo_till, "1")))
    assert reg.cart.lines[0].unit_price_cents == 10
