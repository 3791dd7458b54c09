"""The outbox is the till's chain (``chain`` table): one entry per write transaction that
stored documents or ledger rows, in the same transaction. Pushing an entry sends it with
the canonical texts of the rows it seals (so the server recomputes the digest), the
barcode and category of each product and the loyalty card of each customer those rows
name (ids are local to a till)."""

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
_CUSTOMER_AT = {t: 2 + CHAINED[t].columns.index("customer_id") for t in ("loyalty_entry", "sale")}
_KEYS = ("seq", "marks", "rows", "digest", "amount_cents", "grand_total_cents", "prev_mac", "mac")


def _marks(text: str) -> dict[str, int]:
    data = json.loads(text) if text else {}
    return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}


def marks_at(db: Database, seq: int) -> dict[str, int]:
    """The highest row id of each chained table sealed up to chain entry ``seq``."""
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


def _named(rows: list[list[Any]], where: dict[str, int]) -> set[int]:
    """The ids the rows hold at ``where`` (per table)."""
    return {
        row[at]
        for row in rows
        if (at := where.get(row[0])) is not None and isinstance(row[at], int)
    }


def _lookup(db: Database, sql: str, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):  # SQLite's limit on parameters
        part = ordered[start : start + 500]
        marks = ",".join("?" * len(part))
        found.update((int(k), str(v)) for k, v in db.execute_sql(sql.format(marks=marks), part))
    return found


def _only(found: dict[int, str], ids: set[int]) -> dict[str, str]:
    return {str(i): found[i] for i in sorted(ids) if i in found}


def outbox_batch(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` chain entries after ``after``, each with its rows, in order."""
    entries = [dict(zip(_KEYS, r, strict=True)) for r in db.execute_sql(_ENTRY, (after, limit))]
    before = marks_at(db, after)
    named: list[tuple[set[int], set[int]]] = []
    for entry in entries:
        marks = _marks(entry["marks"])
        entry["row_texts"] = entry_rows(db, before, marks)
        rows = [json.loads(t) for t in entry["row_texts"]]
        named.append((_named(rows, _PRODUCT_AT), _named(rows, _CUSTOMER_AT)))
        before = marks
    products = set().union(*(p for p, _ in named))
    customers = set().union(*(c for _, c in named))
    # Looked up once per batch: the barcode and category of each product, the card of
    # each customer (ids are this till's own; the server names them by these).
    codes = _lookup(
        db,
        "SELECT product_id, min(code) FROM barcode WHERE product_id IN ({marks}) "
        "GROUP BY product_id",
        products,
    )
    categories = _lookup(
        db,
        "SELECT p.id, c.name FROM product p JOIN category c ON c.id = p.category_id "
        "WHERE p.id IN ({marks})",
        products,
    )
    cards = _lookup(
        db, "SELECT id, card FROM customer WHERE card IS NOT NULL AND id IN ({marks})", customers
    )
    for entry, (pids, cids) in zip(entries, named, strict=True):
        entry["codes"] = _only(codes, pids)
        entry["categories"] = _only(categories, pids)
        entry["cards"] = _only(cards, cids)
    return entries
