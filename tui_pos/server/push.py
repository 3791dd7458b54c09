"""A till's push: one PostgreSQL transaction that extends the till's chain at the server.

Rules (docs/DESIGN.md, "Store server"): the documents must continue the till's chain
(``seq`` = head + 1 and ``prev_mac`` = the head's MAC); one already stored with the same
MAC is acknowledged again (a retry after a lost answer); the same ``(till, seq)`` with
another uuid or hash is a conflict: nothing of the push is stored, an alert is recorded,
the till is marked in conflict and refused until a manager clears it.

The checks read what they need in one query per push; the writes are one
``executemany`` per table for the whole batch (psycopg pipelines them), so a batch of
hundreds of entries costs a handful of round trips, not several per entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tui_pos.server import ledgers
from tui_pos.server.claim_ends import end_pushed_claims
from tui_pos.server.customer_history import record_cards
from tui_pos.server.points import check_overdraws
from tui_pos.server.sold_lines import check_over_returns
from tui_pos.server.web_collect import record_collections
from tui_pos.server.wire import Push, PushedDocument


@dataclass(frozen=True)
class TillIdentity:
    store: str
    till: str


@dataclass(frozen=True)
class PushResult:
    acked_seq: int
    acked_hash: str
    stored: int
    duplicates: int
    server_time: str

    def as_wire(self) -> dict[str, Any]:
        return dict(self.__dict__)


class PushRefused(Exception):
    """A push the server refuses: ``status`` is the HTTP status, ``code`` a word for tills."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.extra = extra


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _conflict(conn: psycopg.Connection, who: TillIdentity, message: str) -> PushRefused:
    """Record the conflict in its own transaction (the push itself was rolled back)."""
    with conn.transaction():
        conn.execute(
            "INSERT INTO alert (store_id, till_id, kind, message) VALUES (%s, %s, 'conflict', %s)",
            (who.store, who.till, message),
        )
        conn.execute(
            "UPDATE till SET conflict = %s WHERE store_id = %s AND till_id = %s",
            (message, who.store, who.till),
        )
    return PushRefused(409, "conflict", message)


class _Conflict(Exception):
    pass


def _new_documents(
    conn: psycopg.Connection,
    who: TillIdentity,
    docs: tuple[PushedDocument, ...],
    head: tuple[int, str],
) -> list[PushedDocument]:
    """The documents after the server's head, checked to continue its chain; those at or
    below it must be the stored ones (duplicates of a retry)."""
    head_seq, head_hash = head
    old = [d for d in docs if d.seq <= head_seq]
    if old:
        stored: dict[int, str] = dict(
            conn.execute(
                "SELECT seq, uuid FROM document WHERE store_id = %s AND till_id = %s "
                "AND seq BETWEEN %s AND %s",
                (who.store, who.till, old[0].seq, old[-1].seq),
            ).fetchall()
        )
        for doc in old:
            if stored.get(doc.seq) != doc.mac:
                raise _Conflict(
                    f"till {who.till} sent chain entry {doc.seq} but the server holds "
                    f"another entry {doc.seq}"
                )
    new = [d for d in docs if d.seq > head_seq]
    if new and new[0].seq != head_seq + 1:
        raise PushRefused(
            409,
            "gap",
            f"the server's head for till {who.till} is {head_seq}; send from {head_seq + 1}",
            head_seq=head_seq,
            head_hash=head_hash,
        )
    prev = head_hash
    for doc in new:
        if doc.prev_mac != prev:
            raise _Conflict(
                f"entry {doc.seq} of till {who.till} does not continue the chain the server "
                "holds (previous MAC differs)"
            )
        prev = doc.mac
    if new:
        taken = conn.execute(
            "SELECT uuid FROM document WHERE store_id = %s AND uuid = ANY(%s) LIMIT 1",
            (who.store, [d.mac for d in new]),
        ).fetchone()
        if taken is not None:
            raise _Conflict(f"chain entry {taken[0][:12]} is already stored under another number")
    return new


def _store(conn: psycopg.Connection, who: TillIdentity, docs: list[PushedDocument]) -> None:
    """Insert the checked new documents, their rows and ledgers (one executemany each)."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO document (store_id, uuid, till_id, seq, created_at, marks, rows, "
            "digest, amount_cents, grand_total_cents, prev_hash, hash) "
            "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            [
                (
                    who.store,
                    d.mac,
                    who.till,
                    d.seq,
                    d.created_at,
                    d.marks,
                    len(d.rows),
                    d.digest,
                    d.amount_cents,
                    d.grand_total_cents,
                    d.prev_mac,
                    d.mac,
                )
                for d in docs
            ],
        )
        cur.executemany(
            "INSERT INTO chain_row (store_id, till_id, tbl, row_id, entry_seq, data) "
            "VALUES (%s,%s,%s,%s,%s,%s)",
            [
                (who.store, who.till, r[0], r[1], d.seq, Jsonb(list(r)))
                for d in docs
                for r in d.rows
            ],
        )
        ledgers.record(cur, who.store, who.till, docs)
        record_cards(cur, who.store, who.till, docs)
    rows = tuple(r for d in docs for r in d.rows)
    record_collections(conn, who.store, who.till, rows)
    check_over_returns(conn, who.store, who.till, rows)
    end_pushed_claims(conn, who.store, who.till, rows)
    check_overdraws(conn, who.store, who.till, docs)


def push(conn: psycopg.Connection, who: TillIdentity, request: Push) -> PushResult:
    """Apply ``request`` for the till the token belongs to (one transaction)."""
    if (request.store, request.till) != (who.store, who.till):
        raise PushRefused(
            403,
            "wrong_till",
            f"this token belongs to till {who.till} of store {who.store}, not to till "
            f"{request.till} of store {request.store}",
        )
    try:
        with conn.transaction():
            row = conn.execute(
                "SELECT head_seq, head_hash, conflict FROM till "
                "WHERE store_id = %s AND till_id = %s FOR UPDATE",
                (who.store, who.till),
            ).fetchone()
            assert row is not None  # the token was just checked
            if row[2]:
                raise PushRefused(409, "conflict", f"till {who.till} is stopped: {row[2]}")
            head: tuple[int, str] = (int(row[0]), str(row[1]))
            new = _new_documents(conn, who, request.documents, head)
            if new:
                _store(conn, who, new)
                head = (new[-1].seq, new[-1].mac)
                conn.execute(
                    "UPDATE till SET head_seq = %s, head_hash = %s "
                    "WHERE store_id = %s AND till_id = %s",
                    (head[0], head[1], who.store, who.till),
                )
    except _Conflict as exc:
        raise _conflict(conn, who, str(exc)) from None
    return PushResult(head[0], head[1], len(new), len(request.documents) - len(new), now_text())


def head_of(conn: psycopg.Connection, who: TillIdentity) -> dict[str, Any]:
    """The till's acknowledged position, for a till restored from a backup."""
    with conn.transaction():
        row = conn.execute(
            "SELECT head_seq, head_hash, conflict FROM till WHERE store_id = %s AND till_id = %s",
            (who.store, who.till),
        ).fetchone()
    assert row is not None
    return {"head_seq": int(row[0]), "head_hash": row[1], "conflict": row[2]}
