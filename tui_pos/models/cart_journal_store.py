"""The CartJournalStore port on SQLite: an append-only log per till (``open_cart_event``).

A scan appends one ``line`` row (a single INSERT, committed on its own with
``synchronous=FULL``: see database.py), so once the register returns from a scan the line
survives a crash; other changes replace the till's rows by one ``snapshot`` row in one
``BEGIN IMMEDIATE`` transaction. The sale's own transaction deletes its rows
(``sale_store.record_sale``). Rows that cannot be restored are moved to
``open_cart_set_aside`` as they were.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from peewee import Database

from tui_pos.domain.errors import StorageError
from tui_pos.models.errors import storage_errors
from tui_pos.models.times import stamp
from tui_pos.services.cart_journal import ClosedAs, replay

_INSERT = (
    'INSERT INTO "open_cart_event" ("till", "cart_uuid", "kind", "json", "created_at")'
    " VALUES (?, ?, ?, ?, ?)"
)

# CASE keeps json_extract away from a parked cart whose JSON is damaged (it would raise).
_SUSPENDED_WITH_UUID = (
    'SELECT 1 FROM "suspended_cart" WHERE "till" = ? AND '
    'CASE WHEN json_valid("cart_json") THEN json_extract("cart_json", \'$.uuid\') END = ? '
    "LIMIT 1"
)


def _text(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


@contextmanager
def busy_wait(db: Database, wait_ms: int | None) -> Iterator[None]:
    """Wait at most ``wait_ms`` for a busy database in this block (None: as configured)."""
    if wait_ms is None:
        yield
        return
    usual = db.execute_sql("PRAGMA busy_timeout").fetchone()[0]
    db.execute_sql(f"PRAGMA busy_timeout = {int(wait_ms)}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA busy_timeout = {int(usual)}")


class SqliteCartJournalStore:
    """Implements :class:`tui_pos.services.cart_journal.CartJournalStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save(
        self, till: str, snapshot: dict[str, Any], now: datetime, *, wait_ms: int | None = None
    ) -> None:
        """Replace the log of ``till`` by one snapshot (committed when this returns)."""
        cart = snapshot.get("cart")
        uuid = str(cart.get("uuid", "")) if isinstance(cart, dict) else ""
        with storage_errors(), busy_wait(self.db, wait_ms), self.db.atomic():
            self.db.execute_sql('DELETE FROM "open_cart_event" WHERE "till" = ?', (till,))
            self.db.execute_sql(_INSERT, (till, uuid, "snapshot", _text(snapshot), stamp(now)))

    def append_line(self, till: str, cart_uuid: str, line: dict[str, Any], now: datetime) -> None:
        """Append one line (a single statement: its own durable transaction).

        A scan waits for it: straight to the connection, without Peewee's bookkeeping."""
        with storage_errors():
            self.db.connection().execute(
                _INSERT, (till, cart_uuid, "line", _text(line), stamp(now))
            )

    def load(self, till: str) -> dict[str, Any] | None:
        """The log of ``till`` replayed; StorageError if it cannot be read."""
        with storage_errors():
            rows = self.db.execute_sql(
                'SELECT "kind", "cart_uuid", "json" FROM "open_cart_event" WHERE "till" = ?'
                ' ORDER BY "id"',
                (till,),
            ).fetchall()
        try:
            data = replay([(str(k), str(u), str(j)) for k, u, j in rows])
        except ValueError as exc:
            raise StorageError(f"the saved open sale of till {till} is {exc}") from exc
        return data

    def clear(self, till: str) -> None:
        """Forget the open sale of ``till``."""
        with storage_errors(), self.db.atomic():
            self.db.execute_sql('DELETE FROM "open_cart_event" WHERE "till" = ?', (till,))

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
                ' "set_aside_at", "reason") SELECT "till", "json", "created_at", ?, ?'
                ' FROM "open_cart_event" WHERE "till" = ? ORDER BY "id"',
                (stamp(now), reason, till),
            )
            self.db.execute_sql('DELETE FROM "open_cart_event" WHERE "till" = ?', (till,))

    def set_aside_rows(self, till: str) -> list[tuple[str, str, str]]:
        """``(set_aside_at, reason, json)`` of the set-aside open sales of ``till``."""
        with storage_errors():
            rows = self.db.execute_sql(
                'SELECT "set_aside_at", "reason", "json" FROM "open_cart_set_aside"'
                ' WHERE "till" = ? ORDER BY "id"',
                (till,),
            ).fetchall()
        return [(str(a), str(r), str(j)) for a, r, j in rows]
