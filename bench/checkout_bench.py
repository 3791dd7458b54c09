"""Checkout benchmark: the real register against raw ``sqlite3`` doing the same work.

Builds a catalog of N products (default 1,000,000), then measures two operations through
the application code (``open_till`` -> ``Register``) and through a hand-written raw
``sqlite3`` baseline in the same run, on two identical copies of the database:

* scan-to-line: ``register.enter(code)`` against a GTIN check + one indexed lookup +
  appending a tuple to a list;
* sale commit: ``register.pay_cash("")`` on a 5-item basket against the same inserts in
  one ``BEGIN IMMEDIATE`` transaction with the same pragmas (WAL, synchronous=FULL).

It prints median and p95 per operation (microseconds) and the ratio app / raw. Nothing
is asserted: performance is measured, not judged. Usage::

    .venv/bin/python bench/checkout_bench.py [--products 1000000] [--scans 5000]
                                             [--sales 500] [--dir DIR] [--keep]

See bench/README.md for what exactly is timed and for results.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.domain.barcode import gtin_check_digit
from tui_pos.drivers.file_printer import NullPrinter
from tui_pos.models.database import PRAGMAS
from tui_pos.services.register import Register

CART_SIZE = 50  # scans per cart before it is cleared
BASKET_SIZE = 5  # items per committed sale
TILL = Config().store.till
TAX_CODES = ("A", "A", "A", "B", "Z")  # product tax codes, cycled (mostly standard rate)
TAX_RATES_BP = {t.code: t.rate_bp for t in Config().taxes}

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

# The app's lookup (catalog_repo.SqliteCatalog.by_code) without the two extra columns.
RAW_SCAN_SQL = (
    "SELECT p.id, p.name, p.price_cents, p.tax_code, p.unit "
    "FROM barcode b JOIN product p ON p.id = b.product_id "
    "WHERE b.code = ? AND p.active = 1"
)
RAW_SALE_INSERT = (
    'INSERT INTO "sale" ("uuid", "till", "seq", "status", "created_at", "cashier", '
    '"subtotal_cents", "discount_cents", "tax_cents", "total_cents", "rounding_cents", '
    '"change_cents", "voided_lines") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
)
RAW_LINE_INSERT = (
    'INSERT INTO "sale_line" ("sale_id", "position", "product_id", "name", "code", "unit", '
    '"qty_milli", "unit_price_cents", "base_cents", "line_discount_cents", '
    '"cart_discount_cents", "amount_cents", "tax_code", "tax_rate_bp") '
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
RAW_MOVE_INSERT = (
    'INSERT INTO "stock_movement" ("uuid", "till", "seq", "product_id", "qty_milli", "kind", '
    '"sale_line_id", "note", "created_at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
)
RAW_TAX_INSERT = (
    'INSERT INTO "sale_tax" ("sale_id", "code", "rate_bp", "base_cents", "tax_cents") '
    "VALUES (?, ?, ?, ?, ?)"
)
RAW_PAYMENT_INSERT = (
    'INSERT INTO "payment" ("uuid", "till", "seq", "sale_id", "kind", "amount_cents", '
    '"tendered_cents", "change_cents", "reference") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
)

# The app's hot statements, for EXPLAIN QUERY PLAN (as catalog_repo / peewee send them).
APP_PLANS = {
    "scan lookup (by_code)": (
        "SELECT p.id, p.name, p.price_cents, p.tax_code, p.unit, b.code, p.plu "
        "FROM barcode b JOIN product p ON p.id = b.product_id "
        "WHERE b.code = ? AND p.active = 1",
        ("05900000000015",),
    ),
    "sale by uuid": ('SELECT "t1"."id" FROM "sale" AS "t1" WHERE ("t1"."uuid" = ?)', ("x",)),
    "next sale seq": (
        'SELECT MAX("t1"."seq") FROM "sale" AS "t1" WHERE ("t1"."till" = ?)',
        (TILL,),
    ),
    "next movement seq": (
        'SELECT MAX("t1"."seq") FROM "stock_movement" AS "t1" WHERE ("t1"."till" = ?)',
        (TILL,),
    ),
    "next payment seq": (
        'SELECT MAX("t1"."seq") FROM "payment" AS "t1" WHERE ("t1"."till" = ?)',
        (TILL,),
    ),
}


# -- catalog --------------------------------------------------------------------------
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


# -- measuring ------------------------------------------------------------------------
def percentile(sorted_ns: Sequence[int], pct: float) -> float:
    """Nearest-rank percentile of already sorted samples."""
    rank = max(1, math.ceil(pct / 100 * len(sorted_ns)))
    return float(sorted_ns[rank - 1])


@dataclass(frozen=True)
class Summary:
    """Median and p95 of one side of one operation, in microseconds."""

    n: int
    median_us: float
    p95_us: float

    @classmethod
    def of(cls, samples_ns: Sequence[int]) -> Summary:
        """Summarise nanosecond samples."""
        ordered = sorted(samples_ns)
        return cls(len(ordered), statistics.median(ordered) / 1000, percentile(ordered, 95) / 1000)


def clear_cart(register: Register) -> None:
    """Empty the open sale without storing anything.

    The register has no public way to drop a cart silently: ``void_sale`` stores a voided
    document and ``suspend`` stores a parked cart. So this does what ``complete`` does
    after a sale, through the register's own ``_reset`` (new cart, no tender, no
    pending quantity).
    """
    register._reset()


def raw_connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the app's pragmas, in autocommit mode like peewee."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=5)
    for key, value in PRAGMAS.items():
        conn.execute(f"PRAGMA {key} = {value}")
    return conn


class Line(NamedTuple):
    """A scanned line on the raw side: the product row plus the code and quantity."""

    product_id: int
    name: str
    price_cents: int
    tax_code: str
    unit: str
    code: str
    qty_milli: int


RAW_JOURNAL_SQL = (
    "INSERT INTO open_cart (till, json, updated_at) VALUES (?, ?, datetime('now')) "
    "ON CONFLICT (till) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at"
)


def raw_scan(conn: sqlite3.Connection, code: str, lines: list[Line]) -> None:
    """The baseline scan: check digit in Python, one indexed lookup, append a tuple, and
    (like the app's crash journal) write the open cart as JSON in its own transaction."""
    if len(code) != 13 or not code.isdigit() or gtin_check_digit(code[:12]) != int(code[12]):
        raise ValueError(f"bad EAN-13 {code}")
    row = conn.execute(RAW_SCAN_SQL, ("0" + code,)).fetchone()
    if row is None:
        raise LookupError(code)
    lines.append(Line._make((*row, code, 1000)))
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(RAW_JOURNAL_SQL, (TILL, json.dumps([list(line) for line in lines])))
    conn.execute("COMMIT")


def included_tax(base_cents: int, rate_bp: int) -> int:
    """Tax contained in a tax-inclusive amount, rounded half up."""
    denominator = 10_000 + rate_bp
    return (2 * base_cents * rate_bp + denominator) // (2 * denominator)


def next_seq(conn: sqlite3.Connection, table: str) -> int:
    """Per-till MAX(seq) + 1, as ``sale_store.next_seq`` does."""
    row = conn.execute(f'SELECT MAX("seq") FROM "{table}" WHERE "till" = ?', (TILL,)).fetchone()
    return int(row[0] or 0) + 1


def raw_commit(conn: sqlite3.Connection, basket: Sequence[Line]) -> None:
    """The baseline sale commit: the app's statements, in its order, in one transaction."""
    sale_uuid = uuid.uuid4().hex
    created = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
    by_code: dict[str, int] = {}
    total = 0
    for line in basket:
        by_code[line.tax_code] = by_code.get(line.tax_code, 0) + line.price_cents
        total += line.price_cents
    taxes = [(c, TAX_RATES_BP[c], b, included_tax(b, TAX_RATES_BP[c])) for c, b in by_code.items()]
    tax_total = sum(t[3] for t in taxes)

    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute('SELECT "id" FROM "sale" WHERE "uuid" = ?', (sale_uuid,)).fetchone()
        seq = next_seq(conn, "sale")
        sale_id = conn.execute(
            RAW_SALE_INSERT,
            (sale_uuid, TILL, seq, "completed", created, "", total, 0, tax_total, total, 0, 0, 0),
        ).lastrowid
        move_seq = next_seq(conn, "stock_movement")
        for position, (pid, name, price, tax_code, unit, code, qty) in enumerate(basket, 1):
            rate = TAX_RATES_BP[tax_code]
            line_id = conn.execute(
                RAW_LINE_INSERT,
                (sale_id, position, pid, name, code, unit, qty, price, price, 0, 0, price)
                + (tax_code, rate),
            ).lastrowid
            conn.execute(
                RAW_MOVE_INSERT,
                (uuid.uuid4().hex, TILL, move_seq, pid, -qty, "sale", line_id, "", created),
            )
            move_seq += 1
        for tax in taxes:
            conn.execute(RAW_TAX_INSERT, (sale_id, *tax))
        pay_seq = next_seq(conn, "payment")
        conn.execute(
            RAW_PAYMENT_INSERT,
            (uuid.uuid4().hex, TILL, pay_seq, sale_id, "cash", total, total, 0, ""),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


@dataclass
class ScanResult:
    """Scan timings of both sides, plus the cart line position of each app/raw sample."""

    app: list[int]
    raw: list[int]
    positions: list[int]


def bench_scans(
    register: Register, raw: sqlite3.Connection, codes: Sequence[str], warmup: int
) -> ScanResult:
    """Scan ``codes`` on both sides, cart by cart (app cart, then the same codes raw)."""
    result = ScanResult([], [], [])
    lines: list[Line] = []
    for start in range(0, len(codes), CART_SIZE):
        chunk = codes[start : start + CART_SIZE]
        keep = start >= warmup
        for position, code in enumerate(chunk, 1):
            begin = time.perf_counter_ns()
            register.enter(code)
            elapsed = time.perf_counter_ns() - begin
            if keep:
                result.app.append(elapsed)
                result.positions.append(position)
        clear_cart(register)
        for code in chunk:
            begin = time.perf_counter_ns()
            raw_scan(raw, code, lines)
            elapsed = time.perf_counter_ns() - begin
            if keep:
                result.raw.append(elapsed)
        lines.clear()
    return result


RAW_SEARCH_SQL = (
    "SELECT p.id, p.name, p.price_cents, p.tax_code, p.unit FROM product p "
    "WHERE p.id IN (SELECT rowid FROM product_search WHERE product_search MATCH ? LIMIT 200) "
    "AND p.active = 1"
)


def typed_prefixes(rng: random.Random, count: int) -> list[str]:
    """What a cashier types into the search box, keystroke by keystroke (2+ letters)."""
    out: list[str] = []
    while len(out) < count:
        words = f"{rng.choice(_BRANDS)} {rng.choice(_ITEMS)}".lower()
        out += [words[:n] for n in range(2, len(words) + 1) if not words[:n].endswith(" ")]
    return out[:count]


def bench_search(
    register: Register, raw: sqlite3.Connection, texts: Sequence[str]
) -> tuple[list[int], list[int]]:
    """Search as you type: ``register.search(text)`` (50 results with stock and category)
    against raw FTS5 prefix matching of the same words (up to 200 ids, sorted by name)."""
    app: list[int] = []
    base: list[int] = []
    for text in texts:
        start = time.perf_counter_ns()
        register.search(text)
        app.append(time.perf_counter_ns() - start)
        start = time.perf_counter_ns()
        query = " ".join(f'"{w}"*' for w in text.split())
        rows = raw.execute(RAW_SEARCH_SQL, (query,)).fetchall()
        sorted(rows, key=lambda r: r[1].lower())[:50]
        base.append(time.perf_counter_ns() - start)
    return app, base


def bench_sales(
    register: Register,
    raw: sqlite3.Connection,
    baskets: Sequence[Sequence[str]],
    warmup: int,
) -> tuple[list[int], list[int]]:
    """Commit each basket on both sides (app sale, then the same basket raw)."""
    app_ns: list[int] = []
    raw_ns: list[int] = []
    for index, basket in enumerate(baskets):
        for code in basket:
            register.enter(code)
        begin = time.perf_counter_ns()
        stored = register.pay_cash("")
        elapsed = time.perf_counter_ns() - begin
        if stored is None or len(stored.lines) != len(basket):
            raise SystemExit("pay_cash did not store the sale")
        if index >= warmup:
            app_ns.append(elapsed)

        rows: list[Line] = []
        for code in basket:  # the lookups are the scans' business: not timed here
            raw_scan(raw, code, rows)
        begin = time.perf_counter_ns()
        raw_commit(raw, rows)
        elapsed = time.perf_counter_ns() - begin
        if index >= warmup:
            raw_ns.append(elapsed)
    return app_ns, raw_ns


# -- reporting ------------------------------------------------------------------------
def format_table(rows: Sequence[tuple[str, Summary, Summary]]) -> str:
    """The results table: per operation, app and raw median/p95 (us) and app/raw ratios."""
    header = (
        f"{'operation':<14} {'n':>6} {'app med':>9} {'app p95':>9} {'raw med':>9} "
        f"{'raw p95':>9} {'ratio med':>9} {'ratio p95':>9}"
    )
    out = [header, "-" * len(header)]
    for name, app, raw in rows:
        out.append(
            f"{name:<14} {app.n:>6} {app.median_us:>9.1f} {app.p95_us:>9.1f} "
            f"{raw.median_us:>9.1f} {raw.p95_us:>9.1f} "
            f"{app.median_us / raw.median_us:>8.1f}x {app.p95_us / raw.p95_us:>8.1f}x"
        )
    return "\n".join(out)


def by_cart_position(result: ScanResult) -> str:
    """Median scan time by how many lines the cart already had (app and raw)."""
    out = ["scan-to-line median (us) by cart line number:"]
    for low in range(1, CART_SIZE + 1, 10):
        high = min(low + 9, CART_SIZE)
        app = [t for t, p in zip(result.app, result.positions, strict=True) if low <= p <= high]
        raw = [t for t, p in zip(result.raw, result.positions, strict=True) if low <= p <= high]
        if app:
            out.append(
                f"  lines {low:>2}-{high:<2}  app {statistics.median(app) / 1000:>7.1f}"
                f"  raw {statistics.median(raw) / 1000:>6.1f}"
            )
    return "\n".join(out)


def query_plans(till: Till) -> str:
    """EXPLAIN QUERY PLAN of the app's hot statements on the benchmark database."""
    out = ["query plans of the app's hot statements:"]
    for label, (sql, params) in APP_PLANS.items():
        steps = till.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        out.append(f"  {label}: " + "; ".join(str(step[3]) for step in steps))
    return "\n".join(out)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=1_000_000, help="catalog size")
    parser.add_argument("--scans", type=int, default=5000, help="timed scans per side")
    parser.add_argument("--sales", type=int, default=500, help="timed sale commits per side")
    parser.add_argument(
        "--searches", type=int, default=300, help="timed as-you-type searches per side"
    )
    parser.add_argument(
        "--dir", type=Path, default=None, help="where to put app.db and raw.db (default: temp)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = parser.parse_args(argv)
    if args.products < 1 or args.scans < 1 or args.sales < 1:
        parser.error("--products, --scans and --sales must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Build the catalog, run both benchmarks, print the table."""
    args = parse_args(argv)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="tui-pos-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    app_path, raw_path = workdir / "app.db", workdir / "raw.db"
    print(
        f"tui-pos checkout benchmark  {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
        f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, "
        f"peewee {version('peewee')}, {os.cpu_count()} CPUs, {platform.machine()}\n"
        f"databases: {app_path} (app) and {raw_path} (raw, a backup-API copy)"
    )

    till: Till | None = None
    raw: sqlite3.Connection | None = None
    try:
        times = build_databases(app_path, raw_path, args.products, args.seed)
        start = time.perf_counter()
        till = open_till(Config(), app_path, printer=NullPrinter())
        times.reopen = time.perf_counter() - start
        raw = raw_connect(raw_path)
        start = time.perf_counter()
        check_catalog(till, raw, args.products)
        check_s = time.perf_counter() - start
        size_mb = app_path.stat().st_size / 1e6
        print(
            f"setup ({args.products:,} products, {size_mb:.0f} MB each): "
            f"schema {times.schema:.2f}s, products+barcodes {times.products:.1f}s, "
            f"search index {times.search_index:.1f}s, copy {times.copy:.1f}s, "
            f"reopen {times.reopen:.2f}s, checks {check_s:.1f}s\n"
        )

        rng = random.Random(args.seed + 1)
        warm_scans = CART_SIZE * 4
        scan_codes = [ean13(rng.randint(1, args.products)) for _ in range(warm_scans + args.scans)]
        warm_sales = min(20, args.sales)
        baskets = [
            [ean13(rng.randint(1, args.products)) for _ in range(BASKET_SIZE)]
            for _ in range(warm_sales + args.sales)
        ]

        start = time.perf_counter()
        scans = bench_scans(till.register, raw, scan_codes, warm_scans)
        scan_s = time.perf_counter() - start
        start = time.perf_counter()
        sales_app, sales_raw = bench_sales(till.register, raw, baskets, warm_sales)
        sale_s = time.perf_counter() - start

        search_texts = typed_prefixes(rng, args.searches)
        search_app, search_raw = bench_search(till.register, raw, search_texts)

        print("times in microseconds; ratio = app / raw")
        print(
            format_table(
                [
                    ("scan-to-line", Summary.of(scans.app), Summary.of(scans.raw)),
                    ("sale commit", Summary.of(sales_app), Summary.of(sales_raw)),
                    ("name search", Summary.of(search_app), Summary.of(search_raw)),
                ]
            )
        )
        print(f"(wall: scans {scan_s:.1f}s, sales {sale_s:.1f}s, both sides, with warm-up)\n")
        print(by_cart_position(scans))
        print()
        print(query_plans(till))
    finally:
        if till is not None:
            till.close()
        if raw is not None:
            raw.close()
        if args.keep or args.dir is not None:
            print(f"\ndatabases kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
