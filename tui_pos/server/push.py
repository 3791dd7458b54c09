"""A till's push: one PostgreSQL transaction that extends the till's chain at the server.

Rules (docs/DESIGN.md, "Store server"): the documents must continue the till's chain
(``seq`` = head + 1 and ``prev_mac`` = the head's MAC); one already stored with the same
MAC is acknowledged again (a retry after a lost answer); the same ``(till, seq)`` with
another uuid or hash is a conflict: nothing of the push is stored, an alert is recorded,
the till is marked in conflict and refused until a manager clears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tui_pos.models.chain_tables import CHAINED
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


_MOVE = {c: 2 + i for i, c in enumerate(CHAINED["stock_movement"].columns)}


def stock_rows(doc: PushedDocument) -> list[tuple[str, str, int, str]]:
    """(movement uuid, product code, stock change, kind) of the entry's stock movements;
    a product is named by its barcode (ids are local to a till), else ``#id``."""
    rows = []
    for row in doc.rows:
        if row[0] != "stock_movement" or row[_MOVE["kind"]] == "sync":
            continue  # a "sync" row is another till's movement this till pulled: a copy
        product = row[_MOVE["product_id"]]
        code = doc.codes.get(str(product)) or f"#{product}"
        rows.append(
            (str(row[_MOVE["uuid"]]), code, int(row[_MOVE["qty_milli"]]), str(row[_MOVE["kind"]]))
        )
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


def book_stock(
    cur: psycopg.Cursor[Any], store: str, origin: str, moves: list[tuple[str, str, int, str]]
) -> None:
    """Add stock movements ``(uuid, product code, change, kind)`` of ``origin`` (a till, or
    a web shop's source) to the store's ledger and to the change feed other tills pull."""
    if not moves:
        return
    cur.executemany(
        "INSERT INTO stock_ledger (store_id, till_id, movement_uuid, product_code, "
        "qty_milli, kind) VALUES (%s,%s,%s,%s,%s,%s)",
        [(store, origin, *move) for move in moves],
    )
    cur.executemany(
        "INSERT INTO change (store_id, origin_till, topic, key, body) VALUES (%s,%s,'stock',%s,%s)",
        [
            (store, origin, code, Jsonb({"uuid": uuid, "qty_milli": qty}))
            for uuid, code, qty, _kind in moves
        ],
    )


class _Conflict(Exception):
    pass


def _store_one(
    conn: psycopg.Connection, who: TillIdentity, doc: PushedDocument, head: tuple[int, str]
) -> bool:
    """Store ``doc`` after ``head``; False for a document already stored identically."""
    head_seq, head_hash = head
    if doc.seq <= head_seq:
        row = conn.execute(
            "SELECT uuid FROM document WHERE store_id = %s AND till_id = %s AND seq = %s",
            (who.store, who.till, doc.seq),
        ).fetchone()
        if row is not None and row[0] == doc.mac:
            return False
        raise _Conflict(
            f"till {who.till} sent chain entry {doc.seq} but the server holds another "
            f"entry {doc.seq}"
        )
    if doc.seq != head_seq + 1:
        raise PushRefused(
            409,
            "gap",
            f"the server's head for till {who.till} is {head_seq}; send from {head_seq + 1}",
            head_seq=head_seq,
            head_hash=head_hash,
        )
    if doc.prev_mac != head_hash:
        raise _Conflict(
            f"entry {doc.seq} of till {who.till} does not continue the chain the server "
            "holds (previous MAC differs)"
        )
    inserted = conn.execute(
        "INSERT INTO document (store_id, uuid, till_id, seq, created_at, marks, rows, digest, "
        "amount_cents, grand_total_cents, prev_hash, hash) "
        "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (store_id, uuid) DO NOTHING",
        (
            who.store,
            doc.mac,
            who.till,
            doc.seq,
            doc.created_at,
            doc.marks,
            len(doc.rows),
            doc.digest,
            doc.amount_cents,
            doc.grand_total_cents,
            doc.prev_mac,
            doc.mac,
        ),
    ).rowcount
    if inserted != 1:
        raise _Conflict(f"chain entry {doc.mac[:12]} is already stored under another number")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO chain_row (store_id, till_id, tbl, row_id, entry_seq, data) "
            "VALUES (%s,%s,%s,%s,%s,%s)",
            [(who.store, who.till, r[0], r[1], doc.seq, Jsonb(list(r))) for r in doc.rows],
        )
        book_stock(cur, who.store, who.till, stock_rows(doc))
    record_collections(conn, who.store, who.till, doc.rows)
    check_over_returns(conn, who.store, who.till, doc.rows)
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
                    head = (doc.seq, doc.mac)
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
