"""The PIN key's life cycle in the database: made with a new database together with a
recovery code (kept as a hash), refused when missing, and replaced with the code.

See :mod:`tui_pos.models.pin_key` for the file and :mod:`tui_pos.domain.recovery` for
the code.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from peewee import Database

from tui_pos.domain.pin import ScryptCost, check_pin_shape, hash_pin
from tui_pos.domain.recovery import new_recovery_code, recovery_hash, recovery_matches
from tui_pos.domain.staff import Role, StaffError
from tui_pos.models.errors import storage_errors
from tui_pos.models.pin_key import read_or_create_key, replace_key
from tui_pos.models.staff import EmployeeRow
from tui_pos.models.staff_store import SqliteStaffStore
from tui_pos.models.times import to_utc_naive
from tui_pos.models.unit_of_work import writing
from tui_pos.services.staff_records import AuditEvent


def load_pin_key(db: Database, key_path: Path, now: datetime) -> tuple[bytes, str | None]:
    """The PIN key, and the recovery code when this call issued the database's first one.

    Until the first employee is added nothing is keyed: the key is made if it is not
    there (a provisioned one is kept) and a database without a recovery code gets one,
    in one write transaction (two processes opening a new database at once issue one
    code). Once there are employees their PINs need this very key: a missing one is
    refused (PinKeyMissing), never replaced.
    """
    with storage_errors():
        keyed = _employees_exist()
    if keyed:
        return read_or_create_key(key_path, create=False), None
    with storage_errors():
        coded = _stored_hash(db) is not None
    if coded and key_path.exists():  # nothing to make: no write transaction (every open)
        return read_or_create_key(key_path, create=True), None
    with storage_errors(), db.atomic():
        key = read_or_create_key(key_path, create=not _employees_exist())
        code = None if _stored_hash(db) is not None else _store_new_code(db, now)
    return key, code


class SqliteRecoveryCodes:
    """The :class:`~tui_pos.services.pin_recovery.RecoveryCodeStore` of till ``till``."""

    def __init__(self, db: Database, till: str) -> None:
        self.db = db
        self.till = till

    def replace_code(self, now: datetime) -> str:
        """A new recovery code in place of the old one (which stops working)."""
        with writing(self.db, self.till):
            return _store_new_code(self.db, now)


def has_recovery_code(db: Database) -> bool:
    """True when the database has a recovery code (databases older than it have none)."""
    with storage_errors():
        return _stored_hash(db) is not None


def reset_pin_key(
    db: Database,
    key_path: Path,
    code: str,
    *,
    manager: tuple[str, str] | None,
    till: str,
    now: datetime,
    cost: ScryptCost,
) -> str:
    """Make a new PIN key with the recovery ``code``; every PIN is cleared (each must be
    set again) except ``manager`` = (number, new PIN), an active manager's, which is set
    with the new key so that they can sign the others' new PINs. Returns the new
    recovery code (the used one stops working).

    The key file is replaced inside the transaction: a crash before the commit leaves the
    old PINs and the old code, and the command can simply be run again.
    """
    with storage_errors():
        stored = _stored_hash(db)
    if stored is None:
        raise StaffError(
            "This database has no recovery code (it is older than recovery codes): "
            "put back the PIN key file"
        )
    if not recovery_matches(code, stored):
        raise StaffError("Wrong recovery code: nothing was changed")
    with storage_errors(), db.atomic():
        first = _manager(manager[0]) if manager else None
        if first is None and _employees_exist():
            raise StaffError("Name the manager who sets the new PINs: --manager NUMBER")
        pin = check_pin_shape(manager[1]) if manager else ""
        key = replace_key(key_path)
        EmployeeRow.update(pin_hash="", failed_attempts=0, locked_until=None).execute()
        if first is not None:
            EmployeeRow.update(pin_hash=hash_pin(pin, key, cost)).where(
                EmployeeRow.id == first.id
            ).execute()
        new_code = _store_new_code(db, now)
        SqliteStaffStore(db).append_audit(
            till,
            AuditEvent(
                created_at=now,
                action="pin_key_reset",
                outcome="done",
                employee_id=first.id if first else None,
                employee_name=first.name if first else "",
                detail="new PIN key with the recovery code; every other PIN cleared",
                till=till,
            ),
        )
    return new_code


def _manager(number: str) -> EmployeeRow:
    row = EmployeeRow.get_or_none(EmployeeRow.code == number.strip())
    if row is None or not row.active or row.role != Role.MANAGER.value:
        raise StaffError(f"{number.strip()} is not an active manager's number")
    return row


def _employees_exist() -> bool:
    return EmployeeRow.select().exists()


def _stored_hash(db: Database) -> str | None:
    row = db.execute_sql('SELECT "code_hash" FROM "pin_recovery" WHERE "id" = 1').fetchone()
    return str(row[0]) if row else None


def _store_new_code(db: Database, now: datetime) -> str:
    code = new_recovery_code()
    db.execute_sql(
        'INSERT OR REPLACE INTO "pin_recovery" ("id", "code_hash", "created_at") VALUES (1, ?, ?)',
        (recovery_hash(code), to_utc_naive(now).isoformat(sep=" ")),
    )
    return code
