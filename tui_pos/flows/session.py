"""Who is at the till: log-in, the idle lock and the badge hand-over.

The register's cashier follows the staff service (``Staff.on_change``, wired in the
bootstrap): this flow logs in and out through the service and only shows the result.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tui_pos.domain.errors import PosError, StorageError
from tui_pos.domain.staff import Employee
from tui_pos.screens.authorize import LoginScreen
from tui_pos.screens.dialogs import FLOW_GROUP

if TYPE_CHECKING:
    from tui_pos.flows.cash import CashFlows
    from tui_pos.flows.host import FlowHost

#: How often the idle lock looks at the time since the last key (seconds).
IDLE_CHECK_SECONDS = 5.0


class Session:
    """Log-in, idle lock and badge hand-over for ``app``."""

    def __init__(self, app: FlowHost, cash: CashFlows, login_hint: str = "") -> None:
        self.app = app
        self.cash = cash  #: asks for the opening float after the period's first log-in
        self.staff = app.till.staff
        self.login_hint = login_hint  #: shown on the log-in screen (the demo's staff)
        self.last_key = time.monotonic()

    def start(self) -> None:
        """Ask for a log-in (or show who is logged in) and start the idle lock."""
        current = self.staff.current
        if current is None:
            self.require_login()
        else:
            self._show(current)
        if self.staff.settings.lock_after_idle_seconds:
            self.app.set_interval(IDLE_CHECK_SECONDS, self.lock_if_idle)

    def key_pressed(self) -> None:
        """A key was pressed: the till is in use."""
        self.last_key = time.monotonic()

    def lock_if_idle(self) -> None:
        """Lock the till after the configured time without a key press."""
        limit = self.staff.settings.lock_after_idle_seconds
        if self.staff.current is None or time.monotonic() - self.last_key < limit:
            return
        self.lock(reason=f"idle {limit} s")

    def lock(self, reason: str = "locked") -> None:
        """Log the cashier out; the open sale stays for whoever logs in next."""
        if self.staff.current is None:
            return
        name = self.staff.current.name
        try:
            self.staff.lock(reason)
        except StorageError as exc:
            self.app.notify(str(exc), severity="error")
        self.app.register_screen.store_bar.set_cashier("")
        self.require_login(f"{name} logged out ({reason}). Next: number, Enter, PIN, Enter")

    def require_login(self, note: str = "") -> None:
        """Show the log-in screen until someone logs in."""
        self.app.run_worker(self._log_in(note), group=FLOW_GROUP)

    async def _log_in(self, note: str) -> None:
        store = self.app.till.config.store
        hint = "\n".join(x for x in (note, self.login_hint) if x)
        employee = await self.app.push_screen_wait(LoginScreen(self.staff, store.name, hint))
        await self.logged_in(employee)

    async def logged_in(self, employee: Employee, *, greet: bool = True) -> None:
        """Show who is logged in; warn when not clocked in; ask for the opening float."""
        self._show(employee)
        if not greet:
            return
        self.app.notify(f"Hello {employee.name}")
        needs_float = self.app.till.cash.needs_float()
        clocked_in = self.staff.clocked_in(employee)
        if not clocked_in:
            self.app.notify("You are not clocked in: Ctrl+K then C", severity="warning")
        if needs_float:
            await self.cash.ask_float()

    def _show(self, employee: Employee) -> None:
        self.app.register_screen.store_bar.set_cashier(f"{employee.name} ({employee.role.value})")
        self.last_key = time.monotonic()

    def switch_cashier(self, badge: str) -> None:
        """A badge scanned at the register: that employee takes over the till."""
        before = self.staff.current
        try:
            employee = self.staff.log_in_badge(badge)
        except PosError as exc:  # not a flow (the App's handler): a toast, as flows give
            self.app.notify(str(exc), severity="error")
            return
        if before is not None and before.id != employee.id:
            self.app.notify(f"{before.name} handed over to {employee.name}")
        self.app.run_worker(self.logged_in(employee), group=FLOW_GROUP)
