"""The outbox is the till's chain (``chain`` table): one entry per write transaction that
stored documents or ledger rows, in the same transaction. Pushing an entry sends it with
the canonical texts of the rows it seals (so the server recomputes the digest) and the
barcode of each product those rows name (product ids are local to a till)."""

from __future__ import annotations

import json
from typing import Any

from peewee import Database

from tui_pos.models.chain_store import row_texts
from tui_pos.models.chain_tables import CHAINED

_ENTRY = (
    "SELECT seq, marks, rows, digest, amount_cents, grand_total_cents, prev_mac, mac "
    "FROM chain WHERE seq > ? ORDER BY seq LIMIT ?"
)
#: Where a row's product id is in its canonical form ([table, id, *columns]).
_PRODUCT_AT = {
    t: 2 + CHAINED[t].columns.index("product_id") for t in ("stock_movement", "sale_line")
}
_KEYS = ("seq", "marks", "rows", "digest", "amount_cents", "grand_total_cents", "prev_mac", "mac")


def _marks(text: str) -> dict[str, int]:
    data = json.loads(text) if text else {}
    return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _previous_marks(db: Database, seq: int) -> dict[str, int]:
    row = db.execute_sql("SELECT marks FROM chain WHERE seq = ?", (seq,)).fetchone()
    return _marks(row[0]) if row else {}


def entry_rows(db: Database, before: dict[str, int], after: dict[str, int]) -> list[str]:
    """The canonical texts of the rows an entry seals, in chain order."""
    texts: list[str] = []
    for table in sorted(after):
        if table not in CHAINED or after[table] <= before.get(table, 0):
            continue
        texts += row_texts(db, table, before.get(table, 0), after[table])[0]
    return texts


def product_codes(db: Database, texts: list[str]) -> dict[str, str]:
    """The barcode of every product the rows name (stock movements and sale lines)."""
    ids: set[int] = set()
    for text in texts:
        row = json.loads(text)
        at = _PRODUCT_AT.get(row[0])
        if at is not None and isinstance(row[at], int):
            ids.add(row[at])
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.execute_sql(
        f"SELECT product_id, min(code) FROM barcode WHERE product_id IN ({marks}) "
        "GROUP BY product_id",
        tuple(ids),
    ).fetchall()
    return {str(pid): str(code) for pid, code in rows}


def outbox_batch(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` chain entries after ``after``, each with its rows, in order."""
    entries = [dict(zip(_KEYS, r, strict=True)) for r in db.execute_sql(_ENTRY, (after, limit))]
    before = _previous_marks(db, after)
    for entry in entries:
        marks = _marks(entry["marks"])
        entry["row_texts"] = entry_rows(db, before, marks)
        entry["codes"] = product_codes(db, entry["row_texts"])
        before = marks
    return entries
