"""Staff: the permission matrix, PINs, lock-out, badges, approvals, audit, time clock."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.approvals import approved
from tests.support.tills import MANAGER_CODE, MANAGER_PIN, TEST_PIN_COST, fixed_clock
from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.domain.errors import StorageError
from tui_pos.domain.pin import check_pin_shape, hash_pin, verify_pin
from tui_pos.domain.staff import (
    DEFAULT_GRANTS,
    Action,
    Approval,
    Permissions,
    Role,
    StaffError,
)
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.services.staff_records import AuditEvent


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shop(tmp_path: Path, clock: Clock) -> Till:
    """A till with a manager, a supervisor and a cashier; nobody logged in."""
    till = open_till(
        Config(),
        tmp_path / "till.db",
        printer=RecordingPrinter(),
        clock=clock,
        pin_cost=TEST_PIN_COST,
    )
    people = (
        ("1", "Mia Manager", Role.MANAGER, "2468", None),  # the first: nobody to approve
        ("2", "Sam Supervisor", Role.SUPERVISOR, "1357", "EMP0002"),
        ("3", "Chris Cashier", Role.CASHIER, "9024", "EMP0003"),
    )
    for code, name, role, pin, badge in people:
        till.staff.add_employee(code, name, role, pin, badge, approved(till, Action.STAFF_ADMIN))
    return till


# -- the permission matrix ------------------------------------------------------------
#: Which role may do each gated action alone (the rest ask for an approval).
EXPECTED: dict[Action, set[Role]] = {
    Action.VOID_LINE: {Role.CASHIER, Role.SUPERVISOR, Role.MANAGER},
    Action.X_REPORT: {Role.CASHIER, Role.SUPERVISOR, Role.MANAGER},
    Action.VOID_SALE: {Role.SUPERVISOR, Role.MANAGER},
    Action.DISCOUNT_OVER_LIMIT: {Role.SUPERVISOR, Role.MANAGER},
    Action.PRICE_OVERRIDE: {Role.SUPERVISOR, Role.MANAGER},
    Action.REFUND: {Role.SUPERVISOR, Role.MANAGER},
    Action.RETURN_WITHOUT_RECEIPT: {Role.SUPERVISOR, Role.MANAGER},
    Action.NO_SALE: {Role.SUPERVISOR, Role.MANAGER},
    Action.CASH_IN_OUT: {Role.SUPERVISOR, Role.MANAGER},
    Action.Z_CLOSE: {Role.SUPERVISOR, Role.MANAGER},
    Action.REPORTS: {Role.SUPERVISOR, Role.MANAGER},
    Action.ACCEPT_OVER_SHORT: {Role.MANAGER},
    Action.PRODUCT_ADMIN: {Role.MANAGER},
    Action.STAFF_ADMIN: {Role.MANAGER},
    Action.CUSTOMER_ADMIN: {Role.MANAGER},
    Action.AUDIT_READ: {Role.MANAGER},
    Action.QUIT: {Role.MANAGER},  # a kiosk till is not left by a cashier
    Action.DATABASE_ADMIN: {Role.MANAGER},
    Action.DATABASE_RESTORE: {Role.MANAGER},
}

LOGINS = {Role.MANAGER: ("1", "2468"), Role.SUPERVISOR: ("2", "1357"), Role.CASHIER: ("3", "9024")}


def test_the_matrix_names_every_action() -> None:
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_permission_matrix_allowed_or_asks_for_approval(
    shop: Till, role: Role, action: Action
) -> None:
    """Every role x every gated action: done alone and recorded, or refused alone and
    approved by a manager's PIN (the approval names both)."""
    code, pin = LOGINS[role]
    me = shop.staff.log_in(code, pin)
    if role in EXPECTED[action]:
        assert shop.staff.may(action)
        approval = shop.staff.allowed(action, "test")
        assert approval == Approval(action, me, None)
        outcome = "done"
    else:
        assert not shop.staff.may(action)
        with pytest.raises(StaffError, match="may not do this"):
            shop.staff.allowed(action, "test")
        approval = shop.staff.approve(action, "1", "2468", "test")
        assert approval.actor == me and approval.approver is not None
        assert approval.approver.name == "Mia Manager"
        outcome = "approved"
    last = shop.staff.audit_log(
        shop.staff.clock() - timedelta(1), shop.staff.clock() + timedelta(1)
    )[0]
    assert (last.action, last.outcome, last.employee_name) == (action.value, outcome, me.name)


def test_an_approver_without_the_right_is_refused_and_recorded(shop: Till) -> None:
    shop.staff.log_in("3", "9024")
    with pytest.raises(StaffError, match="Sam Supervisor may not approve this"):
        shop.staff.approve(Action.STAFF_ADMIN, "2", "1357", "add someone")
    events = shop.staff.audit_log(
        shop.staff.clock() - timedelta(1), shop.staff.clock() + timedelta(1)
    )
    assert events[0].outcome == "refused" and events[0].approver_name == "Sam Supervisor"


def test_config_replaces_a_roles_grants() -> None:
    permissions = Permissions.with_overrides({"cashier": ["no_sale"]})
    assert permissions.allows(Role.CASHIER, Action.NO_SALE)
    assert not permissions.allows(Role.CASHIER, Action.VOID_LINE)
    assert permissions.grants[Role.MANAGER] == DEFAULT_GRANTS[Role.MANAGER]
    with pytest.raises(StaffError, match="Unknown action 'fly'"):
        Permissions.with_overrides({"cashier": ["fly"]})
    with pytest.raises(StaffError, match="Unknown role 'owner'"):
        Permissions.with_overrides({"owner": []})


# -- PINs -------------------------------------------------------------------------------
def test_pins_are_peppered_salted_hashes() -> None:
    one = hash_pin("4821", b"k" * 32, TEST_PIN_COST)
    two = hash_pin("4821", b"k" * 32, TEST_PIN_COST)
    assert one != two and "4821" not in one  # salted
    assert verify_pin("4821", one, b"k" * 32)
    assert not verify_pin("4821", one, b"x" * 32)  # a stolen database without the key
    assert not verify_pin("4822", one, b"k" * 32)
    assert not verify_pin("4821", "garbage", b"k" * 32)


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        ("12", "4 to 8 digits"),
        ("123456789", "4 to 8 digits"),
        ("12a4", "4 to 8 digits"),
        ("١٢٣٤", "4 to 8 digits"),  # Arabic-Indic digits are not typed on a till keypad
        ("0000", "too easy"),
        ("1234", "too easy"),
        ("6543", "too easy"),
    ],
)
def test_bad_pins_are_refused(pin: str, message: str) -> None:
    with pytest.raises(StaffError, match=message):
        check_pin_shape(pin)


def test_the_database_never_holds_a_pin(shop: Till) -> None:
    raw = shop.db_path.read_bytes() + (shop.db_path.parent / "till.db-wal").read_bytes()
    for pin in (b"2468", b"1357", b"9024"):
        # Not inside a hex string (digests, MACs and tokens hold any four digits by chance).
        assert not re.search(rb"(?<![0-9a-fA-F])" + pin + rb"(?![0-9a-fA-F])", raw), pin


def test_the_pin_key_is_private_and_outside_the_database(shop: Till) -> None:
    key = shop.db_path.parent / "pin.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_text().strip() not in shop.db_path.read_bytes().hex()


def test_a_damaged_pin_key_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "pin.key").write_text("not hex\n")
    with pytest.raises(StorageError, match="PIN key .* is damaged"):
        open_till(Config(), tmp_path / "till.db", printer=RecordingPrinter())


# -- log-in and lock-out ------------------------------------------------------------------
def test_wrong_pins_count_down_then_lock_the_employee(shop: Till, clock: Clock) -> None:
    for left in (4, 3, 2, 1):
        with pytest.raises(StaffError, match=f"Wrong PIN \\({left} tr"):
            shop.staff.log_in("3", "1111")
    with pytest.raises(StaffError, match="locked for 15 minutes"):
        shop.staff.log_in("3", "1111")
    with pytest.raises(StaffError, match="locked after too many wrong PINs"):
        shop.staff.log_in("3", "9024")  # even the right PIN, while locked
    with pytest.raises(StaffError, match="locked"):
        shop.staff.log_in_badge("EMP0003")
    assert shop.staff.current is None
    clock.now += timedelta(minutes=16)
    assert shop.staff.log_in("3", "9024").name == "Chris Cashier"
    # A good PIN resets the count: four more wrong ones do not lock.
    for _ in range(4):
        with pytest.raises(StaffError, match="Wrong PIN"):
            shop.staff.log_in("3", "1111")
    assert shop.staff.log_in("3", "9024")


def test_a_right_pin_is_audited_in_the_transaction_that_counts_it(shop: Till) -> None:
    """A wrong PIN typed elsewhere (another thread: its own connection and transaction)
    while a right one is being accepted is logged after the log-in, never between the
    check and its record (the lock-out replay of the audit log depends on it; a CI run of
    the 30-process race once saw it otherwise)."""
    guesses: list[threading.Thread] = []
    append = shop.staff.store.append_audit

    def append_then_guess(till: str, event: AuditEvent) -> None:
        if event.action == "login" and event.outcome == "done" and not guesses:
            guess = threading.Thread(target=_wrong_pin, args=(shop, "3"))
            guesses.append(guess)
            guess.start()
            guess.join(0.5)  # time enough to be logged first, were the log-in's lock gone
        append(till, event)

    shop.staff.store.append_audit = append_then_guess  # type: ignore[method-assign]
    shop.staff.log_in("3", "9024")
    guesses[0].join(30)
    now = shop.staff.clock()
    log = shop.staff.audit_log(now - timedelta(days=1), now + timedelta(days=1))
    logins = [
        (e.outcome, e.detail) for e in sorted(log, key=lambda e: e.seq or 0) if e.action == "login"
    ]
    assert logins[-2:] == [("done", ""), ("failed", "wrong PIN")]


def _wrong_pin(till: Till, code: str) -> None:
    with pytest.raises(StaffError, match="Wrong PIN"):
        till.staff.log_in(code, "1111")


def test_a_manager_unlocks_an_employee(shop: Till) -> None:
    for _ in range(5):
        with pytest.raises(StaffError):
            shop.staff.log_in("3", "1111")
    shop.staff.unlock("3", approval=approved(shop, Action.STAFF_ADMIN))
    assert shop.staff.log_in("3", "9024").code == "3"


def test_unknown_number_and_bad_input_say_the_same_and_change_nothing(shop: Till) -> None:
    with pytest.raises(StaffError, match="Unknown employee number or wrong PIN"):
        shop.staff.log_in("77", "2468")
    with pytest.raises(StaffError, match="Type your employee number"):
        shop.staff.log_in("abc", "2468")
    assert shop.staff.current is None


def test_inactive_employees_cannot_log_in(shop: Till) -> None:
    shop.staff.update_employee("3", active=False, approval=approved(shop, Action.STAFF_ADMIN))
    with pytest.raises(StaffError, match="Unknown employee number"):
        shop.staff.log_in("3", "9024")
    with pytest.raises(StaffError, match="no active employee"):
        shop.staff.log_in_badge("EMP0003")


def test_badges_log_in_and_must_be_unique(shop: Till) -> None:
    assert shop.staff.log_in_badge("EMP0002").name == "Sam Supervisor"
    with pytest.raises(StaffError, match="belongs to Sam Supervisor"):
        shop.staff.add_employee(
            "4",
            "Dee",
            Role.CASHIER,
            "8642",
            badge="EMP0002",
            approval=approved(shop, Action.STAFF_ADMIN),
        )
    with pytest.raises(StaffError, match="no active employee"):
        shop.staff.log_in_badge("EMP9999")


def test_employee_numbers_are_unique_and_checked(shop: Till) -> None:
    with pytest.raises(StaffError, match="number 3 is taken"):
        shop.staff.add_employee(
            "3", "Dee", Role.CASHIER, "8642", approval=approved(shop, Action.STAFF_ADMIN)
        )
    with pytest.raises(StaffError, match="1 to 8 digits"):
        shop.staff.add_employee(
            "A1", "Dee", Role.CASHIER, "8642", approval=approved(shop, Action.STAFF_ADMIN)
        )
    with pytest.raises(StaffError, match="1 to 60 characters"):
        shop.staff.add_employee(
            "4", "   ", Role.CASHIER, "8642", approval=approved(shop, Action.STAFF_ADMIN)
        )


def test_sales_carry_the_logged_in_cashier(shop: Till) -> None:
    ensure_demo_catalog(shop)
    employee = shop.staff.log_in("3", "9024")
    shop.register.cashier = employee
    shop.register.enter("5900000000015")
    doc = shop.register.pay_cash("10")
    assert doc is not None and doc.cashier == "Chris Cashier" and doc.employee_id == employee.id
    stored = shop.register.find_sale("1")
    assert stored.employee_id == employee.id
    assert "Cashier: Chris Cashier" in shop.receipts.lines(stored)


# -- audit log --------------------------------------------------------------------------
def test_every_log_in_failure_and_change_is_in_the_audit_log(shop: Till) -> None:
    with pytest.raises(StaffError):
        shop.staff.log_in("3", "1111")
    shop.staff.log_in("3", "9024")
    shop.staff.lock("test")
    window = (shop.staff.clock() - timedelta(1), shop.staff.clock() + timedelta(1))
    actions = [(e.action, e.outcome) for e in reversed(shop.staff.audit_log(*window))]
    assert actions == [
        ("staff_add", "done"),
        ("staff_add", "done"),
        ("staff_add", "done"),
        ("login", "failed"),
        ("login", "done"),
        ("logout", "done"),
    ]


def test_the_audit_log_cannot_be_edited(shop: Till) -> None:
    with pytest.raises(Exception, match="never changed"):
        shop.db.execute_sql("UPDATE audit_event SET detail = 'x'")
    with pytest.raises(Exception, match="never changed"):
        shop.db.execute_sql("DELETE FROM audit_event")


# -- time clock ---------------------------------------------------------------------------
def test_hours_from_clock_punches(shop: Till, clock: Clock) -> None:
    start = clock.now
    shop.staff.log_in("3", "9024")
    assert shop.staff.clock_in_out() == "in"
    clock.now += timedelta(hours=4, minutes=30)
    assert shop.staff.clock_in_out() == "out"
    clock.now += timedelta(hours=1)
    shop.staff.clock_in_out()  # in again, still working
    shop.staff.log_in("2", "1357")
    shop.staff.clock_in_out()
    clock.now += timedelta(hours=2)
    rows = {r.employee.name: r for r in shop.staff.hours(start, start + timedelta(days=1))}
    assert rows["Chris Cashier"].minutes == 4 * 60 + 30 + 120
    assert rows["Chris Cashier"].shifts == 2 and rows["Chris Cashier"].open_since is not None
    assert rows["Sam Supervisor"].minutes == 120
    assert "Mia Manager" not in rows
    # A shift running into the period counts from the period's start.
    later = shop.staff.hours(start + timedelta(hours=7), start + timedelta(days=1))
    assert {r.employee.name: r.minutes for r in later} == {
        "Chris Cashier": 30,
        "Sam Supervisor": 30,
    }


def test_fixture_manager_is_logged_in(till: Till) -> None:
    assert till.staff.current is not None and till.staff.current.code == MANAGER_CODE
    assert till.staff.log_in(MANAGER_CODE, MANAGER_PIN) == till.staff.current
    assert fixed_clock() == till.register.clock()
