"""The StockStore port on SQLite: levels summed from the ledger, movements appended."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from peewee import Database

from tui_pos.domain.stock import CountLine, Movement, count_movements
from tui_pos.models.base import next_seq
from tui_pos.models.catalog import StockMovementRow
from tui_pos.models.errors import storage_errors
from tui_pos.models.times import stamp
from tui_pos.models.unit_of_work import writing
from tui_pos.services.stock import StockLevel

_LEVELS = (
    "SELECT p.id, COALESCE((SELECT b.code FROM barcode b WHERE b.product_id = p.id LIMIT 1),"
    " p.plu, ''), p.name, p.unit, COALESCE(c.name, ''), p.price_cents,"
    " COALESCE((SELECT SUM(m.qty_milli) FROM stock_movement m WHERE m.product_id = p.id), 0),"
    " p.reorder_level_milli,"
    " COALESCE((SELECT -SUM(m.qty_milli) FROM stock_movement m WHERE m.product_id = p.id"
    " AND m.kind = 'damaged'), 0),"
    " COALESCE((SELECT b.code FROM barcode b WHERE b.product_id = p.id LIMIT 1), ''),"
    " COALESCE(p.plu, ''), p.tax_code"
    " FROM product p LEFT JOIN category c ON c.id = p.category_id WHERE p.active = 1"
)


def _level(row: Any) -> StockLevel:
    return StockLevel(
        product_id=row[0],
        code=row[1] or "",
        name=row[2],
        unit="kg" if row[3] == "kg" else "each",
        category=row[4],
        price_cents=row[5],
        level_milli=int(row[6]),
        reorder_level_milli=int(row[7]),
        damaged_milli=int(row[8]),
        barcode=row[9],
        plu=row[10],
        tax=row[11],
    )


def insert_movements(db: Database, till: str, created: str, moves: Sequence[Movement]) -> int:
    """Append ``moves`` (call inside a write transaction)."""
    seq = next_seq(StockMovementRow, till)
    db.cursor().executemany(
        "INSERT INTO stock_movement (uuid, till, seq, product_id, qty_milli, kind,"
        " sale_line_id, note, created_at) VALUES (?,?,?,?,?,?,NULL,?,?)",
        [
            (uuid.uuid4().hex, till, seq + i, m.product_id, m.qty_milli, m.kind, m.note, created)
            for i, m in enumerate(moves)
        ],
    )
    return len(moves)


class SqliteStockStore:
    """Implements :class:`tui_pos.services.stock.StockStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def levels(self, product_ids: Sequence[int] | None = None) -> list[StockLevel]:
        """Levels of the given products (every active product when None), by name."""
        with storage_errors():
            return self._levels(product_ids)

    def _levels(self, product_ids: Sequence[int] | None) -> list[StockLevel]:
        sql, args = _LEVELS, []
        if product_ids is not None:
            if not product_ids:
                return []
            sql += f" AND p.id IN ({','.join('?' * len(product_ids))})"
            args = list(product_ids)
        rows = self.db.execute_sql(sql + " ORDER BY p.name, p.id", args).fetchall()
        return [_level(r) for r in rows]

    def record(self, till: str, now: datetime, moves: Sequence[Movement]) -> int:
        """Append movements in one transaction."""
        with writing(self.db, till):
            written = insert_movements(self.db, till, stamp(now), moves)
            return written

    def apply_count(
        self, till: str, now: datetime, counted: dict[int, int], note: str
    ) -> list[CountLine]:
        """Count movements against the ledger as it is inside the transaction."""
        with writing(self.db, till):
            levels = {lv.product_id: lv for lv in self._levels(list(counted))}
            lines = [
                CountLine(pid, levels[pid].name, levels[pid].unit, levels[pid].level_milli, qty)
                for pid, qty in counted.items()
                if pid in levels
            ]
            insert_movements(self.db, till, stamp(now), count_movements(lines, note))
        return lines
