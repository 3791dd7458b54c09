"""Staff tables: employees (master data), the audit log, the time clock, cash movements.

Audit events, punches and cash movements are records: never updated or deleted
(triggers in migration 5). An employee's lock-out counters do change.
"""

from __future__ import annotations

from peewee import AutoField, BooleanField, CharField, DateTimeField, IntegerField, TextField

from tui_pos.models.base import BaseRow


class EmployeeRow(BaseRow):
    """Someone who works the till; ``pin_hash`` is scrypt with the pepper (domain/pin.py)."""

    id = AutoField()
    code = CharField(unique=True, max_length=8)
    name = CharField()
    role = CharField(max_length=12)
    pin_hash = TextField()
    badge = CharField(null=True, unique=True, max_length=48)
    active = BooleanField(default=True)
    failed_attempts = IntegerField(default=0)
    locked_until = DateTimeField(null=True)  # UTC
    created_at = DateTimeField()

    class Meta:
        table_name = "employee"


class AuditEventRow(BaseRow):
    """One sensitive action, approval or refused PIN."""

    id = AutoField()
    uuid = CharField(unique=True, max_length=32)
    till = CharField(max_length=16)
    seq = IntegerField()
    created_at = DateTimeField()  # UTC
    action = CharField(max_length=32)
    outcome = CharField(max_length=12)
    employee_id = IntegerField(null=True)
    employee_name = CharField()
    approver_id = IntegerField(null=True)
    approver_name = CharField()
    detail = TextField()

    class Meta:
        table_name = "audit_event"


class TimeClockRow(BaseRow):
    """A clock-in or clock-out."""

    id = AutoField()
    uuid = CharField(unique=True, max_length=32)
    till = CharField(max_length=16)
    seq = IntegerField()
    employee_id = IntegerField()
    kind = CharField(max_length=3)  # in | out
    created_at = DateTimeField()  # UTC

    class Meta:
        table_name = "time_clock"


class CashMovementRow(BaseRow):
    """Cash put in or taken out of the drawer outside a sale (float, in, out)."""

    id = AutoField()
    uuid = CharField(unique=True, max_length=32)
    till = CharField(max_length=16)
    seq = IntegerField()
    kind = CharField(max_length=5)  # float | in | out
    amount_cents = IntegerField()
    reason = TextField()
    employee_id = IntegerField(null=True)
    employee_name = CharField()
    approver_name = CharField(default="")
    created_at = DateTimeField()  # UTC

    class Meta:
        table_name = "cash_movement"
