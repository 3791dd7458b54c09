"""Reading a till's database from the side (a connection of its own), for the tests that
check what a use case wrote or refused: the audit log above all."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from tui_pos.bootstrap import Till


def rows(till: Till, sql: str) -> list[tuple[object, ...]]:
    """The rows ``sql`` selects from the till's database."""
    with closing(sqlite3.connect(till.db_path)) as conn:
        return conn.execute(sql).fetchall()


def last_audit(till: Till) -> tuple[object, ...]:
    """The newest audit line: action, outcome, employee, approver, detail."""
    return rows(
        till,
        "SELECT action, outcome, employee_name, approver_name, detail FROM audit_event"
        " ORDER BY id DESC LIMIT 1",
    )[0]
