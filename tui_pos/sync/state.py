"""The till's sync state (one row of ``sync_state``), each change in its own short
transaction so that a sale commit never waits behind it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from peewee import Database

_COLUMNS = (
    "url, store, till, token, acked_seq, acked_hash, pull_cursor, conflict, last_ok_at, "
    "offline_since"
)


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


def online(db: Database) -> None:
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
