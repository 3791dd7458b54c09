"""Writing the catalog: tax codes from the config, products from an import file."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime

from peewee import Database

from tui_pos.domain.errors import ImportRowError
from tui_pos.models.times import to_utc_naive
from tui_pos.models.unit_of_work import writing
from tui_pos.services.product_import import ImportSummary, ProductRecord, ProductRows

#: Indexes a new product's name for search (migration 1); see _Upsert._defer_search_index.
_SEARCH_TRIGGER = "product_search_ai"


#: New products (and their barcodes and count movements) written per executemany.
_BATCH = 2000


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


class SqliteCatalogWriter:
    """Implements :class:`tui_pos.services.product_import.CatalogWriter`.

    Bulk speed with the row-by-row rules kept: each row is written as it is read, in file
    order, with prepared statements on the connection's own cursor (no query building per
    row); the barcodes and PLUs seen so far live in a temporary table, not in memory."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def upsert_products(
        self, products: ProductRows, till: str, now: datetime, dry_run: bool
    ) -> ImportSummary:
        """Write the rows in one transaction; rolled back on a bad row or a dry run."""
        try:
            with writing(self.db, till):
                summary = _Upsert(self.db.cursor(), till, now).run(products, dry_run)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        return summary


class _TableSeenKeys:
    """:class:`SeenKeys` in a temporary table (gone with the transaction or dropped)."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.cursor = cursor
        cursor.execute(
            "CREATE TEMP TABLE import_key (kind TEXT NOT NULL, key TEXT NOT NULL, "
            "line INTEGER NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID"
        )

    def first_line(self, kind: str, key: str, line: int) -> int | None:
        cursor = self.cursor
        cursor.execute(
            "INSERT INTO temp.import_key VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (kind, key, line),
        )
        if cursor.rowcount == 1:
            return None
        row = cursor.execute(
            "SELECT line FROM temp.import_key WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return int(row[0])

    def drop(self) -> None:
        self.cursor.execute("DROP TABLE temp.import_key")


class _Upsert:
    """One import's writes, row by row (see SqliteCatalogWriter)."""

    def __init__(self, cursor: sqlite3.Cursor, till: str, now: datetime) -> None:
        self.cursor = cursor
        self.till = till
        self.stamp = to_utc_naive(now).isoformat(sep=" ")
        self.categories = dict(cursor.execute("SELECT name, id FROM category").fetchall())
        last = cursor.execute(
            "SELECT MAX(seq) FROM stock_movement WHERE till = ?", (till,)
        ).fetchone()[0]
        self.move_seq = int(last or 0) + 1
        self.clashes: list[ImportRowError] = []
        self.first_new_id = (
            int(cursor.execute("SELECT MAX(id) FROM product").fetchone()[0] or 0) + 1
        )
        self.was_empty = self.first_new_id == 1
        self.next_id = self.first_new_id
        self.products: list[tuple[int, str, int, str, int | None, str, str | None, int]] = []
        self.barcodes: list[tuple[str, int]] = []
        self.moves: list[tuple[str, str, int, int, int, str, str]] = []

    def _defer_search_index(self) -> str | None:
        """Drop the trigger that indexes each new product's name for search (one FTS insert
        per row costs most of an import); :meth:`_index_new_products` indexes them all in
        one statement and puts the trigger back, in the same transaction."""
        row = self.cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_SEARCH_TRIGGER,)
        ).fetchone()
        if row is not None:
            self.cursor.execute(f'DROP TRIGGER "{_SEARCH_TRIGGER}"')
        return None if row is None else str(row[0])

    def _index_new_products(self, trigger: str | None) -> None:
        if trigger is None:
            return
        self.cursor.execute(
            "INSERT INTO product_search (rowid, name) SELECT id, name FROM product WHERE id >= ?",
            (self.first_new_id,),
        )
        self.cursor.execute(trigger)

    def run(self, products: ProductRows, dry_run: bool) -> ImportSummary:
        created = updated = 0
        seen = _TableSeenKeys(self.cursor)
        trigger = self._defer_search_index()
        for rec in products.records(seen):
            if products.errors or self.clashes:
                continue  # nothing will be written: just find every other bad row
            if self._write(rec):
                created += 1
            else:
                updated += 1
            if len(self.products) + len(self.barcodes) >= _BATCH:
                self._flush()
        self._flush()
        products.fail(self.clashes)  # the transaction rolls back, the trigger included
        self._index_new_products(trigger)
        seen.drop()
        return ImportSummary(created=created, updated=updated, dry_run=dry_run)

    def _write(self, rec: ProductRecord) -> bool:
        """Create or update the product of ``rec``; True when it was created."""
        cur = self.cursor
        found = self._find(rec)
        category = None
        if rec.category:
            category = self.categories.get(rec.category)
            if category is None:
                cur.execute("INSERT INTO category (name) VALUES (?)", (rec.category,))
                category = self.categories[rec.category] = cur.lastrowid
        if rec.plu and "plu" in rec.given and not self.was_empty:
            clash = cur.execute("SELECT id, name FROM product WHERE plu = ?", (rec.plu,)).fetchone()
            if clash is not None and (found is None or clash[0] != found):
                self.clashes.append(
                    ImportRowError(rec.line, f"plu {rec.plu} is {clash[1]}'s already")
                )
                return False
        if found is None:
            # The id SQLite would give (the largest + 1): known now, written in a batch.
            product_id = self.next_id
            self.next_id += 1
            self.products.append(
                (
                    product_id,
                    rec.name,
                    rec.price_cents,
                    rec.tax_code,
                    category,
                    rec.unit,
                    rec.plu,
                    rec.reorder_level_milli,
                )
            )
            level = 0
        else:
            product_id = found
            # An update keeps the optional columns the file does not have.
            kept = [
                (c, v)
                for c, v, given in (
                    ("unit", rec.unit, "unit"),
                    ("plu", rec.plu, "plu"),
                    ("reorder_level_milli", rec.reorder_level_milli, "reorder_level"),
                )
                if given in rec.given
            ]
            columns = [
                "name",
                "price_cents",
                "tax_code",
                "category_id",
                *(c for c, _ in kept),
                "active",
            ]
            values = [rec.name, rec.price_cents, rec.tax_code, category, *(v for _, v in kept), 1]
            cur.execute(
                f"UPDATE product SET {', '.join(c + ' = ?' for c in columns)} WHERE id = ?",
                (*values, product_id),
            )
            level = None
        if rec.code is not None:
            self.barcodes.append((rec.code, product_id))
        if rec.stock_milli is not None:
            if level is None:
                self._flush()
                level = cur.execute(
                    "SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movement WHERE product_id = ?",
                    (product_id,),
                ).fetchone()[0]
            if rec.stock_milli != level:
                self.moves.append(
                    (
                        uuid.uuid4().hex,
                        self.till,
                        self.move_seq,
                        product_id,
                        rec.stock_milli - level,
                        f"import line {rec.line}",
                        self.stamp,
                    )
                )
                self.move_seq += 1
        return found is None

    def _flush(self) -> None:
        """Write the new products, barcodes and count movements gathered so far. A later row
        reads them only to sum a product's stock, which flushes first: finding a product by
        a barcode or PLU that an earlier row wrote would mean a repeated key, a bad row that
        is never written."""
        if self.products:
            self.cursor.executemany(
                "INSERT INTO product (id, name, price_cents, tax_code, category_id, unit, plu, "
                "reorder_level_milli, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
                self.products,
            )
            self.products.clear()
        if self.barcodes:
            self.cursor.executemany(
                "INSERT OR REPLACE INTO barcode (code, product_id) VALUES (?, ?)", self.barcodes
            )
            self.barcodes.clear()
        if self.moves:
            self.cursor.executemany(
                "INSERT INTO stock_movement (uuid, till, seq, product_id, qty_milli, kind, "
                "note, created_at) VALUES (?, ?, ?, ?, ?, 'count', ?, ?)",
                self.moves,
            )
            self.moves.clear()

    def _find(self, rec: ProductRecord) -> int | None:
        """The product a row updates: the one with its barcode, else with its PLU. In a
        catalog that was empty there is none (a row that repeats an earlier row's barcode
        or PLU is a bad row, never written)."""
        if self.was_empty:
            return None
        cur = self.cursor
        if rec.code is not None:
            row = cur.execute(
                "SELECT product_id FROM barcode WHERE code = ?", (rec.code,)
            ).fetchone()
            if row is not None:
                return int(row[0])
        if rec.plu is not None:
            row = cur.execute("SELECT id FROM product WHERE plu = ?", (rec.plu,)).fetchone()
            if row is not None:
                return int(row[0])
        return None
