"""The till's sync state (one row of ``sync_state``), each change in its own short
transaction so that a sale commit never waits behind it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from peewee import Database

_COLUMNS = (
    "url, store, till, token, acked_seq, acked_hash, pull_cursor, conflict, last_ok_at, "
    "offline_since, head_check"
)
#: ``head_check``: the head was checked (or need not be), a restored database waits for
#: the check before it sells, the server holds more than this database (selling blocked).
HEAD_OK, HEAD_UNCHECKED, HEAD_BEHIND = 0, 1, 2


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class SyncState:
    url: str
    store: str
    till: str
    token: str
    acked_seq: int
    acked_hash: str
    pull_cursor: str
    conflict: str | None
    last_ok_at: str | None
    offline_since: str | None
    head_check: int = HEAD_OK


def load(db: Database) -> SyncState | None:
    """The state, or None for a till that was never enrolled (it works alone)."""
    row = db.execute_sql(f"SELECT {_COLUMNS} FROM sync_state WHERE id = 1").fetchone()
    return SyncState(*row) if row else None


def enrolled(
    db: Database, url: str, store: str, till: str, token: str, head: tuple[int, str]
) -> None:
    with db.atomic():
        db.execute_sql(
            "INSERT OR REPLACE INTO sync_state (id, url, store, till, token, acked_seq, "
            "acked_hash, pull_cursor, enrolled_at) VALUES (1, ?, ?, ?, ?, ?, ?, '0:0', ?)",
            (url, store, till, token, head[0], head[1], now_text()),
        )


def acked(db: Database, seq: int, hash_: str) -> None:
    """Save the acknowledged position (never moves back) and mark the till online."""
    with db.atomic():
        db.execute_sql(
            "UPDATE sync_state SET acked_seq = ?, acked_hash = ?, last_ok_at = ?, "
            "offline_since = NULL WHERE id = 1 AND acked_seq <= ?",
            (seq, hash_, now_text(), seq),
        )


#: How stale ``last_ok_at`` may get before a quiet, online till writes it again.
LAST_OK_EVERY_S = 30.0


def online(db: Database, state: SyncState | None = None) -> None:
    """Mark the till online. Given the state just read, nothing is written while it is
    online already and ``last_ok_at`` is fresh: the sync thread then takes no write lock
    at all between pushes (a sale commit never waits behind it)."""
    if state is not None and state.offline_since is None and state.last_ok_at:
        last = datetime.strptime(state.last_ok_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        if (datetime.now(UTC) - last).total_seconds() < LAST_OK_EVERY_S:
            return
    with db.atomic():
        db.execute_sql(
            "UPDATE sync_state SET last_ok_at = ?, offline_since = NULL WHERE id = 1",
            (now_text(),),
        )


def offline(db: Database) -> None:
    with db.atomic():
        db.execute_sql(
            "UPDATE sync_state SET offline_since = coalesce(offline_since, ?) WHERE id = 1",
            (now_text(),),
        )


def conflict(db: Database, message: str | None) -> None:
    with db.atomic():
        db.execute_sql("UPDATE sync_state SET conflict = ? WHERE id = 1", (message,))


def head_checked(db: Database, value: int) -> None:
    with db.atomic():
        db.execute_sql("UPDATE sync_state SET head_check = ? WHERE id = 1", (value,))


def require_head_check(db_file: Path) -> list[str]:
    """After ``db restore``: an enrolled till's database may be older than what the server
    holds, so it sells only once the server confirms its head. Returns notes for the user."""
    try:
        with closing(sqlite3.connect(db_file)) as conn, conn:
            if not conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_state'"
            ).fetchone():
                return []
            columns = [r[1] for r in conn.execute('PRAGMA table_info("sync_state")')]
            if "head_check" not in columns:  # a backup from before migration 21
                conn.execute(
                    'ALTER TABLE "sync_state" ADD COLUMN "head_check" INTEGER NOT NULL DEFAULT 0'
                )
            if not conn.execute(
                "UPDATE sync_state SET head_check = ? WHERE id = 1", (HEAD_UNCHECKED,)
            ).rowcount:
                return []
    except sqlite3.Error as exc:
        return [f"the restored database's sync state cannot be marked ({exc})"]
    return [
        "this till is enrolled with a store server: it sells again once the server "
        "confirms this database is its newest (at start, when the server is reachable)"
    ]


def mac_at(db: Database, seq: int) -> str | None:
    """The MAC of the till's chain entry ``seq`` (None: no such entry)."""
    row = db.execute_sql("SELECT mac FROM chain WHERE seq = ?", (seq,)).fetchone()
    return str(row[0]) if row else None


def chain_head(db: Database) -> tuple[int, str]:
    """The last entry of the till's chain (its outbox): number and MAC."""
    row = db.execute_sql("SELECT seq, mac FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, "0" * 64)


def waiting(db: Database, state: SyncState) -> int:
    """Entries of the outbox (the chain) not yet acknowledged by the server."""
    row = db.execute_sql("SELECT count(*) FROM chain WHERE seq > ?", (state.acked_seq,)).fetchone()
    return int(row[0])


def check_store(db: Database, store: str) -> None:
    """Refuse a report of a store this till does not belong to (a till knows only its own
    store's sales; the store server's ``server report --store`` covers every store)."""
    from tui_pos.domain.errors import DomainError

    state = load(db)
    if state is None:
        raise DomainError(
            f"this till is not enrolled at a store server, so it is not a till of store {store}"
        )
    if state.store != store:
        raise DomainError(
            f"this till belongs to store {state.store}, not {store}: it knows only its own "
            "store's sales (the store server reports every store)"
        )
