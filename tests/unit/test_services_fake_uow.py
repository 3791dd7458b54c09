"""Service use cases against in-memory stores and the FakeUnitOfWork: no SQLite.

What a use case writes is committed once, or rolled back as a whole when a write in the
middle fails; a gated use case refuses an approval that does not cover it and audits it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

import pytest

from tests.support.memory_stores import MemoryCashStore, MemoryStaffStore, MemoryTaxCodes
from tui_pos.domain.errors import DomainError, StorageError
from tui_pos.domain.pin import ScryptCost
from tui_pos.domain.staff import Action, Approval, Employee, Role
from tui_pos.domain.tax import TaxRate
from tui_pos.services.cash import CashDesk
from tui_pos.services.permissions import PermissionDenied
from tui_pos.services.staff import Staff
from tui_pos.services.staff_records import StaffSettings
from tui_pos.services.tax_codes import TaxCodes
from tui_pos.services.unit_of_work import FakeUnitOfWork

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
CHEAP = StaffSettings(cost=ScryptCost(n=2**4, r=1, p=1))


def clock() -> datetime:
    return NOW


class Shop(NamedTuple):
    staff: Staff
    cash: CashDesk
    staff_store: MemoryStaffStore
    cash_store: MemoryCashStore
    uow: FakeUnitOfWork


@pytest.fixture
def shop() -> Shop:
    staff_store, cash_store = MemoryStaffStore(), MemoryCashStore()
    uow = FakeUnitOfWork(staff_store, cash_store)
    staff = Staff(staff_store, uow, "T1", b"k" * 32, clock, CHEAP)
    mia = staff.add_employee("1", "Mia Manager", Role.MANAGER, "2468")  # the first: no approval
    admin = Approval(Action.STAFF_ADMIN, mia)
    staff.add_employee("2", "Sam Supervisor", Role.SUPERVISOR, "1357", approval=admin)
    staff.add_employee("3", "Cal Cashier", Role.CASHIER, "9024", approval=admin)
    uow.commits = 0  # count from here
    return Shop(staff, CashDesk(cash_store, uow, staff, "T1", clock), staff_store, cash_store, uow)


def employee(store: MemoryStaffStore, code: str) -> Employee:
    found = store.by_code(code)
    assert found is not None
    return found.employee


def _admin(store: MemoryStaffStore) -> Approval:
    return Approval(Action.STAFF_ADMIN, employee(store, "1"))


def test_a_staff_change_and_its_audit_line_are_one_commit(shop: Shop) -> None:
    staff, _cash, store, _cash_store, uow = shop
    staff.add_employee("4", "New Person", Role.CASHIER, "4711", approval=_admin(store))
    assert uow.commits == 1 and uow.rollbacks == 0
    assert store.by_code("4") is not None
    assert store.audit_log[-1].action == "staff_add" and "New Person" in store.audit_log[-1].detail


def test_a_failed_audit_write_rolls_the_change_back(shop: Shop) -> None:
    staff, _cash, store, _cash_store, uow = shop
    audit_before = list(store.audit_log)
    store.fail_next_audit = True
    with pytest.raises(StorageError, match="disk is full"):
        staff.add_employee("4", "New Person", Role.CASHIER, "4711", approval=_admin(store))
    assert store.by_code("4") is None  # the employee went with the failed audit line
    assert store.audit_log == audit_before
    assert (uow.commits, uow.rollbacks) == (0, 1)


def test_cash_out_by_a_cashier_alone_is_refused_and_audited(shop: Shop) -> None:
    _staff, cash, store, cash_store, uow = shop
    cashier = employee(store, "3")
    with pytest.raises(PermissionDenied, match="Cal Cashier may not do this: Cash in / out"):
        cash.move("out", "20", "window cleaner", Approval(Action.CASH_IN_OUT, cashier))
    assert cash_store.movements == [] and uow.commits == 0
    last = store.audit_log[-1]
    assert (last.action, last.outcome, last.employee_name) == (
        "cash_in_out",
        "refused",
        "Cal Cashier",
    )


def test_cash_out_approved_by_a_supervisor_is_one_commit_with_its_audit_line(
    shop: Shop,
) -> None:
    _staff, cash, store, cash_store, uow = shop
    approval = Approval(Action.CASH_IN_OUT, employee(store, "3"), employee(store, "2"))
    assert cash.move("out", "20", "window cleaner", approval) == 2000
    assert cash_store.movements == [
        ("out", 2000, "window cleaner", "Cal Cashier", "Sam Supervisor")
    ]
    last = store.audit_log[-1]
    assert (last.action, last.employee_name, last.approver_name) == (
        "cash_out",
        "Cal Cashier",
        "Sam Supervisor",
    )
    assert (uow.commits, uow.rollbacks) == (1, 0)


def test_a_cash_movement_whose_audit_line_fails_is_not_kept(shop: Shop) -> None:
    _staff, cash, store, cash_store, uow = shop
    store.fail_next_audit = True
    with pytest.raises(StorageError):
        cash.move("in", "5", "coins", Approval(Action.CASH_IN_OUT, employee(store, "1")))
    assert cash_store.movements == [] and (uow.commits, uow.rollbacks) == (0, 1)


@pytest.mark.parametrize(
    "approval",
    [
        None,  # nobody
        Approval(Action.Z_CLOSE, Employee(9, "9", "Other Action", Role.MANAGER)),  # wrong action
        Approval(Action.CASH_IN_OUT, Employee(9, "9", "Gone", Role.MANAGER, active=False)),
    ],
    ids=["no approval", "approval of another action", "inactive manager"],
)
def test_what_does_not_cover_the_action_is_refused(
    shop: Shop,
    approval: Approval | None,
) -> None:
    _staff, cash, store, cash_store, _uow = shop
    with pytest.raises(PermissionDenied):
        cash.move("in", "5", "coins", approval)  # type: ignore[arg-type]
    assert cash_store.movements == [] and store.audit_log[-1].outcome == "refused"


def test_a_till_without_staff_allows_everything() -> None:
    staff_store, cash_store = MemoryStaffStore(), MemoryCashStore()
    uow = FakeUnitOfWork(staff_store, cash_store)
    staff = Staff(staff_store, uow, "T1", b"k" * 32, clock, CHEAP)
    cash = CashDesk(cash_store, uow, staff, "T1", clock)
    assert cash.move("in", "5", "coins", Approval(Action.CASH_IN_OUT, None)) == 500
    assert len(cash_store.movements) == 1


def test_nested_units_of_work_commit_once() -> None:
    store = MemoryCashStore()
    uow = FakeUnitOfWork(store)
    with pytest.raises(RuntimeError), uow:
        store.record("T1", "in", 100, "a", None, "", NOW)
        with uow:
            store.record("T1", "in", 200, "b", None, "", NOW)
        raise RuntimeError("after the inner block")
    assert store.movements == [] and (uow.commits, uow.rollbacks) == (0, 1)
    with uow, uow:
        store.record("T1", "in", 300, "c", None, "", NOW)
    assert len(store.movements) == 1 and uow.commits == 1


def _tax_codes(shop: Shop) -> tuple[TaxCodes, MemoryTaxCodes, FakeUnitOfWork]:
    codes = MemoryTaxCodes()
    uow = FakeUnitOfWork(shop.staff_store, codes)
    configured = {"A": TaxRate("A", "Standard", 2000)}
    return TaxCodes(codes, lambda: configured | codes.codes, uow, shop.staff), codes, uow


def test_a_tax_code_set_by_a_manager_is_one_commit_with_its_audit_line(shop: Shop) -> None:
    taxes, codes, uow = _tax_codes(shop)
    manager = employee(shop.staff_store, "1")
    done = taxes.set("A", 2100, None, Approval(Action.PRODUCT_ADMIN, manager))
    assert done == TaxRate("A", "Standard", 2100) and codes.codes == {"A": done}
    last = shop.staff_store.audit_log[-1]
    assert (last.action, last.outcome, last.employee_name, last.detail) == (
        "tax_set",
        "done",
        "Mia Manager",
        "A 21% (Standard)",
    )
    assert (uow.commits, uow.rollbacks) == (1, 0)


def test_a_tax_code_set_by_a_supervisor_is_refused_audited_and_not_stored(shop: Shop) -> None:
    taxes, codes, uow = _tax_codes(shop)
    supervisor = employee(shop.staff_store, "2")
    with pytest.raises(PermissionDenied, match="Sam Supervisor may not do this: Product"):
        taxes.set("Z", 0, "Zero", Approval(Action.PRODUCT_ADMIN, supervisor))
    last = shop.staff_store.audit_log[-1]
    assert (last.action, last.outcome, last.detail) == (
        "product_admin",
        "refused",
        "tax Z 0% (Zero)",
    )
    assert codes.codes == {} and uow.commits == 0


def test_a_tax_code_whose_audit_line_fails_is_not_kept(shop: Shop) -> None:
    taxes, codes, uow = _tax_codes(shop)
    shop.staff_store.fail_next_audit = True
    with pytest.raises(StorageError):
        taxes.set("A", 2100, None, Approval(Action.PRODUCT_ADMIN, employee(shop.staff_store, "1")))
    assert codes.codes == {} and (uow.commits, uow.rollbacks) == (0, 1)


@pytest.mark.parametrize(
    ("code", "rate_bp", "problem"),
    [("A-1", 2000, "1-8 letters or digits"), ("TOOLONGCODE", 2000, "1-8"), ("A", 10_001, "0 to")],
)
def test_a_bad_tax_code_or_rate_is_refused_before_anything(
    shop: Shop, code: str, rate_bp: int, problem: str
) -> None:
    taxes, codes, uow = _tax_codes(shop)
    audited = len(shop.staff_store.audit_log)
    with pytest.raises(DomainError, match=problem):
        taxes.set(code, rate_bp, None, None)
    assert codes.codes == {} and len(shop.staff_store.audit_log) == audited
