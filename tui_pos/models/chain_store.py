"""The hash chain on SQLite: seal what a write transaction appended; the key; the anchor.

Every writer of a chained table (:data:`tui_pos.models.chain_tables.CHAINED`) calls
:func:`seal` as the last step of its write transaction (``BEGIN IMMEDIATE`` keeps the
read-then-append safe). That costs one read of the head, one query for the tables' last
ids, one read per table the transaction wrote, one HMAC and one insert.

After the commit the new head (number, MAC, grand total) is appended to the anchor file
beside the database (``<database>.anchor``, 0600): a database cut back to fewer entries
(its last sale deleted with its entry, or an older backup restored) no longer reaches
the anchor, which ``tui-pos db verify`` reports. The key is ``chain.key`` beside the
database (made with the first entry, never replaced: a missing key stops the till).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from tui_pos.domain.chain import ChainEntry, RowDigest, flat_canonical, next_entry, row_text
from tui_pos.domain.errors import StorageError
from tui_pos.models.chain_tables import CHAINED
from tui_pos.models.pin_key import read_key_file

if TYPE_CHECKING:
    from peewee import Database

KEY_NAME = "chain.key"
ENTRY_COLUMNS = "seq, till, marks, rows, digest, amount_cents, grand_total_cents, prev_mac, mac"

_KEYS: dict[tuple[str, int, int], bytes] = {}
_ANCHORED: dict[str, int] = {}  #: database file -> the last entry anchored by this process


class _Pending(threading.local):
    """Databases with an anchor write waiting for this thread's commit."""

    ids: frozenset[int] | set[int] = frozenset()


_PENDING = _Pending()


def key_path(db_file: Path) -> Path:
    """Where the chain key of the database ``db_file`` lives."""
    return db_file.parent / KEY_NAME


def anchor_path(db_file: Path) -> Path:
    """The anchor file of the database ``db_file``."""
    return db_file.with_name(db_file.name + ".anchor")


def missing_key_message(path: Path) -> str:
    """What to tell when the key of a chained database is gone."""
    return (
        f"The chain key {path} is missing: the till cannot extend or check its journal "
        "without it. Restore it next to the database from where you keep the till's keys "
        "(it is not in the database backups)"
    )


def chain_key(db: Database, *, chain_empty: bool | None = None, file: Path | None = None) -> bytes:
    """The key of ``db``'s chain; made when the chain has no entry yet, else refused
    (StorageError) when its file is missing. ``file``: the database's file, for a
    connection ``open_database`` did not open (the lean report start's)."""
    if file is None:
        from tui_pos.models.database import database_file  # (Peewee: not for the lean start)

        file = database_file(db)
    if file is None:
        raise StorageError("The chain key cannot be found: the database has no file")
    path = key_path(file)
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is not None:
        cached = _KEYS.get((str(path), stat.st_ino, stat.st_mtime_ns))
        if cached is not None:
            return cached
    empty = head(db) is None if chain_empty is None else chain_empty
    if stat is None and not empty:
        raise StorageError(missing_key_message(path))
    key = read_key_file(
        path, "chain key", create=empty, recovery="ask for help: the chain cannot be extended"
    )
    stat = path.stat()
    _KEYS[(str(path), stat.st_ino, stat.st_mtime_ns)] = key
    return key


def head(db: Database) -> ChainEntry | None:
    """The last entry of the chain (None when it has none)."""
    row = db.execute_sql(f"SELECT {ENTRY_COLUMNS} FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    return ChainEntry(*row) if row else None


def existing_tables(db: Database) -> list[str]:
    """The chained tables this database has (a registered table's migration may be
    pending while an earlier migration seals), in name order."""
    names = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return sorted(t for t in CHAINED if t in names)


def last_ids(db: Database) -> dict[str, int]:
    """Each chained table's highest id (0 when empty), in one query."""
    tables = _ALL_TABLES
    from peewee import OperationalError  # (a Peewee database: its errors are Peewee's)

    try:
        row = _max_ids(db, tables)
    except OperationalError:  # "no such table": a migration adding it has not run yet
        tables = tuple(existing_tables(db))
        row = _max_ids(db, tables) if tables else ()
    return {table: int(top or 0) for table, top in zip(tables, row, strict=True)}


_ALL_TABLES = tuple(sorted(CHAINED))
_SQL: dict[object, str] = {}  #: SQL texts built once (sqlite3 keeps them prepared)


def _max_ids(db: Database, tables: tuple[str, ...]) -> tuple[int | None, ...]:
    sql = _SQL.get(tables)
    if sql is None:
        parts = ", ".join(f'(SELECT MAX(id) FROM "{t}")' for t in tables)
        sql = _SQL[tables] = f"SELECT {parts}"
    return tuple(db.execute_sql(sql).fetchone())


def _rows_sql(table: str, later: tuple[str, ...]) -> str:
    """Reads ``id``, the chained columns in their registered order, then ``later``."""
    key = (table, later)
    sql = _SQL.get(key)
    if sql is None:
        names = ", ".join(f'"{c}"' for c in ("id", *CHAINED[table].columns, *later))
        sql = _SQL[key] = f'SELECT {names} FROM "{table}" WHERE id > ? AND id <= ? ORDER BY id'
    return sql


def _later_columns(db: Database, table: str) -> tuple[str, ...]:
    """The columns of ``table``'s ``later`` it has (a migration adding one may be
    pending), in registered order; none asked when it has no ``later``."""
    later = CHAINED[table].later
    if not later:
        return ()
    names = {r[1] for r in db.execute_sql(f'PRAGMA table_info("{table}")')}
    return tuple(name for name in later if name in names)


def row_texts(db: Database, table: str, after: int, upto: int) -> tuple[list[str], int]:
    """The rows of ``table`` with ids in (after, upto] in their canonical form
    (domain/chain.py), read back as stored, and what they add to the grand total."""
    spec = CHAINED[table]
    later = _later_columns(db, table)
    rows = db.execute_sql(_rows_sql(table, later), (after, upto)).fetchall()
    if later:
        width = 1 + len(spec.columns)
        texts = [
            row_text(
                table,
                row[0],
                row[1:width],
                {n: v for n, v in zip(later, row[width:], strict=True) if v != spec.later[n]},
            )
            for row in rows
        ]
    else:
        # row_text without later columns: the JSON array [table, id, v1, ...].
        texts = [flat_canonical((table, *row)) for row in rows]
    if spec.amount is None:
        return texts, 0
    names = ("id", *spec.columns, *later)
    return texts, sum(spec.amount(dict(zip(names, row, strict=True))) for row in rows)


#: Rows read and hashed at a time by :func:`add_rows`.
ROWS_AT_A_TIME = 4096


def add_rows(db: Database, table: str, after: int, upto: int, digest: RowDigest) -> int:
    """Feed the rows of ``table`` with ids in (after, upto] to ``digest`` (see
    :func:`row_texts`); return what they add to the grand total. Read in id ranges of
    :data:`ROWS_AT_A_TIME`: sealing a large write (an import's 100,000 stock counts) holds
    one range in memory, not all of it (the same bytes reach the digest in the same order)."""
    amount = 0
    while after < upto:
        high = min(after + ROWS_AT_A_TIME, upto)
        texts, part = row_texts(db, table, after, high)
        digest.add_all(texts)
        amount += part
        after = high
    return amount


def seal(db: Database, till: str) -> ChainEntry | None:
    """Chain every row appended to the chained tables since the last entry (call as the
    last step of the write transaction); None when nothing new was appended."""
    previous = head(db)
    marks = previous.mark_map() if previous else {}
    tops = last_ids(db)
    changed = [t for t, top in tops.items() if top > marks.get(t, 0)]
    if not changed:
        return None
    digest = RowDigest()
    amount = 0
    for table in changed:
        amount += add_rows(db, table, marks.get(table, 0), tops[table], digest)
        marks[table] = tops[table]
    entry = next_entry(
        previous,
        key=chain_key(db, chain_empty=previous is None),
        till=till,
        marks=marks,
        digest=digest,
        amount_cents=amount,
    )
    db.execute_sql(
        f"INSERT INTO chain ({ENTRY_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            entry.seq,
            entry.till,
            entry.marks,
            entry.rows,
            entry.digest,
            entry.amount_cents,
            entry.grand_total_cents,
            entry.prev_mac,
            entry.mac,
        ),
    )
    # One anchor write per transaction: a demo history of a thousand sales stored in one
    # outer transaction (savepoints) registers it once. A new outermost transaction
    # always registers (a rolled-back one never ran its callback).
    if db.transaction_depth() <= 1 or id(db) not in _PENDING.ids:
        _PENDING.ids = {*_PENDING.ids, id(db)}
        db.after_commit(lambda: write_anchor(db))
    return entry


def write_anchor(db: Database) -> None:
    """Append the committed head to the anchor file (after a commit). A failure (or a
    missing file) is ignored: the document is stored, and ``db verify`` judges by what the
    file holds."""
    from peewee import OperationalError

    from tui_pos.models.database import database_file

    _PENDING.ids = _PENDING.ids - {id(db)}
    file = database_file(db)
    if file is None:
        return
    try:
        entry = head(db)
        if entry is None or _ANCHORED.get(str(file)) == entry.seq:
            return
        line = f"{entry.seq} {entry.mac} {entry.grand_total_cents}\n".encode()
        # Made with the first entry (or by db restore), then only appended to: a removed
        # anchor file is not started again behind verify's back.
        create = os.O_CREAT if entry.seq == 1 else 0
        fd = os.open(anchor_path(file), os.O_WRONLY | os.O_APPEND | create, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        _ANCHORED[str(file)] = entry.seq
    except (OSError, StorageError, OperationalError):
        return


def anchor_restored(db_file: Path) -> list[str]:
    """After ``db restore``: start the anchor file at the restored head when the target
    has none (a new place); return what the person restoring must know."""
    try:
        conn = sqlite3.connect(db_file.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT seq, mac, grand_total_cents FROM chain ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        row = None  # a backup from before the chain: opening it migrates and chains it
    notes = []
    anchor = anchor_path(db_file)
    try:
        notes += _restart_anchor(anchor, row)
    except OSError as exc:
        notes.append(f"the anchor file {anchor} cannot be written: {exc.strerror}")
    if not key_path(db_file).exists():
        notes.append(f"put the till's {KEY_NAME} and pin.key beside {db_file}")
    return notes


def _restart_anchor(anchor: Path, row: tuple[int, str, int] | None) -> list[str]:
    notes = []
    if row is not None and anchor.exists():
        known = max((int(line.split()[0]) for line in _anchor_lines(anchor)), default=0)
        if known > row[0]:
            notes.append(
                f"the anchor file knows {known - row[0]} chain entries after this backup: "
                "what they hold is lost, and 'db verify' will say so"
            )
    elif row is not None:
        fd = os.open(anchor, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{row[0]} {row[1]} {row[2]}\n".encode())
        finally:
            os.close(fd)
    return notes


def _anchor_lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line[:1].isdigit()]
