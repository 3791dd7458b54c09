"""Opening the SQLite file with the pragmas that keep a confirmed sale durable.

WAL + ``synchronous=FULL`` (WAL + NORMAL can lose the last confirmed sales on power
loss), foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for every write
transaction so read-then-append sequences never race (see docs/DESIGN.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from peewee import DatabaseProxy, SqliteDatabase

#: The proxy every table binds to; :func:`open_database` initialises it.
database_proxy = DatabaseProxy()

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -16_000,  # 16 MB page cache
}


def open_database(path: Path) -> SqliteDatabase:
    """Create (owner-only) or open the till database and bind the tables to it."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        # Create the file ourselves so it is owner-only from its first byte.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, lock_type="IMMEDIATE", timeout=5)
    database_proxy.initialize(db)
    db.connect(reuse_if_open=True)
    return db
