"""The StaffStore port on SQLite."""

from __future__ import annotations

import uuid
from datetime import datetime

from peewee import Database, IntegrityError

from tui_pos.domain.staff import Employee, Role, StaffError
from tui_pos.models.base import next_seq
from tui_pos.models.errors import storage_errors
from tui_pos.models.staff import AuditEventRow, EmployeeRow, TimeClockRow
from tui_pos.models.times import from_utc_naive, to_utc_naive
from tui_pos.models.unit_of_work import writing
from tui_pos.services.staff_records import AuditEvent, Punch, PunchKind, StoredEmployee


class SqliteStaffStore:
    """Implements :class:`tui_pos.services.staff_records.StaffStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def by_code(self, code: str) -> StoredEmployee | None:
        """The employee with this number."""
        with storage_errors():
            return _stored(EmployeeRow.get_or_none(EmployeeRow.code == code))

    def by_badge(self, badge: str) -> StoredEmployee | None:
        """The employee with this badge code."""
        with storage_errors():
            return _stored(EmployeeRow.get_or_none(EmployeeRow.badge == badge))

    def by_id(self, employee_id: int) -> StoredEmployee | None:
        """The employee with this id."""
        with storage_errors():
            return _stored(EmployeeRow.get_or_none(EmployeeRow.id == employee_id))

    def employees(self) -> list[StoredEmployee]:
        """Everyone, by number (numbers sort as numbers)."""
        with storage_errors():
            rows = EmployeeRow.select()
            found = [s for s in (_stored(r) for r in rows) if s is not None]
        return sorted(found, key=lambda s: (len(s.employee.code), s.employee.code))

    def add(
        self, code: str, name: str, role: Role, pin_hash: str, badge: str | None, now: datetime
    ) -> Employee:
        """Create an employee."""
        with storage_errors(), self.db.atomic():
            try:
                row = EmployeeRow.create(
                    code=code,
                    name=name,
                    role=role.value,
                    pin_hash=pin_hash,
                    badge=badge,
                    created_at=to_utc_naive(now),
                )
            except IntegrityError:
                raise StaffError(f"Employee number {code} or its badge is taken") from None
        stored = _stored(row)
        assert stored is not None
        return stored.employee

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
        """Change an employee's details (``badge=""`` removes the badge)."""
        changes: dict[object, object] = {}
        if name is not None:
            changes[EmployeeRow.name] = name
        if role is not None:
            changes[EmployeeRow.role] = role.value
        if pin_hash is not None:
            changes[EmployeeRow.pin_hash] = pin_hash
        if badge is not None:
            changes[EmployeeRow.badge] = badge or None
        if active is not None:
            changes[EmployeeRow.active] = active
        if not changes:
            return
        with storage_errors(), self.db.atomic():
            EmployeeRow.update(changes).where(EmployeeRow.id == employee_id).execute()

    def set_failures(self, employee_id: int, attempts: int, locked_until: datetime | None) -> None:
        """Record consecutive wrong PINs and the lock-out end."""
        with storage_errors(), self.db.atomic():
            EmployeeRow.update(
                failed_attempts=attempts,
                locked_until=to_utc_naive(locked_until) if locked_until else None,
            ).where(EmployeeRow.id == employee_id).execute()

    def append_audit(self, till: str, event: AuditEvent) -> None:
        """Add one event with the till's next audit number."""
        with writing(self.db, till):
            AuditEventRow.create(
                uuid=event.uuid,
                till=till,
                seq=next_seq(AuditEventRow, till),
                created_at=to_utc_naive(event.created_at),
                action=event.action,
                outcome=event.outcome,
                employee_id=event.employee_id,
                employee_name=event.employee_name,
                approver_id=event.approver_id,
                approver_name=event.approver_name,
                detail=event.detail,
            )

    def audit(self, start: datetime, end: datetime, limit: int) -> list[AuditEvent]:
        """Events in ``[start, end)``, newest first."""
        with storage_errors():
            rows = (
                AuditEventRow.select()
                .where(
                    (AuditEventRow.created_at >= to_utc_naive(start))
                    & (AuditEventRow.created_at < to_utc_naive(end))
                )
                .order_by(AuditEventRow.created_at.desc(), AuditEventRow.id.desc())
                .limit(limit)
            )
            return [
                AuditEvent(
                    created_at=from_utc_naive(r.created_at),
                    action=r.action,
                    outcome=r.outcome,
                    employee_id=r.employee_id,
                    employee_name=r.employee_name,
                    approver_id=r.approver_id,
                    approver_name=r.approver_name,
                    detail=r.detail,
                    seq=r.seq,
                    till=r.till,
                    uuid=r.uuid,
                )
                for r in rows
            ]

    def punch(self, till: str, employee_id: int, kind: PunchKind, now: datetime) -> None:
        """Record a clock-in or clock-out."""
        with writing(self.db, till):
            TimeClockRow.create(
                uuid=uuid.uuid4().hex,
                till=till,
                seq=next_seq(TimeClockRow, till),
                employee_id=employee_id,
                kind=kind,
                created_at=to_utc_naive(now),
            )

    def punches(self, start: datetime, end: datetime) -> list[Punch]:
        """Punches in ``[start, end)`` plus open clock-ins from before ``start``."""
        lo, hi = to_utc_naive(start), to_utc_naive(end)
        with storage_errors():
            carried = self.db.execute_sql(
                "SELECT t.employee_id, t.kind, t.created_at FROM time_clock t "
                "WHERE t.id = (SELECT t2.id FROM time_clock t2 WHERE t2.employee_id = "
                "t.employee_id AND t2.created_at < ? ORDER BY t2.created_at DESC, t2.id DESC "
                "LIMIT 1) AND t.kind = 'in'",
                (lo,),
            ).fetchall()
            rows = (
                TimeClockRow.select()
                .where((TimeClockRow.created_at >= lo) & (TimeClockRow.created_at < hi))
                .order_by(TimeClockRow.created_at, TimeClockRow.id)
            )
            inside = [_punch(r.employee_id, r.kind, r.created_at) for r in rows]
        before = [_punch(e, k, datetime.fromisoformat(str(at))) for e, k, at in carried]
        return sorted(before, key=lambda p: p.at) + inside

    def last_punch(self, employee_id: int) -> Punch | None:
        """The employee's latest punch."""
        with storage_errors():
            row = (
                TimeClockRow.select()
                .where(TimeClockRow.employee_id == employee_id)
                .order_by(TimeClockRow.created_at.desc(), TimeClockRow.id.desc())
                .first()
            )
        return _punch(row.employee_id, row.kind, row.created_at) if row else None


def _punch(employee_id: int, kind: str, at: datetime) -> Punch:
    return Punch(employee_id, "in" if kind == "in" else "out", from_utc_naive(at))


def _stored(row: EmployeeRow | None) -> StoredEmployee | None:
    if row is None:
        return None
    return StoredEmployee(
        employee=Employee(
            id=row.id, code=row.code, name=row.name, role=Role(row.role), active=bool(row.active)
        ),
        pin_hash=row.pin_hash,
        badge=row.badge,
        failed_attempts=row.failed_attempts,
        locked_until=from_utc_naive(row.locked_until) if row.locked_until else None,
    )
