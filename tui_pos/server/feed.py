"""The change feed: rows a till pulls (catalog, prices, other tills' ledger rows).

The cursor is ``(xid, id)`` and only rows written by transactions older than the
snapshot's xmin are served: a transaction that commits late with a smaller id can never
be skipped (notes/sync.md, "a change feed on a serial id loses rows").
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tui_pos.server.push import TillIdentity

MAX_CHANGES = 1000


def parse_cursor(text: str | None) -> tuple[int, int]:
    """``"XID:ID"`` (``"0:0"`` or nothing for the start)."""
    if not text:
        return 0, 0
    xid, sep, ident = text.partition(":")
    if not sep or not xid.isdigit() or not ident.isdigit():
        raise ValueError("the cursor must look like 1234:56")
    return int(xid), int(ident)


def page(
    conn: psycopg.Connection,
    cursor: tuple[int, int],
    limit: int,
    store: str,
    topic: str | None = None,
) -> tuple[list[tuple[Any, ...]], str, bool]:
    """Rows ``(xid, id, origin_till, topic, key, body, origin_store)`` after ``cursor``
    visible to every reader, of ``store`` and rows for every store (loyalty, the catalog),
    or of ``store`` and ``topic`` only; the new cursor and whether more may follow."""
    limit = max(1, min(limit, MAX_CHANGES))
    scope = "store_id = %s AND topic = %s" if topic else "(store_id = %s OR store_id IS NULL)"
    with conn.transaction():
        rows = conn.execute(
            "SELECT xid::text, id, origin_till, topic, key, body, "
            "coalesce(origin_store, store_id) FROM change "
            "WHERE (xid, id) > (%s::text::xid8, %s) "
            f"AND xid < pg_snapshot_xmin(pg_current_snapshot()) AND {scope} "
            "ORDER BY xid, id LIMIT %s",
            (str(cursor[0]), cursor[1], store, *((topic,) if topic else ()), limit),
        ).fetchall()
    last = f"{rows[-1][0]}:{rows[-1][1]}" if rows else f"{cursor[0]}:{cursor[1]}"
    return rows, last, len(rows) == limit


def changes(
    conn: psycopg.Connection, who: TillIdentity, cursor: tuple[int, int], limit: int
) -> dict[str, Any]:
    """Changes after ``cursor`` visible to every reader: other tills' rows of this store,
    rows for every store (loyalty, the catalog), never the till's own rows."""
    rows, last, more = page(conn, cursor, limit, who.store)
    return {
        "cursor": last,
        "more": more,
        "changes": [
            {"id": r[1], "topic": r[3], "key": r[4], "till": r[2], "store": r[6], "body": r[5]}
            for r in rows
            if (r[6], r[2]) != (who.store, who.till)
        ],
    }


def publish(
    conn: psycopg.Connection, topic: str, key: str, body: dict[str, Any], store: str | None
) -> None:
    """Add a shared change (``store`` None = every store); call inside a transaction."""
    conn.execute(
        "INSERT INTO change (store_id, topic, key, body) VALUES (%s, %s, %s, %s)",
        (store, topic, key, Jsonb(body)),
    )
