"""Staff at the till, through the real app (Pilot): log-in, approvals, lock, blind Z."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.support.approvals import approved
from tests.support.settle import settle
from tests.support.tills import TEST_PIN_COST, fixed_clock
from tui_pos.app import PosApp, build_app
from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog, ensure_demo_staff
from tui_pos.domain.staff import Action
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.screens import authorize
from tui_pos.screens.authorize import LoginScreen, OverrideScreen
from tui_pos.screens.cash import CountScreen
from tui_pos.screens.dialogs import ConfirmScreen, PromptScreen
from tui_pos.screens.receipt import ReceiptScreen
from tui_pos.screens.register import RegisterScreen

LOAF = "5900000000015"  # 1.49


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Till]:
    """The demo store and staff (1 Mia manager 2468, 2 Sam supervisor 1357, 3 Chris
    cashier 9024), nobody logged in."""
    till = open_till(
        Config(),
        tmp_path / "till.db",
        printer=RecordingPrinter(),
        clock=fixed_clock,
        pin_cost=TEST_PIN_COST,
    )
    ensure_demo_catalog(till)
    ensure_demo_staff(till)
    yield till
    till.close()


async def _type(pilot, text: str) -> None:
    await pilot.press(*text, "enter")
    await settle(pilot)  # a PIN is checked in a thread: wait for it, not for a tick


def _text(app: PosApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _log_in(pilot, app: PosApp, code: str, pin: str, float_: str = "0") -> None:
    assert isinstance(app.screen, LoginScreen)
    await _type(pilot, code)
    await _type(pilot, pin)
    if isinstance(app.screen, PromptScreen):  # the opening float, first log-in of the day
        await _type(pilot, float_)
    assert isinstance(app.screen, RegisterScreen)


def _audit(till: Till) -> list[tuple[str, str, str, str]]:
    now = till.register.clock()
    events = till.staff.audit_log(now - timedelta(days=1), now + timedelta(days=1))
    return [(e.action, e.outcome, e.employee_name, e.approver_name) for e in reversed(events)]


async def test_log_in_wrong_pin_then_right_pin_and_float(shop: Till) -> None:
    app = build_app(shop)
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await _type(pilot, "3")
        await _type(pilot, "1111")
        assert "Wrong PIN (4 tries left)" in _text(app, "#credentials-error")
        assert isinstance(app.screen, LoginScreen)
        # Typed in one burst, as a keyboard-wedge badge reader or tmux sends it.
        await pilot.press(*"3", "enter", *"9024", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)  # the opening float
        await _type(pilot, "abc")
        assert isinstance(app.screen, PromptScreen)  # refused, still asking
        await _type(pilot, "150")
        assert isinstance(app.screen, RegisterScreen)
        assert "Chris Cashier" in _text(app, "#store-bar")
        assert shop.register.cashier is not None and shop.register.cashier.code == "3"
    assert shop.reports.x_report().opening_float_cents == 15000


async def test_a_cashier_void_needs_a_manager_pin(shop: Till) -> None:
    app = build_app(shop)
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        await _log_in(pilot, app, "3", "9024")
        await _type(pilot, LOAF)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        await _type(pilot, "2")
        await _type(pilot, "9999")
        assert "Wrong PIN" in _text(app, "#credentials-error")
        assert len(shop.register.cart.lines) == 1  # nothing changed
        await _type(pilot, "2")
        await _type(pilot, "1357")
        assert isinstance(app.screen, RegisterScreen)
        assert shop.register.cart.is_empty
    assert ("void_sale", "approved", "Chris Cashier", "Sam Supervisor") in _audit(shop)
    assert shop.reports.x_report().totals.voids_count == 1


async def test_cancelled_approval_changes_nothing(shop: Till) -> None:
    app = build_app(shop)
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        await _log_in(pilot, app, "3", "9024")
        await _type(pilot, LOAF)
        # A small discount is the cashier's own; a large one asks.
        await pilot.press("f4")
        await _type(pilot, "5%")
        assert shop.register.totals().discount_cents == 7
        await pilot.press("f4")
        await _type(pilot, "50%")
        assert isinstance(app.screen, OverrideScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert shop.register.totals().discount_cents == 7
        # A price override always asks a cashier for approval.
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        await _type(pilot, "1")
        await _type(pilot, "2468")
        assert isinstance(app.screen, PromptScreen)
        await _type(pilot, "0.99")
        assert shop.register.cart.lines[0].unit_price_cents == 99
    assert ("price_override", "approved", "Chris Cashier", "Mia Manager") in _audit(shop)


async def test_no_sale_as_a_cashier_asks_and_as_a_supervisor_does_not(shop: Till) -> None:
    app = build_app(shop)
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        await _log_in(pilot, app, "3", "9024")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert shop.register.cashier is None
        await _log_in(pilot, app, "2", "1357")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)  # no modal: Sam may
    audit = _audit(shop)
    assert ("logout", "done", "Chris Cashier", "") in audit
    assert ("no_sale", "done", "Sam Supervisor", "") in audit


async def test_idle_lock_keeps_the_open_sale(shop: Till) -> None:
    app = build_app(shop)
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        await _log_in(pilot, app, "3", "9024")
        await _type(pilot, LOAF)
        app.session.lock_if_idle()  # not idle yet
        assert isinstance(app.screen, RegisterScreen)
        app.session.last_key -= shop.staff.settings.lock_after_idle_seconds + 1
        app.session.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await _log_in(pilot, app, "2", "1357")
        assert len(shop.register.cart.lines) == 1
        assert "Sam Supervisor" in _text(app, "#store-bar")


async def test_blind_z_close_with_a_shortage_accepted_by_a_manager(shop: Till) -> None:
    app = build_app(shop)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await _log_in(pilot, app, "2", "1357", float_="100")
        await _type(pilot, LOAF)
        await pilot.press("f10")
        await pilot.pause()
        await _type(pilot, "1.49")  # exact cash
        assert isinstance(app.screen, RegisterScreen)
        expected = shop.reports.x_report().cash_expected_cents
        await pilot.press("ctrl+k")
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(app.screen, CountScreen)
        shown = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "101.49" not in shown and "expected" not in shown.lower()  # blind
        # 100.00 = 5 x 20; one 1.00 coin; 0.20 (four 0.05): 101.20, 0.29 short.
        await pilot.press("enter", "enter", "enter", "enter")  # 500, 200, 100, 50
        await _type(pilot, "5")  # 20.00
        await pilot.press("enter", "enter", "enter")  # 10, 5, 2
        await _type(pilot, "1")  # 1.00
        await pilot.press("enter", "enter", "enter")  # 0.50, 0.20, 0.10: on to 0.05
        await pilot.press(*"x")  # not a count: typed letters are refused by the field
        await _type(pilot, "4")  # 0.05 x 4
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one(".dialog-title").render())
        short = expected - 10120
        assert f"short {short / 100:.2f}" in question and "manager must accept" in question
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)  # Sam may close, not accept
        await _type(pilot, "1")
        await _type(pilot, "2468")
        assert isinstance(app.screen, ReceiptScreen)
        paper = str(app.screen.query_one("#receipt-text", Static).render())
        assert "Z report #1" in paper and "Accepted by" in paper and "Mia Manager" in paper
    z = shop.reports.z_reports(fixed_clock().date())[0].to_dict()
    assert z["counted_cents"] == 10120 and z["over_short_cents"] == -short
    assert z["closed_by"] == "Sam Supervisor" and z["over_short_accepted_by"] == "Mia Manager"
    assert shop.cash.needs_float()


async def test_a_badge_scan_hands_the_till_over(tmp_path: Path) -> None:
    config = Config()
    from dataclasses import replace

    from tui_pos.config import BarcodesConfig

    rules = (*BarcodesConfig().rules, ("99..........", "employee"))
    config = replace(config, barcodes=replace(config.barcodes, rules=rules))
    till = open_till(
        config,
        tmp_path / "t.db",
        printer=RecordingPrinter(),
        clock=fixed_clock,
        pin_cost=TEST_PIN_COST,
    )
    ensure_demo_staff(till)
    till.staff.update_employee(
        "2", badge="9900000000028", approval=approved(till, Action.STAFF_ADMIN)
    )
    app = build_app(till)
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        await _log_in(pilot, app, "3", "9024")
        await _type(pilot, "9900000000028")
        assert till.register.cashier is not None and till.register.cashier.code == "2"
        assert "Sam Supervisor" in _text(app, "#store-bar")
    till.close()


async def test_hours_and_audit_from_the_cash_menu(shop: Till) -> None:
    from tui_pos.screens.cash import TableScreen

    app = build_app(shop)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _log_in(pilot, app, "3", "9024")
        await pilot.press("ctrl+k", "c")  # clock in
        await pilot.pause()
        assert shop.staff.clocked_in()
        await pilot.press("ctrl+k", "a")  # the audit log: a cashier needs a manager
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        await _type(pilot, "1")
        await _type(pilot, "2468")
        assert isinstance(app.screen, TableScreen)
        text = " ".join(" ".join(r) for r in app.screen.rows)
        assert "clock_in" in text and "Chris Cashier" in text
        await pilot.press("escape")
        await pilot.press("ctrl+k", "h")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)  # hours: supervisors and managers
        await pilot.press("escape")


async def test_cash_out_with_a_reason_approved_for_a_cashier(shop: Till) -> None:
    app = build_app(shop)
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        await _log_in(pilot, app, "3", "9024", float_="50")
        await pilot.press("ctrl+k", "o")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        await _type(pilot, "2")
        await _type(pilot, "1357")
        assert isinstance(app.screen, PromptScreen)  # the amount
        await _type(pilot, "0")
        assert isinstance(app.screen, PromptScreen)  # refused: more than zero
        await _type(pilot, "12.50")
        assert isinstance(app.screen, PromptScreen)  # the reason
        await _type(pilot, "")
        assert isinstance(app.screen, PromptScreen)  # a reason is needed
        await _type(pilot, "window cleaner")
        assert isinstance(app.screen, RegisterScreen)
    x = shop.reports.x_report()
    assert (x.opening_float_cents, x.totals.cash_out_cents) == (5000, 1250)
    assert x.cash_expected_cents == 3750
    row = shop.db.execute_sql(
        "SELECT kind, amount_cents, reason, employee_name, approver_name FROM cash_movement"
        " WHERE kind = 'out'"
    ).fetchone()
    assert row == ("out", 1250, "window cleaner", "Chris Cashier", "Sam Supervisor")
    assert ("cash_out", "done", "Chris Cashier", "Sam Supervisor") in _audit(shop)


async def test_each_pin_check_collects_the_garbage_cycles_off_the_ui_thread(
    shop: Till, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After each PIN check, refused too, the credentials thread collects the cycles the
    start and the log-in left (tui_pos.free_memory), while the cashier waits anyway."""
    threads: list[str] = []
    monkeypatch.setattr(
        authorize, "collect_garbage", lambda: threads.append(threading.current_thread().name)
    )
    app = build_app(shop)
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        await _type(pilot, "3")
        await _type(pilot, "1111")
        assert isinstance(app.screen, LoginScreen)
        await _log_in(pilot, app, "3", "9024")
    assert len(threads) == 2
    assert threading.main_thread().name not in threads
