"""The organisation's PIN key, taken over at enrollment with a store server.

Every till of an organisation hashes PINs with one key, so a PIN set at one till works at
every till. The server hands the key over once, in the answer to the one-time enrollment
code (the same channel that hands over the till's token); the till writes it as its
``pin.key`` (0600, written aside then renamed, as ``staff reset-key`` does) and marks
``sync_state.org_key``. PIN hashes made under the till's own key can never match again:
they are cleared in the same transaction (their employees get a PIN again through the
server), the records stay (sales refer to them), and the audit log says so. A key equal
to the till's own (enrolled again) changes nothing.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from pathlib import Path

from peewee import Database

from tui_pos.domain.errors import StorageError
from tui_pos.models.errors import storage_errors
from tui_pos.models.pin_key import read_or_create_key, replace_key
from tui_pos.models.staff_store import SqliteStaffStore
from tui_pos.models.unit_of_work import writing
from tui_pos.services.staff_records import AuditEvent


def uses_org_key(db: Database) -> bool:
    """True when this till is enrolled and holds the organisation's PIN key."""
    with storage_errors():
        row = db.execute_sql("SELECT org_key FROM sync_state WHERE id = 1").fetchone()
    return bool(row and row[0])


def adopt_org_key(db: Database, key_path: Path, key: bytes, till: str, now: datetime) -> int:
    """Make ``key`` this till's PIN key; the number of PINs cleared (made under another)."""
    if len(key) < 16:
        raise StorageError("the store server's PIN key is too short: enrollment stopped")
    try:
        same = hmac.compare_digest(read_or_create_key(key_path, create=False), key)
    except StorageError:
        same = False
    with writing(db, till):
        cleared = 0
        if not same:
            cleared = int(
                db.execute_sql(
                    "UPDATE employee SET pin_hash = '', failed_attempts = 0, locked_until = NULL "
                    "WHERE pin_hash <> ''"
                ).rowcount
            )
            replace_key(key_path, key)  # inside: a crash before the commit keeps the old PINs
            SqliteStaffStore(db).append_audit(
                till,
                AuditEvent(
                    created_at=now,
                    action="pin_key_org",
                    outcome="done",
                    employee_id=None,
                    employee_name="",
                    detail=f"the organisation's PIN key from the store server; {cleared} "
                    "PIN(s) made under this till's own key cleared",
                    till=till,
                ),
            )
        db.execute_sql("UPDATE sync_state SET org_key = 1 WHERE id = 1")
    return cleared
