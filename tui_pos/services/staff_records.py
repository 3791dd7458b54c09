"""What the staff use cases work with: employees as stored, audit events, clock punches,
the hours per employee, the ``[staff]`` rules, and the StaffStore port."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from tui_pos.domain.pin import DEFAULT_COST, ScryptCost
from tui_pos.domain.staff import Employee, Permissions, Role

PunchKind = Literal["in", "out"]


@dataclass(frozen=True)
class StoredEmployee:
    """An employee as stored, with what log-in needs."""

    employee: Employee
    pin_hash: str
    badge: str | None
    failed_attempts: int
    locked_until: datetime | None  #: aware UTC, or None


@dataclass(frozen=True)
class AuditEvent:
    """One line of the audit log."""

    created_at: datetime
    action: str
    outcome: str  #: done, approved, refused, failed, locked
    employee_id: int | None
    employee_name: str
    approver_id: int | None = None
    approver_name: str = ""
    detail: str = ""
    seq: int | None = None
    till: str = ""
    uuid: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True)
class Punch:
    """A clock-in or clock-out."""

    employee_id: int
    kind: PunchKind
    at: datetime


@dataclass(frozen=True)
class HoursRow:
    """Hours worked by one employee in a period."""

    employee: Employee
    minutes: int
    shifts: int
    open_since: datetime | None  #: clocked in and not out yet (counted up to the period end)


class StaffStore(Protocol):
    """Where employees, the audit log and the time clock live."""

    def by_code(self, code: str) -> StoredEmployee | None:
        """The employee with this number."""

    def by_badge(self, badge: str) -> StoredEmployee | None:
        """The employee with this badge code."""

    def by_id(self, employee_id: int) -> StoredEmployee | None:
        """The employee with this id."""

    def employees(self) -> list[StoredEmployee]:
        """Everyone, by number."""

    def add(
        self, code: str, name: str, role: Role, pin_hash: str, badge: str | None, now: datetime
    ) -> Employee:
        """Create an employee (the number and badge are unique)."""

    def update(
        self,
        employee_id: int,
        *,
        name: str | None = None,
        role: Role | None = None,
        pin_hash: str | None = None,
        badge: str | None = None,
        active: bool | None = None,
    ) -> None:
        """Change an employee's details."""

    def set_failures(self, employee_id: int, attempts: int, locked_until: datetime | None) -> None:
        """Record the count of consecutive wrong PINs and the lock-out end."""

    def append_audit(self, till: str, event: AuditEvent) -> None:
        """Add one event to the audit log with the till's next number."""

    def audit(self, start: datetime, end: datetime, limit: int) -> list[AuditEvent]:
        """Events in ``[start, end)``, newest first."""

    def punch(self, till: str, employee_id: int, kind: PunchKind, now: datetime) -> None:
        """Record a clock-in or clock-out."""

    def punches(self, start: datetime, end: datetime) -> list[Punch]:
        """Every punch in ``[start, end)``, oldest first, plus each employee's last punch
        before ``start`` when it was a clock-in (a shift running into the period)."""

    def last_punch(self, employee_id: int) -> Punch | None:
        """The employee's latest punch."""


@dataclass(frozen=True)
class StaffSettings:
    """The ``[staff]`` rules."""

    permissions: Permissions = field(default_factory=Permissions.default)
    max_attempts: int = 5  #: wrong PINs in a row before the account locks
    lockout_minutes: int = 15
    lock_after_idle_seconds: int = 300  #: 0 = never lock by itself
    discount_limit_percent: int = 10  #: discounts above this need DISCOUNT_OVER_LIMIT
    cost: ScryptCost = DEFAULT_COST


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))
