"""The benchmark's catalog: N products with EAN-13 barcodes, a customer, two copies.

Built once per run (not timed): the app's own schema through ``open_till``, products and
barcodes bulk-loaded with plain ``sqlite3``, the search index rebuilt, one customer made
by the app, then a byte-identical copy for the floor (SQLite's backup API).
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.domain.barcode import gtin_check_digit
from tui_pos.drivers.file_printer import NullPrinter

TAX_CODES = ("A", "A", "A", "B", "Z")  # product tax codes, cycled (mostly standard rate)

_BRANDS = (
    "Acme", "Alpine", "Baltic", "Crisp", "Delta", "Evergreen", "Fjord", "Golden",
    "Harvest", "Island", "Juniper", "Kestrel", "Lumen", "Meadow", "Nordic", "Orchard",
    "Pioneer", "Quarry", "Riverside", "Summit", "Tundra", "Urban", "Valley", "Willow",
)  # fmt: skip
_ITEMS = (
    "Apple Juice", "Oat Milk", "Rye Bread", "Dark Chocolate", "Green Tea", "Olive Oil",
    "Basmati Rice", "Tomato Sauce", "Peanut Butter", "Sparkling Water", "Ground Coffee",
    "Cheddar Cheese", "Greek Yogurt", "Dish Soap", "Paper Towels", "Toothpaste", "Shampoo",
    "Dog Food", "Cat Litter", "AA Batteries", "Light Bulb", "Garden Gloves", "Notebook",
    "Ballpoint Pens", "Frozen Peas",
)  # fmt: skip
_SIZES = ("100g", "250g", "500g", "1kg", "330ml", "500ml", "1L", "2L", "6-pack", "12-pack")


def ean13(serial: int) -> str:
    """A valid EAN-13 for product ``serial``: "590" + 9-digit serial + check digit."""
    body = f"590{serial:09d}"
    return body + str(gtin_check_digit(body))


def product_rows(count: int, seed: int) -> Iterator[tuple[object, ...]]:
    """Rows for the product table: ids 1..count, varied names, prices and tax codes."""
    rng = random.Random(seed)
    for pid in range(1, count + 1):
        # The zero-padded id makes every name unique and findable by search.
        name = f"{rng.choice(_BRANDS)} {rng.choice(_ITEMS)} {rng.choice(_SIZES)} {pid:07d}"
        price = rng.randrange(49, 5000)
        tax = TAX_CODES[pid % len(TAX_CODES)]
        yield (pid, name, price, tax, None, "each", None, 0, 1)


def barcode_rows(count: int) -> Iterator[tuple[str, int]]:
    """Rows for the barcode table: the GTIN-14 ("0" + EAN-13) of product ``pid``."""
    for pid in range(1, count + 1):
        yield ("0" + ean13(pid), pid)


@dataclass
class SetupTimes:
    """How long each (untimed-by-the-benchmark) setup step took, in seconds."""

    schema: float = 0.0
    products: float = 0.0
    search_index: float = 0.0
    copy: float = 0.0
    reopen: float = 0.0


def remove_db(path: Path) -> None:
    """Delete a SQLite file and its WAL/SHM side files if present."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build_databases(app_path: Path, raw_path: Path, count: int, seed: int) -> SetupTimes:
    """Create the app database with ``open_till``, bulk-load ``count`` products, copy it.

    The FTS triggers are dropped during the load and the index is rebuilt in one go
    afterwards (same result, several times faster); the triggers are recreated from their
    exact stored SQL so the schema is unchanged.
    """
    times = SetupTimes()
    remove_db(app_path)
    remove_db(raw_path)

    start = time.perf_counter()
    open_till(Config(), app_path, printer=NullPrinter()).close()
    times.schema = time.perf_counter() - start

    conn = sqlite3.connect(app_path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'product' "
        "AND name LIKE 'product_search_%'"
    ).fetchall()

    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for name, _sql in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.executemany(
        'INSERT INTO "product" ("id", "name", "price_cents", "tax_code", "category_id", '
        '"unit", "plu", "reorder_level_milli", "active") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        product_rows(count, seed),
    )
    conn.executemany(
        'INSERT INTO "barcode" ("code", "product_id") VALUES (?, ?)', barcode_rows(count)
    )
    times.products = time.perf_counter() - start

    start = time.perf_counter()
    conn.execute('INSERT INTO "product_search"("product_search") VALUES (\'rebuild\')')
    for _name, sql in triggers:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    times.search_index = time.perf_counter() - start

    conn.close()
    # The customer the benchmark sells to, made by the app (so both copies have them).
    till = open_till(Config(), app_path, printer=NullPrinter())
    till.customers.create_quick("Bench Customer, 0612345678")
    till.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    till.close()
    conn = sqlite3.connect(app_path, isolation_level=None)

    start = time.perf_counter()
    target = sqlite3.connect(raw_path)
    conn.backup(target)
    target.execute("PRAGMA journal_mode = wal")
    target.close()
    conn.close()
    times.copy = time.perf_counter() - start
    return times


def check_catalog(till: Till, raw: sqlite3.Connection, count: int) -> None:
    """Fail loudly if either copy is not the catalog the benchmark expects.

    Counts rows on both copies and checks the app copy's search index (identical bytes).
    """
    for conn in (till.db.connection(), raw):
        products, barcodes = conn.execute(
            "SELECT (SELECT COUNT(*) FROM product), (SELECT COUNT(*) FROM barcode)"
        ).fetchone()
        if products != count or barcodes != count:
            raise SystemExit(f"catalog copy has {products} products / {barcodes} barcodes")
    # rank 1: also compare the external-content FTS index with the product table.
    till.db.execute_sql(
        'INSERT INTO "product_search"("product_search", rank) VALUES (\'integrity-check\', 1)'
    )
    hits = till.catalog.search(f"{count:07d}", 5)
    if [h.product.id for h in hits] != [count]:
        raise SystemExit("the product_search index does not find the last product")


def copy_databases(paths: tuple[Path, Path], folder: Path) -> tuple[Path, Path]:
    """Copy both databases (checkpointed, no WAL) and the chain key into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    key = paths[0].parent / "chain.key"
    if key.exists():
        shutil.copyfile(key, folder / key.name)
        (folder / key.name).chmod(0o600)
    copies = []
    for path in paths:
        target = folder / path.name
        remove_db(target)
        shutil.copyfile(path, target)
        target.chmod(0o600)
        copies.append(target)
    return copies[0], copies[1]
