"""The Catalog port on SQLite: barcode and PLU lookups, name search, stock levels.

The lookups a scan makes run as prepared raw SQL: they are the hot path of checkout.
"""

from __future__ import annotations

import re
from typing import Any

from peewee import Database

from tui_pos.domain.cart_lines import Product
from tui_pos.models.errors import storage_errors
from tui_pos.services.ports import ProductInfo

_PRODUCT_COLUMNS = (
    "p.id, p.name, p.price_cents, p.tax_code, p.unit, "
    "(SELECT b.code FROM barcode b WHERE b.product_id = p.id LIMIT 1), p.plu, p.category_id"
)
_WORD = re.compile(r"\w+", re.UNICODE)


def _product(row: Any) -> Product:
    return Product(
        id=row[0],
        name=row[1],
        price_cents=row[2],
        tax_code=row[3],
        unit="kg" if row[4] == "kg" else "each",
        barcode=row[5],
        plu=row[6],
        category_id=row[7],
    )


class SqliteCatalog:
    """Implements :class:`tui_pos.services.ports.Catalog`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def by_code(self, code: str) -> Product | None:
        """The active product with this normalised code."""
        with storage_errors():
            # The scan's hot path: straight to the connection (sqlite3 keeps the statement
            # prepared), without Peewee's per-call bookkeeping.
            row = (
                self.db.connection()
                .execute(
                    "SELECT p.id, p.name, p.price_cents, p.tax_code, p.unit, b.code, p.plu,"
                    " p.category_id "
                    "FROM barcode b JOIN product p ON p.id = b.product_id "
                    "WHERE b.code = ? AND p.active = 1",
                    (code,),
                )
                .fetchone()
            )
        return _product(row) if row else None

    def by_plu(self, plu: str) -> Product | None:
        """The active product with this PLU."""
        with storage_errors():
            row = self.db.execute_sql(
                f"SELECT {_PRODUCT_COLUMNS} FROM product p WHERE p.plu = ? AND p.active = 1",
                (plu,),
            ).fetchone()
        return _product(row) if row else None

    def by_id(self, product_id: int) -> Product | None:
        """The active product with this id."""
        with storage_errors():
            row = self.db.execute_sql(
                f"SELECT {_PRODUCT_COLUMNS} FROM product p WHERE p.id = ? AND p.active = 1",
                (product_id,),
            ).fetchone()
        return _product(row) if row else None

    def info(self, product_id: int) -> ProductInfo | None:
        """The product with its stock level and category name."""
        found = self._infos([product_id])
        return found[0] if found else None

    def search(self, text: str, limit: int) -> list[ProductInfo]:
        """Products whose name has words starting with each typed word, by name."""
        words = _WORD.findall(text.lower())
        if not words:
            return []
        query = " ".join(f'"{w}"*' for w in words)
        with storage_errors():
            ids = [
                r[0]
                for r in self.db.execute_sql(
                    "SELECT rowid FROM product_search WHERE product_search MATCH ? LIMIT ?",
                    (query, max(limit * 4, 200)),
                ).fetchall()
            ]
        infos = self._infos(ids)
        infos.sort(key=lambda i: i.product.name.lower())
        return infos[:limit]

    def count(self) -> int:
        """How many active products there are."""
        with storage_errors():
            row = self.db.execute_sql("SELECT COUNT(*) FROM product WHERE active = 1").fetchone()
        return int(row[0])

    def _infos(self, ids: list[int]) -> list[ProductInfo]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with storage_errors():
            rows = self.db.execute_sql(
                f"SELECT {_PRODUCT_COLUMNS}, "
                "COALESCE((SELECT SUM(m.qty_milli) FROM stock_movement m "
                "WHERE m.product_id = p.id), 0), COALESCE(c.name, '') "
                f"FROM product p LEFT JOIN category c ON c.id = p.category_id "
                f"WHERE p.id IN ({marks}) AND p.active = 1",
                ids,
            ).fetchall()
        return [ProductInfo(_product(r), r[8], r[9]) for r in rows]
