"""Log-in and approvals: who is at the till, and a manager's PIN for what they may not do.

``with_permission`` is the one way a screen gates an action: it runs the action at once
when the logged-in employee's role may do it, and otherwise asks, in a modal, for the
number and PIN (or badge) of someone whose role may. Both cases go into the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

from tui_pos.domain.errors import DomainError
from tui_pos.domain.staff import ACTION_LABELS, Action, Approval, Employee
from tui_pos.services.ports import StorageError
from tui_pos.services.staff import Staff

#: Longer than an employee number: what a badge scan types.
_MAX_CODE_DIGITS = 8


class HasStaff(Protocol):
    """The app gives screens the staff service."""

    staff: Staff


def staff_of(screen: Screen[object]) -> Staff:
    """The till's staff service."""
    return cast(HasStaff, screen.app).staff


def with_permission(
    screen: Screen[object], action: Action, what: str, then: Callable[[Approval], None]
) -> None:
    """Run ``then`` now if the logged-in employee may do ``action``; otherwise after a
    manager approves it in a modal (never, if they cancel)."""
    staff = staff_of(screen)
    if staff.may(action):
        try:
            approval = staff.allowed(action, what)
        except (DomainError, StorageError) as exc:
            screen.notify(str(exc), severity="error")
            return
        then(approval)
        return

    def approved(approval: Approval | None) -> None:
        if approval is not None:
            then(approval)

    screen.app.push_screen(OverrideScreen(staff, action, what), approved)


class _Credentials(Vertical):
    """Employee number (or a badge scan) and PIN."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Employee number or badge", id="employee-code")
        yield Input(placeholder="PIN", password=True, id="employee-pin", max_length=8)
        yield Static("", id="credentials-error", classes="error")


class _CredentialsScreen:
    """What the log-in screen and the approval modal share."""

    def code_input(self) -> Input:
        return cast(Screen[object], self).query_one("#employee-code", Input)

    def pin_input(self) -> Input:
        return cast(Screen[object], self).query_one("#employee-pin", Input)

    def show_error(self, text: str) -> None:
        screen = cast(Screen[object], self)
        screen.app.bell()
        screen.query_one("#credentials-error", Static).update(text)
        self.pin_input().value = ""
        self.code_input().focus()

    def submitted(self, event: Input.Submitted) -> None:
        """Enter on the number moves to the PIN (or is a badge); Enter on the PIN checks."""
        event.stop()
        code = self.code_input().value.strip()
        if event.input.id == "employee-code":
            if code and not (code.isdigit() and len(code) <= _MAX_CODE_DIGITS):
                self.code_input().value = ""
                self.check_badge(code)
            else:
                self.pin_input().focus()
            return
        self.check_pin(code, event.value)

    def accept_scan(self, code: str) -> None:
        """A scanned badge (evdev or serial scanner)."""
        self.check_badge(code)

    def check_pin(self, code: str, pin: str) -> None:
        raise NotImplementedError

    def check_badge(self, badge: str) -> None:
        raise NotImplementedError


class LoginScreen(_CredentialsScreen, Screen[Employee]):
    """The till is locked: log in with a number and PIN, or a badge."""

    BINDINGS = [Binding("escape", "clear", "Clear", id="login-clear")]

    def __init__(self, staff: Staff, store_name: str, note: str = "") -> None:
        super().__init__()
        self.staff = staff
        self.store_name = store_name
        self.note = note

    def compose(self) -> ComposeResult:
        """The store, who was here, and the two fields."""
        with Vertical(classes="dialog", id="login"):
            yield Label(f"{self.store_name}: log in", classes="dialog-title")
            hint = self.note or "Employee number, Enter, PIN, Enter (or scan your badge)"
            if not self.staff.has_staff():
                hint = (
                    "No staff yet: create a manager first with\n"
                    "  tui-pos staff add --number 1 --name NAME --role manager"
                )
            yield Static(hint, classes="dialog-hint", id="login-hint")
            yield _Credentials()

    def on_mount(self) -> None:
        """Start in the number field."""
        self.code_input().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """See :meth:`_CredentialsScreen.submitted`."""
        self.submitted(event)

    def check_pin(self, code: str, pin: str) -> None:
        """Log in, or say why not."""
        try:
            employee = self.staff.log_in(code, pin)
        except (DomainError, StorageError) as exc:
            self.show_error(str(exc))
            return
        self.dismiss(employee)

    def check_badge(self, badge: str) -> None:
        """Log in by badge, or say why not."""
        try:
            employee = self.staff.log_in_badge(badge)
        except (DomainError, StorageError) as exc:
            self.show_error(str(exc))
            return
        self.dismiss(employee)

    def action_clear(self) -> None:
        """Start again."""
        self.code_input().value = ""
        self.pin_input().value = ""
        self.code_input().focus()


class OverrideScreen(_CredentialsScreen, ModalScreen[Approval | None]):
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
            yield Static(
                f"{self.what}\n{who} may not do this alone: a manager or supervisor "
                "types their number and PIN (or scans their badge). Esc cancels.",
                classes="dialog-hint",
            )
            yield _Credentials()

    def on_mount(self) -> None:
        """Start in the number field."""
        self.code_input().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """See :meth:`_CredentialsScreen.submitted`."""
        self.submitted(event)

    def check_pin(self, code: str, pin: str) -> None:
        """Approve, or say why not (the modal stays open)."""
        try:
            approval = self.staff.approve(self.action_needed, code, pin, self.what)
        except (DomainError, StorageError) as exc:
            self.show_error(str(exc))
            return
        self.dismiss(approval)

    def check_badge(self, badge: str) -> None:
        """Approve by badge, or say why not."""
        try:
            approval = self.staff.approve_badge(self.action_needed, badge, self.what)
        except (DomainError, StorageError) as exc:
            self.show_error(str(exc))
            return
        self.dismiss(approval)

    def action_cancel(self) -> None:
        """Do not do the action."""
        self.dismiss(None)
