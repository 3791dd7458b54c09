"""Database health checks for ``tui-pos db check``."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def check_database(path: Path) -> tuple[list[str], int]:
    """Run integrity_check and foreign_key_check read-only; return (problems, schema version)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [
            f"foreign key: {table} row {rowid} -> {parent}"
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
        ]
        try:
            version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
        except sqlite3.DatabaseError:
            version = 0
            problems.append("no schema_version table: not a tui-pos database")
        return problems, int(version)
    except sqlite3.DatabaseError as exc:
        return [f"cannot read the database: {exc}"], 0
    finally:
        conn.close()
