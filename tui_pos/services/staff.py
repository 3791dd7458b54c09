"""Staff use cases: log-in by PIN or badge, lock-out, permissions, approvals, the audit
log and the time clock.

The till always has one logged-in employee (or none: then it shows the log-in screen).
Every sensitive action, every approval and every refused PIN goes into the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from tui_pos.domain.pin import check_pin_shape, hash_pin, verify_pin
from tui_pos.domain.staff import (
    ACTION_LABELS,
    Action,
    Approval,
    Employee,
    Role,
    StaffError,
    check_employee_code,
)
from tui_pos.services.permissions import PermissionDenied
from tui_pos.services.staff_records import (
    AuditEvent,
    HoursRow,
    PunchKind,
    StaffSettings,
    StaffStore,
    StoredEmployee,
    minutes_between,
)
from tui_pos.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from tui_pos.services.ports import Clock

T = TypeVar("T", Employee, Approval)  #: what a right PIN leads to


class Staff:
    """Who is logged in at this till, and what they may do."""

    def __init__(
        self,
        store: StaffStore,
        uow: UnitOfWork,
        till: str,
        pepper: bytes,
        clock: Clock,
        settings: StaffSettings | None = None,
    ) -> None:
        self.store = store
        self.uow = uow  #: a change and its audit line are stored together
        self.till = till
        self.pepper = pepper
        self.clock = clock
        self.settings = settings or StaffSettings()
        #: Told who is logged in whenever it changes (the bootstrap points the register's
        #: cashier at it: screens never set the register's cashier themselves).
        self.on_change: Callable[[Employee | None], None] = lambda _employee: None
        self._current: Employee | None = None

    @property
    def current(self) -> Employee | None:
        """Who is logged in at this till (None: the till is locked)."""
        return self._current

    @current.setter
    def current(self, employee: Employee | None) -> None:
        self._current = employee
        self.on_change(employee)

    # -- who is here ------------------------------------------------------------------
    def has_staff(self) -> bool:
        """True once at least one active employee exists."""
        return any(s.employee.active for s in self.store.employees())

    def log_in(self, code_text: str, pin: str) -> Employee:
        """Log in by number and PIN; a wrong PIN counts toward the lock-out."""
        employee = self._check_pin(code_text, pin, "login", self._logged_in)
        self.current = employee
        return employee

    def _logged_in(self, stored: StoredEmployee) -> Employee:
        self._audit("login", "done", stored.employee)
        return stored.employee

    def log_in_badge(self, badge: str) -> Employee:
        """Log in by scanning an employee badge."""
        stored = self._check_badge(badge, "login")
        self.current = stored.employee
        self._audit("login", "done", stored.employee, detail="badge")
        return stored.employee

    def lock(self, reason: str = "locked") -> None:
        """Log the current employee out (the open sale stays as it is)."""
        try:
            if self.current is not None:
                self._audit("logout", "done", self.current, detail=reason)
        finally:
            self.current = None  # locked even when the audit row could not be written

    # -- permissions --------------------------------------------------------------------
    def may(self, action: Action, employee: Employee | None = None) -> bool:
        """True when ``employee`` (default: the logged-in one) may do ``action`` alone."""
        who = employee or self.current
        return who is not None and self.settings.permissions.allows(who.role, action)

    def allowed(self, action: Action, detail: str) -> Approval:
        """The logged-in employee does ``action`` on their own right (recorded)."""
        if self.current is None:
            raise StaffError("Nobody is logged in")
        if not self.may(action):
            self._audit(action.value, "refused", self.current, detail=detail)
            raise StaffError(f"{self.current.name} may not do this: {ACTION_LABELS[action]}")
        self._audit(action.value, "done", self.current, detail=detail)
        return Approval(action, self.current)

    def approve(self, action: Action, code_text: str, pin: str, detail: str) -> Approval:
        """Someone whose role may do ``action`` approves it with their number and PIN."""
        return self._check_pin(
            code_text,
            pin,
            f"approve {action.value}",
            lambda stored: self._approval_outcome(action, stored.employee, detail),
        )

    def approve_badge(self, action: Action, badge: str, detail: str) -> Approval:
        """Someone whose role may do ``action`` approves it with their badge."""
        stored = self._check_badge(badge, f"approve {action.value}")
        return self._approval(action, stored.employee, detail)

    def authorize(self, action: Action, approval: Approval | None, detail: str) -> Approval:
        """The check a gated use case makes before it acts (see services/permissions.py):
        ``approval`` when its actor's role may do ``action`` or its approver's role may;
        a till without staff allows everything. A refusal is audited, then raised as
        PermissionDenied."""
        if approval is not None and self.settings.permissions.covers(approval, action):
            return approval
        if not self.has_staff():
            return approval or Approval(action, None)
        actor = approval.actor if approval else None
        approver = approval.approver if approval else None
        self._audit(action.value, "refused", actor, approver=approver, detail=detail)
        raise PermissionDenied(action, approval)

    def record(self, action: str, detail: str, approval: Approval | None = None) -> None:
        """Add a sensitive action to the audit log (who did it, who approved it)."""
        actor = approval.actor if approval else self.current
        approver = approval.approver if approval else None
        self._audit(action, "done", actor, approver=approver, detail=detail)

    def discount_over_limit(self, percent_bp: int) -> bool:
        """True when a discount of ``percent_bp`` (of what it applies to) is above the
        limit: it needs DISCOUNT_OVER_LIMIT (the register checks the approval)."""
        return percent_bp > self.settings.discount_limit_percent * 100

    def audit_log(self, start: datetime, end: datetime, limit: int = 500) -> list[AuditEvent]:
        """The audit log of a period, newest first."""
        return self.store.audit(start, end, limit)

    # -- time clock -----------------------------------------------------------------------
    def clocked_in(self, employee: Employee | None = None) -> bool:
        """True when the employee's last punch is a clock-in."""
        who = employee or self.current
        if who is None:
            return False
        last = self.store.last_punch(who.id)
        return last is not None and last.kind == "in"

    def clock_in_out(self) -> PunchKind:
        """Clock the logged-in employee in, or out if they are in; returns which."""
        if self.current is None:
            raise StaffError("Nobody is logged in")
        kind: PunchKind = "out" if self.clocked_in() else "in"
        with self.uow:
            self.store.punch(self.till, self.current.id, kind, self.clock())
            self._audit(f"clock_{kind}", "done", self.current)
        return kind

    def hours(self, start: datetime, end: datetime) -> list[HoursRow]:
        """Minutes worked per employee in ``[start, end)`` from the clock punches; a shift
        that is still open counts up to ``min(end, now)``."""
        until = min(end, self.clock())
        open_at: dict[int, datetime] = {}
        minutes: dict[int, int] = {}
        shifts: dict[int, int] = {}
        for p in self.store.punches(start, end):
            if p.kind == "in":
                open_at.setdefault(p.employee_id, max(p.at, start))
            elif p.employee_id in open_at:
                began = open_at.pop(p.employee_id)
                worked = minutes_between(began, p.at)
                minutes[p.employee_id] = minutes.get(p.employee_id, 0) + worked
                shifts[p.employee_id] = shifts.get(p.employee_id, 0) + 1
        for employee_id, began in open_at.items():
            minutes[employee_id] = minutes.get(employee_id, 0) + minutes_between(began, until)
            shifts[employee_id] = shifts.get(employee_id, 0) + 1
        rows = []
        for stored in self.store.employees():
            e = stored.employee
            if e.id in minutes:
                rows.append(HoursRow(e, minutes[e.id], shifts[e.id], open_at.get(e.id)))
        return rows

    # -- admin ------------------------------------------------------------------------------
    def add_employee(
        self,
        code_text: str,
        name: str,
        role: Role,
        pin: str,
        badge: str | None = None,
        approval: Approval | None = None,
    ) -> Employee:
        """Create an employee with a PIN (and optionally a badge code). Staff admin:
        ``approval`` must cover STAFF_ADMIN (the first employee of a till needs none)."""
        code = check_employee_code(code_text)
        name = " ".join(name.split())
        if not name or len(name) > 60:
            raise StaffError("A name is 1 to 60 characters")
        self.authorize(Action.STAFF_ADMIN, approval, f"add {code} {name} ({role.value})")
        if self.store.by_code(code) is not None:
            raise StaffError(f"Employee number {code} is taken")
        badge = self._check_new_badge(badge)
        pin_hash = hash_pin(check_pin_shape(pin), self.pepper, self.settings.cost)
        with self.uow:
            employee = self.store.add(code, name, role, pin_hash, badge, self.clock())
            self.record("staff_add", f"{employee.code} {employee.name} ({role.value})", approval)
        return employee

    def set_pin(self, code_text: str, pin: str, approval: Approval | None = None) -> None:
        """Give an employee a new PIN (and unlock them); ``approval``: STAFF_ADMIN."""
        stored = self._existing(code_text)
        self.authorize(Action.STAFF_ADMIN, approval, f"new PIN for {stored.employee.code}")
        pin_hash = hash_pin(check_pin_shape(pin), self.pepper, self.settings.cost)
        with self.uow:
            self.store.update(stored.employee.id, pin_hash=pin_hash)
            self.store.set_failures(stored.employee.id, 0, None)
            self.record("staff_pin", f"{stored.employee.code} {stored.employee.name}", approval)

    def update_employee(
        self,
        code_text: str,
        *,
        role: Role | None = None,
        active: bool | None = None,
        badge: str | None = None,
        approval: Approval | None = None,
    ) -> Employee:
        """Change an employee's role, badge, or deactivate/reactivate them; ``approval``
        must cover STAFF_ADMIN."""
        stored = self._existing(code_text)
        self.authorize(Action.STAFF_ADMIN, approval, f"change {stored.employee.code}")
        if badge is not None:
            badge = self._check_new_badge(badge, stored.employee.id) or ""
        changes = [
            f"role={role.value}" if role else "",
            f"active={active}" if active is not None else "",
            "badge changed" if badge is not None else "",
        ]
        with self.uow:
            self.store.update(stored.employee.id, role=role, active=active, badge=badge)
            what = ", ".join(c for c in changes if c)
            self.record("staff_change", f"{stored.employee.code}: {what}", approval)
        updated = self.store.by_id(stored.employee.id)
        assert updated is not None
        return updated.employee

    def unlock(self, code_text: str, approval: Approval | None = None) -> None:
        """Clear an employee's lock-out; ``approval`` must cover STAFF_ADMIN."""
        stored = self._existing(code_text)
        self.authorize(Action.STAFF_ADMIN, approval, f"unlock {stored.employee.code}")
        with self.uow:
            self.store.set_failures(stored.employee.id, 0, None)
            self.record("staff_unlock", f"{stored.employee.code} {stored.employee.name}", approval)

    def employees(self, approval: Approval | None) -> list[StoredEmployee]:
        """Everyone, by number (names, roles, badges, lock-outs): ``approval`` must
        cover STAFF_ADMIN."""
        self.authorize(Action.STAFF_ADMIN, approval, "list staff")
        return self.store.employees()

    # -- internals --------------------------------------------------------------------------
    def _existing(self, code_text: str) -> StoredEmployee:
        stored = self.store.by_code(check_employee_code(code_text))
        if stored is None:
            raise StaffError(f"There is no employee number {code_text.strip()}")
        return stored

    def _check_new_badge(self, badge: str | None, own_id: int | None = None) -> str | None:
        if badge is None or not badge.strip():
            return None
        badge = badge.strip()
        if not badge.isascii() or not badge.isprintable() or len(badge) > 48:
            raise StaffError("A badge code is up to 48 printable characters")
        other = self.store.by_badge(badge)
        if other is not None and other.employee.id != own_id:
            raise StaffError(f"Badge {badge} belongs to {other.employee.name}")
        return badge

    def _check_pin(
        self,
        code_text: str,
        pin: str,
        purpose: str,
        accepted: Callable[[StoredEmployee], T | str],
    ) -> T:
        """What ``accepted`` makes of the employee whose PIN this is (recorded in the same
        transaction as the check), else StaffError with why not (the failure recorded)."""
        try:
            code = check_employee_code(code_text)
        except StaffError:
            raise StaffError("Type your employee number, then your PIN") from None
        # scrypt (~40 ms) runs before the write lock is taken; the lock state, the count
        # and the outcome are then read and recorded in one write transaction, with the
        # verdict kept only if the PIN hash it was made against is still the stored one.
        # Parallel attempts (30 processes at once) are counted one after another, and the
        # transaction ends before the refusal is raised (raising inside would roll it back).
        # What a right PIN leads to (the log-in, the approval) is audited in the same
        # transaction as the reset of the failure count: the audit log then shows the
        # attempts in the order they were counted.
        seen = self.store.by_code(code)
        verdict = (seen.pin_hash, verify_pin(pin, seen.pin_hash, self.pepper)) if seen else None
        outcome: T | str
        with self.uow:
            checked = self._pin_outcome(code, pin, purpose, verdict)
            outcome = checked if isinstance(checked, str) else accepted(checked)
        if isinstance(outcome, str):
            raise StaffError(outcome)
        return outcome

    def _pin_outcome(
        self, code: str, pin: str, purpose: str, verdict: tuple[str, bool] | None
    ) -> StoredEmployee | str:
        """The employee whose PIN this is, else why not (failures recorded)."""
        now = self.clock()
        stored = self.store.by_code(code)
        if stored is None or not stored.employee.active:
            self._audit(purpose, "failed", None, detail=f"unknown or inactive number {code}")
            return "Unknown employee number or wrong PIN"
        e = stored.employee
        if stored.locked_until is not None and stored.locked_until > now:
            self._audit(purpose, "locked", e)
            local = stored.locked_until.astimezone().strftime("%H:%M")
            return f"{e.name} is locked after too many wrong PINs until {local}"
        if not stored.pin_hash:  # cleared when the PIN key was replaced: not a guess
            self._audit(purpose, "failed", e, detail="no PIN since the key was replaced")
            return f"{e.name} has no PIN since the PIN key was replaced: a manager sets one"
        if verdict is not None and verdict[0] == stored.pin_hash:
            right = verdict[1]
        else:  # the PIN changed meanwhile: check against the new one
            right = verify_pin(pin, stored.pin_hash, self.pepper)
        if not right:
            attempts = stored.failed_attempts + 1
            if attempts >= self.settings.max_attempts:
                until = now + timedelta(minutes=self.settings.lockout_minutes)
                self.store.set_failures(e.id, 0, until)
                self._audit(purpose, "locked", e, detail=f"{attempts} wrong PINs")
                return f"Wrong PIN: {e.name} is locked for {self.settings.lockout_minutes} minutes"
            self.store.set_failures(e.id, attempts, None)
            self._audit(purpose, "failed", e, detail="wrong PIN")
            left = self.settings.max_attempts - attempts
            return f"Wrong PIN ({left} {'try' if left == 1 else 'tries'} left)"
        if stored.failed_attempts or stored.locked_until is not None:
            self.store.set_failures(e.id, 0, None)
        return stored

    def _check_badge(self, badge: str, purpose: str) -> StoredEmployee:
        stored = self.store.by_badge(badge.strip())
        if stored is None or not stored.employee.active:
            self._audit(purpose, "failed", None, detail="unknown badge")
            raise StaffError("This badge belongs to no active employee")
        locked = stored.locked_until
        if locked is not None and locked > self.clock():
            self._audit(purpose, "locked", stored.employee)
            raise StaffError(f"{stored.employee.name} is locked after too many wrong PINs")
        return stored

    def _approval(self, action: Action, approver: Employee, detail: str) -> Approval:
        outcome = self._approval_outcome(action, approver, detail)
        if isinstance(outcome, str):
            raise StaffError(outcome)
        return outcome

    def _approval_outcome(self, action: Action, approver: Employee, detail: str) -> Approval | str:
        """The approval ``approver`` gives (audited), else why it is refused (audited too)."""
        if not self.may(action, approver):
            self._audit(action.value, "refused", self.current, approver=approver, detail=detail)
            return f"{approver.name} may not approve this: {ACTION_LABELS[action]}"
        if self.current is not None and approver.id == self.current.id:
            self._audit(action.value, "done", approver, detail=detail)
            return Approval(action, approver)
        self._audit(action.value, "approved", self.current, approver=approver, detail=detail)
        return Approval(action, self.current, approver)

    def _audit(
        self,
        action: str,
        outcome: str,
        employee: Employee | None,
        *,
        approver: Employee | None = None,
        detail: str = "",
    ) -> None:
        event = AuditEvent(
            created_at=self.clock(),
            action=action,
            outcome=outcome,
            employee_id=employee.id if employee else None,
            employee_name=employee.name if employee else "",
            approver_id=approver.id if approver else None,
            approver_name=approver.name if approver else "",
            detail=detail[:200],
        )
        self.store.append_audit(self.till, replace(event, till=self.till))
