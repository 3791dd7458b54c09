"""A till's push: one PostgreSQL transaction that extends the till's chain at the server.

Rules (docs/DESIGN.md, "Store server"): the documents must continue the till's chain
(``seq`` = head + 1 and ``prev_hash`` = head hash); one already stored with the same uuid
and hash is acknowledged again (a retry after a lost answer); the same ``(till, seq)`` with
another uuid or hash is a conflict: nothing of the push is stored, an alert is recorded,
the till is marked in conflict and refused until a manager clears it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

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


def stock_rows(doc: PushedDocument) -> list[tuple[int, str, int]]:
    """(line number, product code, stock change) of a completed sale: each line takes its
    quantity out of stock (a return line, with a negative quantity, puts it back)."""
    if doc.kind != "sale":
        return []
    payload = json.loads(doc.payload)
    rows = []
    for i, line in enumerate(payload.get("lines") or [], start=1):
        if not isinstance(line, list) or len(line) < 5 or not isinstance(line[4], int):
            continue
        code = line[2] if isinstance(line[2], str) and line[2] else f"#{line[0]}"
        rows.append((i, code, -line[4]))
    return rows


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


def _store_one(
    conn: psycopg.Connection, who: TillIdentity, doc: PushedDocument, head: tuple[int, str]
) -> bool:
    """Store ``doc`` after ``head``; False for a document already stored identically."""
    head_seq, head_hash = head
    if doc.seq <= head_seq:
        row = conn.execute(
            "SELECT uuid, hash FROM document WHERE store_id = %s AND till_id = %s AND seq = %s",
            (who.store, who.till, doc.seq),
        ).fetchone()
        if row is not None and (row[0], row[1]) == (doc.uuid, doc.hash):
            return False
        raise _Conflict(
            f"till {who.till} sent document {doc.seq} ({doc.uuid}) but the server holds "
            f"another document {doc.seq}"
        )
    if doc.seq != head_seq + 1:
        raise PushRefused(
            409,
            "gap",
            f"the server's head for till {who.till} is {head_seq}; send from {head_seq + 1}",
            head_seq=head_seq,
            head_hash=head_hash,
        )
    if doc.prev_hash != head_hash:
        raise _Conflict(
            f"document {doc.seq} of till {who.till} does not continue the chain the server "
            "holds (previous hash differs)"
        )
    inserted = conn.execute(
        "INSERT INTO document (store_id, uuid, till_id, seq, kind, created_at, payload, "
        "payload_text, amount_cents, grand_total_cents, prev_hash, hash) "
        "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (store_id, uuid) DO NOTHING",
        (
            who.store,
            doc.uuid,
            who.till,
            doc.seq,
            doc.kind,
            doc.created_at,
            Jsonb(json.loads(doc.payload)),
            doc.payload,
            doc.amount_cents,
            doc.grand_total_cents,
            doc.prev_hash,
            doc.hash,
        ),
    ).rowcount
    if inserted != 1:
        raise _Conflict(f"document {doc.uuid} is already stored under another number")
    ledger = stock_rows(doc)
    if ledger:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO stock_ledger (store_id, till_id, doc_uuid, line_no, product_code, "
                "qty_milli) VALUES (%s,%s,%s,%s,%s,%s)",
                [(who.store, who.till, doc.uuid, n, code, qty) for n, code, qty in ledger],
            )
            cur.executemany(
                "INSERT INTO change (store_id, origin_till, topic, key, body) "
                "VALUES (%s,%s,'stock',%s,%s)",
                [
                    (
                        who.store,
                        who.till,
                        code,
                        Jsonb({"doc": doc.uuid, "line": n, "qty_milli": qty}),
                    )
                    for n, code, qty in ledger
                ],
            )
    return True


def push(conn: psycopg.Connection, who: TillIdentity, request: Push) -> PushResult:
    """Apply ``request`` for the till the token belongs to (one transaction)."""
    if (request.store, request.till) != (who.store, who.till):
        raise PushRefused(
            403,
            "wrong_till",
            f"this token belongs to till {who.till} of store {who.store}, not to till "
            f"{request.till} of store {request.store}",
        )
    stored = duplicates = 0
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
            for doc in request.documents:
                if _store_one(conn, who, doc, head):
                    stored += 1
                    head = (doc.seq, doc.hash)
                else:
                    duplicates += 1
            conn.execute(
                "UPDATE till SET head_seq = %s, head_hash = %s "
                "WHERE store_id = %s AND till_id = %s",
                (head[0], head[1], who.store, who.till),
            )
    except _Conflict as exc:
        raise _conflict(conn, who, str(exc)) from None
    return PushResult(head[0], head[1], stored, duplicates, now_text())


def head_of(conn: psycopg.Connection, who: TillIdentity) -> dict[str, Any]:
    """The till's acknowledged position, for a till restored from a backup."""
    with conn.transaction():
        row = conn.execute(
            "SELECT head_seq, head_hash, conflict FROM till WHERE store_id = %s AND till_id = %s",
            (who.store, who.till),
        ).fetchone()
    assert row is not None
    return {"head_seq": int(row[0]), "head_hash": row[1], "conflict": row[2]}
