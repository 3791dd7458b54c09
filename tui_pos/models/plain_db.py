"""The till database's pragmas, and a plain ``sqlite3`` connection opened with them.

The plain connection serves the lean report start (``tui_pos.lean_report``): it reads an
existing database through the report stores, which call only ``execute_sql``, without
loading Peewee. Every other opener uses ``database.open_database`` (Peewee), which sets
the same pragmas from here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PRAGMAS: dict[str, Any] = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -16_000,  # 16 MB page cache
}


class PlainDatabase:
    """An existing database file on a plain connection in autocommit mode (as Peewee
    keeps its own), with the till's pragmas: the ``execute_sql`` of a Peewee database."""

    def __init__(self, path: Path, busy_timeout_ms: int) -> None:
        self.path = path
        self.connection = sqlite3.connect(
            str(path), timeout=busy_timeout_ms / 1000, isolation_level=None
        )
        try:
            for name, value in {**PRAGMAS, "busy_timeout": busy_timeout_ms}.items():
                self.connection.execute(f"PRAGMA {name} = {value}")
        except BaseException:
            self.connection.close()
            raise

    def execute_sql(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement (with ``params``) and return its cursor."""
        return self.connection.execute(sql, params)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()
