"""What the frozen migration steps share: running a script statement by statement inside
the migration's transaction, and the triggers that make a table append-only."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peewee import Database


# Finished documents are append-only at the database level too.
_APPEND_ONLY = ("sale", "sale_line", "sale_tax", "payment", "stock_movement", "z_close")


_CORRECTION = ": record a correction"


def append_only_triggers(tables: tuple[str, ...] = _APPEND_ONLY, hint: str = _CORRECTION) -> str:
    """Triggers that abort any UPDATE or DELETE on ``tables`` (one statement a line)."""
    parts = []
    for table in tables:
        for op in ("UPDATE", "DELETE"):
            parts.append(
                f'CREATE TRIGGER "{table}_no_{op.lower()}" BEFORE {op} ON "{table}" BEGIN '
                f"SELECT RAISE(ABORT, '{table} rows are never changed{hint}');"
                " END;"
            )
    return "\n".join(parts)


def run_script(db: Database, script: str) -> None:
    # executescript() would commit the surrounding transaction, so run statement by
    # statement; complete_statement() keeps trigger bodies whole.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute_sql(statement.strip())
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL in migration: {statement[:60]!r}")
