"""The thin App: slow checks off the UI thread, flows in workers, the device hub's
messages, the register's cashier following the staff service."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Static

from tests.support.settle import settle
from tests.support.tills import MANAGER_CODE, MANAGER_PIN
from tui_pos.app import PosApp, build_app
from tui_pos.bootstrap import Till
from tui_pos.messages import DeviceFailed, DrawerOpened
from tui_pos.screens.authorize import LoginScreen
from tui_pos.screens.dialogs import BusyScreen
from tui_pos.screens.receipt import ReceiptScreen
from tui_pos.screens.register import RegisterScreen
from tui_pos.widgets.credentials_line import CredentialsLine


class Gate:
    """Wraps a real call: records the thread it runs in and holds it until opened."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.entered = threading.Event()
        self.go = threading.Event()
        self.threads: list[threading.Thread] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.current_thread())
        self.entered.set()
        assert self.go.wait(10), "the test never opened the gate"
        return self.real(*args, **kwargs)


async def _until_entered(pilot: Pilot[Any], gate: Gate) -> None:
    for _ in range(200):
        if gate.entered.is_set():
            return
        await pilot.pause(0.01)
    raise AssertionError("the gated call never started")


async def test_the_pin_check_runs_in_a_thread_with_the_field_disabled(till: Till) -> None:
    app = build_app(till)
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        gate = Gate(till.staff.log_in)
        till.staff.log_in = gate  # type: ignore[method-assign]
        await pilot.press(*MANAGER_CODE, "enter", *MANAGER_PIN, "enter")
        await _until_entered(pilot, gate)
        await pilot.pause()
        field = app.screen.query_one(CredentialsLine)
        assert field.disabled
        assert "Checking" in str(app.screen.query_one("#credentials-error", Static).render())
        await pilot.press("9", "enter")  # typed meanwhile: goes nowhere
        assert isinstance(app.screen, LoginScreen) and till.staff.current is None
        gate.go.set()
        await settle(pilot)
        assert gate.threads[0] is not threading.main_thread()
        assert till.staff.current is not None and till.staff.current.code == MANAGER_CODE
        assert till.register.cashier == till.staff.current  # through the service
        assert not isinstance(app.screen, LoginScreen)


async def test_a_wrong_pin_is_refused_and_the_field_takes_keys_again(till: Till) -> None:
    app = build_app(till)
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press(*MANAGER_CODE, "enter", "0", "0", "0", "0", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        field = app.screen.query_one(CredentialsLine)
        assert not field.disabled and app.focused is field
        error = str(app.screen.query_one("#credentials-error", Static).render())
        assert "Checking" not in error and error
        assert till.register.cashier is None


async def test_the_x_report_is_read_in_a_thread_behind_a_busy_dialog(till: Till) -> None:
    app = build_app(till)
    gate = Gate(till.reports.x_report)
    till.reports.x_report = gate  # type: ignore[method-assign]
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+k")
        await pilot.pause()
        await pilot.press("x")
        await _until_entered(pilot, gate)
        await pilot.pause()
        assert isinstance(app.screen, BusyScreen)
        await pilot.press("escape", "f10")  # no key does anything meanwhile
        assert isinstance(app.screen, BusyScreen)
        gate.go.set()
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert gate.threads[0] is not threading.main_thread()


class RecordingApp(PosApp):
    """The real App, remembering the messages it was sent."""

    def __init__(self, till: Till) -> None:
        super().__init__(till)
        self.received: list[Message] = []

    def post_message(self, message: Message) -> bool:
        self.received.append(message)
        return super().post_message(message)


async def test_the_hub_posts_what_happened_and_the_app_shows_it(till: Till) -> None:
    app = RecordingApp(till)  # the till has no drawer: a no-sale cannot open one
    async with app.run_test(size=(110, 35)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await settle(pilot)
        kinds = [type(m) for m in app.received if isinstance(m, DeviceFailed | DrawerOpened)]
        assert kinds == [DeviceFailed, DrawerOpened]
        failed = next(m for m in app.received if isinstance(m, DeviceFailed))
        assert failed.device == "Drawer" and failed.short == "not opened"
        screen = app.screen
        assert isinstance(screen, RegisterScreen)
        assert "Drawer: not opened" in str(screen.store_bar.render())
        assert "Drawer not opened" in str(screen.query_one("#message", Static).render())


def test_the_registers_cashier_follows_the_staff_service(till: Till) -> None:
    assert till.register.cashier is not None
    till.staff.lock("test")
    assert till.staff.current is None and till.register.cashier is None
    employee = till.staff.log_in(MANAGER_CODE, MANAGER_PIN)
    assert till.register.cashier == employee
