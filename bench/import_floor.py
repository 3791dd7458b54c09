"""The floor of ``tui-pos import products``: the same file into the same schema, by hand.

Usage: ``python bench/import_floor.py DB FILE.csv TILL`` (DB already migrated, no products).

It does the import's work in the plainest fast form: ``csv.reader``; the checks the app
makes on these rows (header, EAN-13 check digit and GTIN-14 form, price with at most two
decimals, tax code, unit, printable name, stock and reorder levels, no barcode twice),
written inline; then one ``BEGIN IMMEDIATE`` transaction with the app's pragmas that
inserts the categories, products, barcodes and count movements with ``executemany`` and
indexes the new names for search in one statement, and seals the count movements into the
till's keyed hash chain as the app's unit of work does (``models/chain_store.seal``'s
format, hashed from the values in hand: canonical JSON of each row, SHA-256, HMAC with
the till's ``chain.key``, one ``chain`` row; after the commit the head is appended to the
anchor file). Only sqlite3, csv, json, hashlib, hmac and uuid are loaded.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import sqlite3
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

PRAGMAS = (
    "journal_mode = WAL",
    "synchronous = FULL",
    "foreign_keys = ON",
    "busy_timeout = 5000",
    "cache_size = -16000",
)
HEADER = ["barcode", "name", "price", "tax", "category", "stock", "unit", "reorder_level"]
TAXES = {"A", "B", "Z"}


def milli(text: str, weighed: bool) -> int:
    """A level in thousandths ("12" or, for kg, "12.345")."""
    whole, _, frac = text.partition(".")
    if not whole.isdigit() or (frac and (not weighed or not frac.isdigit() or len(frac) > 3)):
        raise ValueError(text)
    return int(whole) * 1000 + int(frac.ljust(3, "0") or 0)


def gtin14(code: str) -> str:
    """The GTIN-14 of an EAN-13 with a correct check digit."""
    if len(code) != 13 or not code.isdigit():
        raise ValueError(code)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(code[:-1])))
    if (10 - total % 10) % 10 != int(code[-1]):
        raise ValueError(code)
    return "0" + code


def main(db_path: str, csv_path: str, till: str) -> None:
    products: list[tuple[object, ...]] = []
    barcodes: list[tuple[str, int]] = []
    levels: list[tuple[int, int, int]] = []
    categories: dict[str, int] = {}
    seen: set[str] = set()
    db = sqlite3.connect(db_path, isolation_level=None)
    for pragma in PRAGMAS:
        db.execute(f"PRAGMA {pragma}")
    db.execute("BEGIN IMMEDIATE")
    first_id = (db.execute("SELECT MAX(id) FROM product").fetchone()[0] or 0) + 1
    next_category = (db.execute("SELECT MAX(id) FROM category").fetchone()[0] or 0) + 1
    with open(csv_path, encoding="utf-8-sig", newline="") as file:
        rows = csv.reader(file)
        if [h.strip() for h in next(rows)] != HEADER:
            raise SystemExit("unexpected header")
        for line, (code, name, price, tax, category, stock, unit, reorder) in enumerate(rows, 2):
            name = name.strip()
            if not name or len(name) > 120 or not name.isprintable():
                raise SystemExit(f"line {line}: name")
            units, _, cents = price.partition(".")
            if not units.isdigit() or len(cents) > 2 or (cents and not cents.isdigit()):
                raise SystemExit(f"line {line}: price")
            if tax not in TAXES or unit not in ("each", "kg"):
                raise SystemExit(f"line {line}: tax or unit")
            code = gtin14(code)
            if code in seen:
                raise SystemExit(f"line {line}: barcode twice")
            seen.add(code)
            weighed = unit == "kg"
            category = category[:60]
            if category and category not in categories:
                categories[category] = next_category
                next_category += 1
            product_id = first_id + len(products)
            products.append(
                (
                    product_id,
                    name,
                    int(units) * 100 + int(cents.ljust(2, "0") or 0),
                    tax,
                    categories.get(category),
                    unit,
                    milli(reorder, weighed) if reorder else 0,
                )
            )
            barcodes.append((code, product_id))
            if stock and (level := milli(stock, weighed)):
                levels.append((product_id, level, line))
    db.executemany(
        "INSERT INTO category (id, name) VALUES (?, ?)", [(i, n) for n, i in categories.items()]
    )
    db.execute("DROP TRIGGER product_search_ai")
    db.executemany(
        "INSERT INTO product (id, name, price_cents, tax_code, category_id, unit, plu,"
        " reorder_level_milli, active) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, 1)",
        products,
    )
    db.executemany("INSERT INTO barcode (code, product_id) VALUES (?, ?)", barcodes)
    last = db.execute("SELECT MAX(seq) FROM stock_movement WHERE till = ?", (till,)).fetchone()
    seq = last[0] or 0
    stamp = str(datetime.now(UTC).replace(tzinfo=None))
    movements = [
        (uuid.uuid4().hex, till, seq + n, pid, qty, "count", None, f"import line {line}", stamp)
        for n, (pid, qty, line) in enumerate(levels, 1)
    ]
    db.executemany(
        "INSERT INTO stock_movement (uuid, till, seq, product_id, qty_milli, kind,"
        " sale_line_id, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        movements,
    )
    db.execute(
        "INSERT INTO product_search (rowid, name) SELECT id, name FROM product WHERE id >= ?",
        (first_id,),
    )
    db.execute(TRIGGER)
    anchor = seal(db, Path(db_path), till, movements) if movements else None
    db.execute("COMMIT")
    db.close()
    if anchor:
        fd = os.open(f"{db_path}.anchor", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, anchor.encode())
        finally:
            os.close(fd)
    print(f"{csv_path}: created {len(products)}, updated 0 products")


def seal(db: sqlite3.Connection, path: Path, till: str, rows: list[tuple[object, ...]]) -> str:
    """The chain entry of the stock movements just inserted (ids: the highest ones of
    the table, in order); returns the anchor line."""
    head = db.execute(
        "SELECT seq, marks, grand_total_cents, mac FROM chain ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    marks = json.loads(head[1]) if head else {}
    top = db.execute("SELECT MAX(id) FROM stock_movement").fetchone()[0]
    first = top - len(rows) + 1
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    digest = hashlib.sha256()
    digest.update(
        "".join(
            encode(["stock_movement", first + n, *row]) + "\n" for n, row in enumerate(rows)
        ).encode("utf-8")
    )
    marks["stock_movement"] = top
    seq, grand, prev = (head[0] + 1, head[2], head[3]) if head else (1, 0, "0" * 64)
    marks_text = canonical(marks)
    body = canonical(
        ["tui-pos chain 1", seq, till, marks_text, len(rows), digest.hexdigest(), 0, grand, prev]
    )
    key = bytes.fromhex((path.parent / "chain.key").read_text().strip())
    mac = hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()
    db.execute(
        "INSERT INTO chain (seq, till, marks, rows, digest, amount_cents, grand_total_cents,"
        " prev_mac, mac) VALUES (?,?,?,?,?,?,?,?,?)",
        (seq, till, marks_text, len(rows), digest.hexdigest(), 0, grand, prev, mac),
    )
    return f"{seq} {mac} {grand}\n"


def canonical(data: object) -> str:
    """The chain's canonical JSON (sorted keys, no spaces, UTF-8)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


TRIGGER = (
    'CREATE TRIGGER "product_search_ai" AFTER INSERT ON "product" BEGIN\n'
    '  INSERT INTO "product_search"(rowid, name) VALUES (new.id, new.name);\nEND'
)

if __name__ == "__main__":
    main(*sys.argv[1:4])
