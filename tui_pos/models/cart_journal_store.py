"""The CartJournalStore port on SQLite: one ``open_cart`` row per till, upserted per change.

Each save is its own ``BEGIN IMMEDIATE`` transaction, committed with ``synchronous=FULL``
(see database.py), so once the register returns from a scan the line survives a crash.
Rows that cannot be restored are moved to ``open_cart_set_aside`` as they were.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from peewee import Database

from tui_pos.models.errors import storage_errors
from tui_pos.models.times import stamp
from tui_pos.services.cart_journal import ClosedAs
from tui_pos.services.ports import StorageError

_UPSERT = (
    'INSERT INTO "open_cart" ("till", "json", "updated_at") VALUES (?, ?, ?) '
    'ON CONFLICT ("till") DO UPDATE SET "json" = excluded."json", '
    '"updated_at" = excluded."updated_at"'
)

# CASE keeps json_extract away from a parked cart whose JSON is damaged (it would raise).
_SUSPENDED_WITH_UUID = (
    'SELECT 1 FROM "suspended_cart" WHERE "till" = ? AND '
    'CASE WHEN json_valid("cart_json") THEN json_extract("cart_json", \'$.uuid\') END = ? '
    "LIMIT 1"
)


class SqliteCartJournalStore:
    """Implements :class:`tui_pos.services.cart_journal.CartJournalStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, till: str, snapshot: dict[str, Any], now: datetime) -> None:
        """Replace the open sale of ``till`` (committed when this returns)."""
        text = json.dumps(snapshot, separators=(",", ":"), ensure_ascii=False)
        with storage_errors(), self.db.atomic():
            self.db.execute_sql(_UPSERT, (till, text, stamp(now)))

    def load(self, till: str) -> dict[str, Any] | None:
        """The open sale of ``till``; StorageError if the row is not a JSON object."""
        with storage_errors():
            row = self.db.execute_sql(
                'SELECT "json" FROM "open_cart" WHERE "till" = ?', (till,)
            ).fetchone()
        if row is None:
            return None
        try:
            data = json.loads(row[0])
        except (TypeError, ValueError) as exc:
            raise StorageError(
                f"the saved open sale of till {till} is not readable JSON ({exc})"
            ) from exc
        if not isinstance(data, dict):
            raise StorageError(f"the saved open sale of till {till} is not a JSON object")
        return data

    def clear(self, till: str) -> None:
        """Forget the open sale of ``till``."""
        with storage_errors(), self.db.atomic():
            self.db.execute_sql('DELETE FROM "open_cart" WHERE "till" = ?', (till,))

    def closed_as(self, till: str, uuid: str) -> ClosedAs | None:
        """Whether the sale ``uuid`` was stored already, or parked as a suspended sale."""
        with storage_errors():
            if self.db.execute_sql('SELECT 1 FROM "sale" WHERE "uuid" = ?', (uuid,)).fetchone():
                return "sale"
            if self.db.execute_sql(_SUSPENDED_WITH_UUID, (till, uuid)).fetchone():
                return "suspended"
        return None

    def set_aside(self, till: str, reason: str, now: datetime) -> None:
        """Move the open sale row of ``till`` to ``open_cart_set_aside``, unchanged."""
        with storage_errors(), self.db.atomic():
            self.db.execute_sql(
                'INSERT INTO "open_cart_set_aside" ("till", "json", "updated_at",'
                ' "set_aside_at", "reason") SELECT "till", "json", "updated_at", ?, ?'
                ' FROM "open_cart" WHERE "till" = ?',
                (stamp(now), reason, till),
            )
            self.db.execute_sql('DELETE FROM "open_cart" WHERE "till" = ?', (till,))

    def set_aside_rows(self, till: str) -> list[tuple[str, str, str]]:
        """``(set_aside_at, reason, json)`` of the set-aside open sales of ``till``."""
        with storage_errors():
            rows = self.db.execute_sql(
                'SELECT "set_aside_at", "reason", "json" FROM "open_cart_set_aside"'
                ' WHERE "till" = ? ORDER BY "id"',
                (till,),
            ).fetchall()
        return [(str(a), str(r), str(j)) for a, r, j in rows]
