"""Opening the SQLite file with the pragmas that keep a confirmed sale durable.

WAL + ``synchronous=FULL`` (WAL + NORMAL can lose the last confirmed sales on power
loss), foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for every write
transaction so read-then-append sequences never race (see docs/DESIGN.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from peewee import Database, DatabaseProxy, SqliteDatabase

from tui_pos.domain.errors import StorageError
from tui_pos.models.errors import storage_errors
from tui_pos.models.plain_db import PRAGMAS as PRAGMAS  # (the one list: plain_db)

#: The proxy every table binds to; :func:`open_database` initialises it.
database_proxy = DatabaseProxy()


def open_database(path: Path, busy_timeout_ms: int = 5000) -> SqliteDatabase:
    """Create (owner-only) or open the till database and bind the tables to it.

    ``busy_timeout_ms``: how long a statement waits for another connection's lock."""
    try:
        path = path.expanduser()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            # Create the file ourselves so it is owner-only from its first byte.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except (OSError, RuntimeError, ValueError) as exc:  # no such user (~x), NUL byte...
        raise StorageError(f"The database {path} cannot be created or opened: {exc}") from exc
    pragmas = {**PRAGMAS, "busy_timeout": busy_timeout_ms}
    db = SqliteDatabase(
        str(path), pragmas=pragmas, lock_type="IMMEDIATE", timeout=busy_timeout_ms / 1000
    )
    database_proxy.initialize(db)
    db.connect(reuse_if_open=True)
    stat = path.stat()
    _IDENTITY[id(db)] = (path, stat.st_dev, stat.st_ino)
    return db


def limit_sqlite_memory(db: Database, limit_bytes: int) -> None:
    """Keep the whole process's SQLite heap near ``limit_bytes`` (``soft_heap_limit``):
    every connection's page cache (one per thread: the UI, the sale writer, the printer,
    the workers) gives pages back as the total nears it, instead of each growing to its
    own ``cache_size``. Durability is not touched (pages are dropped only when clean, and
    the file, WAL and fsyncs are SQLite's as before); a page dropped is read again, mostly
    from the OS file cache."""
    with storage_errors():
        db.execute_sql(f"PRAGMA soft_heap_limit = {int(limit_bytes)}")


#: The file each open database was opened from (device and inode), to notice it vanish.
_IDENTITY: dict[int, tuple[Path, int, int]] = {}


def ensure_same_file(db: Database) -> None:
    """Refuse to write when the database file was deleted or replaced under the till:
    SQLite would keep writing into the unlinked file and the sale would be lost."""
    known = _IDENTITY.get(id(db))
    if known is None:
        return
    path, dev, ino = known
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is None or (stat.st_dev, stat.st_ino) != (dev, ino):
        raise StorageError(
            f"The database file {path} was removed or replaced while the till was running: "
            "the sale was NOT stored. Restore it (tui-pos db restore) and restart the till"
        )


def database_file(db: Database) -> Path | None:
    """The file ``db`` was opened from by :func:`open_database` (None for another)."""
    known = _IDENTITY.get(id(db))
    return known[0] if known else None
