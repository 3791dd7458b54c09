"""Log-in and approvals: who is at the till, and a manager's PIN for what they may not do.

``approval_for`` is the one way a screen or flow collects an approval: at once when the
logged-in employee's role may do the action, otherwise, in a modal, from the number and
PIN (or badge) of someone whose role may. Both cases go into the audit log; the service
that is then called with the approval checks it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from tui_pos.domain.errors import PosError
from tui_pos.domain.staff import ACTION_LABELS, Action, Approval, Employee
from tui_pos.free_memory import collect_garbage
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.screens.dialogs import ask
from tui_pos.widgets.credentials_line import CredentialsLine
from tui_pos.widgets.keys_bar import KeysBar

if TYPE_CHECKING:  # the log-in screen is the first frame, painted before the till opens
    from tui_pos.services.staff import Staff

T = TypeVar("T")


def _then_collect(work: Callable[[], T]) -> T:
    """Run a PIN or badge check, then collect the garbage cycles (tui_pos.free_memory)."""
    try:
        return work()
    finally:
        collect_garbage()


class HasStaff(Protocol):
    """The app gives screens the staff service."""

    staff: Staff


def staff_of(screen: Screen[Any]) -> Staff:
    """The till's staff service."""
    return cast(HasStaff, screen.app).staff


def approval_for(screen: Screen[Any], action: Action, what: str) -> asyncio.Future[Approval | None]:
    """The approval of ``action``, for a flow to await: the logged-in employee's own when
    their role may do it (at once), otherwise someone's who may, typed into a modal opened
    now (``ask``); None when it was refused or cancelled. The service the flow calls next
    checks it."""
    staff = staff_of(screen)
    if staff.may(action):
        answer: asyncio.Future[Approval | None] = asyncio.get_running_loop().create_future()
        answer.set_result(_alone(screen, staff, action, what))
        return answer
    return ask(screen.app, OverrideScreen(staff, action, what))


def _alone(screen: Screen[Any], staff: Staff, action: Action, what: str) -> Approval | None:
    """The logged-in employee does ``action`` on their own (audited); None if refused."""
    try:
        return staff.allowed(action, what)
    except PosError as exc:
        screen.notify(str(exc), severity="error")
        return None


class _CredentialsScreen:
    """What the log-in screen and the approval modal share: one credentials field, and the
    PIN check (scrypt, tens of ms) run in a thread with the field disabled meanwhile."""

    def credentials(self, *, disabled: bool = False) -> ComposeResult:
        yield CredentialsLine(id="credentials", disabled=disabled)
        yield Static("", id="credentials-error", classes="error", markup=False)

    def field(self) -> CredentialsLine:
        return cast(Screen[Any], self).query_one("#credentials", CredentialsLine)

    def _note(self, text: str, *, error: bool) -> None:
        note = cast(Screen[Any], self).query_one("#credentials-error", Static)
        note.update(text)
        note.set_class(error, "error")

    def show_error(self, text: str) -> None:
        cast(Screen[Any], self).app.bell()
        self._note(text, error=True)
        self.field().start_again()

    @property
    def checking(self) -> bool:
        """A PIN or badge is being checked: the field takes nothing meanwhile."""
        return self.field().disabled

    def check(self, work: Callable[[], T], done: Callable[[T], object]) -> None:
        """Run ``work`` (a PIN or badge check) in a thread; ``done`` gets its result on the
        UI thread, a refusal is shown and the field starts again."""
        screen = cast(Screen[Any], self)
        field = self.field()
        field.disabled = True
        self._note("Checking...", error=False)

        async def run() -> None:
            try:
                result = await asyncio.to_thread(_then_collect, work)
            except PosError as exc:
                field.disabled = False
                self.show_error(str(exc))
                field.focus()
                return
            field.disabled = False
            self._note("", error=True)
            done(result)

        screen.run_worker(run(), group="credentials")

    def on_credentials_line_credentials(self, event: CredentialsLine.Credentials) -> None:
        """Number and PIN typed."""
        event.stop()
        self.check_pin(event.code, event.pin)

    def on_credentials_line_badge(self, event: CredentialsLine.Badge) -> None:
        """A badge typed by a keyboard-wedge scanner."""
        event.stop()
        self.check_badge(event.badge)

    def accept_scan(self, code: str) -> None:
        """A scanned badge (evdev or serial scanner); ignored while a check runs."""
        if not self.checking:
            self.check_badge(code)

    def check_pin(self, code: str, pin: str) -> None:
        raise NotImplementedError

    def check_badge(self, badge: str) -> None:
        raise NotImplementedError


class LoginScreen(_CredentialsScreen, ShowsUserErrors, Screen[Employee]):
    """The till is locked: log in with a number and PIN, or a badge."""

    BINDINGS = [Binding("escape", "clear", "Clear", id="login-clear")]

    def __init__(self, staff: Staff | None, store_name: str, note: str = "") -> None:
        """``staff`` None: the till is still opening (the App's first frame); the field
        takes nothing until the App replaces this screen with a log-in on the open till."""
        super().__init__()
        self.staff = staff
        self.store_name = store_name
        self.note = note

    def compose(self) -> ComposeResult:
        """The store, who was here, and the two fields."""
        with Vertical(classes="dialog", id="login"):
            yield Label(f"{self.store_name}: log in", classes="dialog-title", markup=False)
            hint = self.note or "Employee number, Enter, PIN, Enter (or scan your badge)"
            if self.staff is None:
                hint = "Opening the till..."
            elif not self.staff.has_staff():
                hint = (
                    "No staff yet: create a manager first with\n"
                    "  tui-pos staff add --number 1 --name NAME --role manager"
                )
            yield Static(hint, classes="dialog-hint", id="login-hint", markup=False)
            yield from self.credentials(disabled=self.staff is None)
        yield KeysBar()

    def on_mount(self) -> None:
        """The field has the focus; while the till opens it is disabled from the start (no
        focus to give and take back before the first frame)."""
        if self.staff is not None:
            self.field().focus()

    def _staff(self) -> Staff:
        assert self.staff is not None, "the field is disabled while the till opens"
        return self.staff

    def check_pin(self, code: str, pin: str) -> None:
        """Log in, or say why not."""
        self.check(lambda: self._staff().log_in(code, pin), self.dismiss)

    def check_badge(self, badge: str) -> None:
        """Log in by badge, or say why not."""
        self.check(lambda: self._staff().log_in_badge(badge), self.dismiss)

    def action_clear(self) -> None:
        """Start again."""
        self.field().start_again()


class OverrideScreen(_CredentialsScreen, ShowsUserErrors, ModalScreen[Approval | None]):
    """Someone whose role may do the action approves it with their number and PIN."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="override-cancel")]

    def __init__(self, staff: Staff, action: Action, what: str) -> None:
        super().__init__()
        self.staff = staff
        self.action_needed = action
        self.what = what

    def compose(self) -> ComposeResult:
        """What needs approval and the two fields."""
        who = self.staff.current.name if self.staff.current else "This employee"
        with Vertical(classes="dialog"):
            yield Label(
                f"Approval needed: {ACTION_LABELS[self.action_needed]}", classes="dialog-title"
            )
            label = ACTION_LABELS[self.action_needed]
            what = f"{self.what}\n" if self.what.lower() != label.lower() else ""
            yield Static(
                f"{what}{who} may not do this alone: someone who may types their number "
                "and PIN (or scans their badge). Esc cancels.",
                classes="dialog-hint",
                markup=False,
            )
            yield from self.credentials()
        yield KeysBar()

    def on_mount(self) -> None:
        """The field has the focus."""
        self.field().focus()

    def check_pin(self, code: str, pin: str) -> None:
        """Approve, or say why not (the modal stays open)."""
        self.check(
            lambda: self.staff.approve(self.action_needed, code, pin, self.what), self.dismiss
        )

    def check_badge(self, badge: str) -> None:
        """Approve by badge, or say why not."""
        self.check(
            lambda: self.staff.approve_badge(self.action_needed, badge, self.what), self.dismiss
        )

    def action_cancel(self) -> None:
        """Do not do the action."""
        self.dismiss(None)
