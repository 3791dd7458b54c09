"""In-memory stores for service unit tests with the FakeUnitOfWork (no SQLite).

Each keeps its state in plain lists and dicts and can be rolled back by the fake unit of
work (``snapshot`` / ``restore``). ``fail_next_audit`` makes the next audit write fail,
like a disk that fills up in the middle of a use case.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import cast

from tui_pos.domain.cash import CashKind
from tui_pos.domain.errors import StorageError
from tui_pos.domain.staff import Employee, Role
from tui_pos.domain.tax import TaxRate
from tui_pos.services.staff_records import AuditEvent, Punch, PunchKind, StoredEmployee


class MemoryStaffStore:
    """Implements the StaffStore port in memory."""

    def __init__(self) -> None:
        self.rows: dict[int, StoredEmployee] = {}
        self.audit_log: list[AuditEvent] = []
        self.punch_log: list[Punch] = []
        self.fail_next_audit = False

    def snapshot(self) -> object:
        state: tuple[dict[int, StoredEmployee], list[AuditEvent], list[Punch]] = (
            dict(self.rows),
            list(self.audit_log),
            list(self.punch_log),
        )
        return state

    def restore(self, state: object) -> None:
        rows, audit, punches = cast(
            tuple[dict[int, StoredEmployee], list[AuditEvent], list[Punch]], state
        )
        self.rows, self.audit_log, self.punch_log = dict(rows), list(audit), list(punches)

    def by_code(self, code: str) -> StoredEmployee | None:
        return next((s for s in self.rows.values() if s.employee.code == code), None)

    def by_badge(self, badge: str) -> StoredEmployee | None:
        return next((s for s in self.rows.values() if s.badge == badge), None)

    def by_id(self, employee_id: int) -> StoredEmployee | None:
        return self.rows.get(employee_id)

    def employees(self) -> list[StoredEmployee]:
        return sorted(self.rows.values(), key=lambda s: s.employee.code)

    def add(
        self, code: str, name: str, role: Role, pin_hash: str, badge: str | None, now: datetime
    ) -> Employee:
        employee = Employee(len(self.rows) + 1, code, name, role)
        self.rows[employee.id] = StoredEmployee(employee, pin_hash, badge, 0, None)
        return employee

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
        s = self.rows[employee_id]
        e = replace(
            s.employee,
            name=name if name is not None else s.employee.name,
            role=role or s.employee.role,
            active=active if active is not None else s.employee.active,
        )
        self.rows[employee_id] = replace(
            s, employee=e, pin_hash=pin_hash or s.pin_hash, badge=badge or s.badge
        )

    def set_failures(self, employee_id: int, attempts: int, locked_until: datetime | None) -> None:
        s = self.rows[employee_id]
        self.rows[employee_id] = replace(s, failed_attempts=attempts, locked_until=locked_until)

    def append_audit(self, till: str, event: AuditEvent) -> None:
        if self.fail_next_audit:
            self.fail_next_audit = False
            raise StorageError("The disk is full (test)")
        self.audit_log.append(replace(event, seq=len(self.audit_log) + 1, till=till))

    def audit(self, start: datetime, end: datetime, limit: int) -> list[AuditEvent]:
        found = [e for e in self.audit_log if start <= e.created_at < end]
        return list(reversed(found))[:limit]

    def punch(self, till: str, employee_id: int, kind: PunchKind, now: datetime) -> None:
        self.punch_log.append(Punch(employee_id, kind, now))

    def punches(self, start: datetime, end: datetime) -> list[Punch]:
        return [p for p in self.punch_log if start <= p.at < end]

    def last_punch(self, employee_id: int) -> Punch | None:
        return next((p for p in reversed(self.punch_log) if p.employee_id == employee_id), None)


class MemoryCashStore:
    """Implements the CashStore port in memory: (kind, cents, reason, who, approver)."""

    def __init__(self) -> None:
        self.movements: list[tuple[CashKind, int, str, str, str]] = []

    def snapshot(self) -> object:
        return list(self.movements)

    def restore(self, state: object) -> None:
        self.movements = list(state)  # type: ignore[call-overload]

    def record(
        self,
        till: str,
        kind: CashKind,
        amount_cents: int,
        reason: str,
        employee: Employee | None,
        approver: str,
        now: datetime,
    ) -> None:
        self.movements.append(
            (kind, amount_cents, reason, employee.name if employee else "", approver)
        )

    def float_recorded(self, till: str) -> bool:
        return any(m[0] == "float" for m in self.movements)


class MemoryTaxCodes:
    """Implements the TaxCodeStore port in memory: the codes set at the till, by code."""

    def __init__(self) -> None:
        self.codes: dict[str, TaxRate] = {}

    def snapshot(self) -> object:
        return dict(self.codes)

    def restore(self, state: object) -> None:
        self.codes = dict(state)  # type: ignore[call-overload]

    def set_at_till(self, tax: TaxRate) -> None:
        self.codes[tax.code] = tax
