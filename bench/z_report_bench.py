"""Report benchmark: a year of sales, the app's reports against raw ``sqlite3`` aggregates.

Generates about N sale lines (default 2,000,000) over a year into a migrated database
(bulk inserts with raw ``sqlite3``), then times, interleaved and in the same run:

* the X/Z period totals ``report z`` computes (``Reports.x_report()`` over the open period,
  i.e. the whole year: the same ``ReportStore._totals`` a Z close runs), and one day's
  totals (``Reports.x_report(day)``, what a daily Z covers);
* the analysis reports sales by hour, by category and by item over the whole year
  (``Analysis.by_hour`` ...);

each against the same aggregate written directly in raw ``sqlite3`` (one connection with
the app's pragmas), and prints the median of ``--repeat`` runs and the ratio app / raw.
Nothing is asserted. Usage::

    .venv/bin/python bench/z_report_bench.py [--lines 2000000] [--repeat 3] [--dir DIR]
    .venv/bin/python bench/z_report_bench.py --lines 100000      # quick run

See bench/README.md for the results.
"""

from __future__ import annotations

import argparse
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.domain.analysis import DateRange
from tui_pos.domain.tax import tax_of
from tui_pos.drivers.file_printer import NullPrinter
from tui_pos.models.database import PRAGMAS

TILL = Config().store.till
TAX_RATES_BP = {t.code: t.rate_bp for t in Config().taxes}
CATEGORIES = ("Bakery", "Dairy", "Produce", "Drinks", "Pantry", "Frozen", "Household", "Deli")
CASHIERS = ("Ann", "Bob", "Cleo", "Dev")
FIRST_DAY = date(2025, 11, 25)
DAYS = 365


def main() -> None:
    """Parse options, build the year, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2_000_000, help="sale lines over the year")
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side")
    parser.add_argument("--dir", type=Path, help="where till.db goes (replaced)")
    parser.add_argument("--keep", action="store_true", help="keep the temp database")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    folder = args.dir or Path(tempfile.mkdtemp(prefix="z-report-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "till.db"
    for stale in (path, path.with_name("till.db-wal"), path.with_name("till.db-shm")):
        stale.unlink(missing_ok=True)
    try:
        run(path, args)
    finally:
        if args.dir is None and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def run(path: Path, args: argparse.Namespace) -> None:
    """Set up, then time each pair."""
    started = time.perf_counter()
    open_till(Config(), path, printer=NullPrinter()).close()  # create + migrate
    lines, sales = load_year(path, args.lines, args.products, random.Random(args.seed))
    setup = time.perf_counter() - started
    size_mb = path.stat().st_size / 1e6
    print(
        f"setup: {sales:,} sales, {lines:,} lines over {DAYS} days, {size_mb:.0f} MB, {setup:.1f}s"
    )
    print(
        f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, "
        f"peewee {version('peewee')}, {platform.machine()}"
    )

    till = open_till(Config(), path, printer=NullPrinter())
    raw = sqlite3.connect(path, isolation_level=None)
    for name, value in PRAGMAS.items():
        raw.execute(f"PRAGMA {name} = {value}")
    year = DateRange(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1))
    one_day = FIRST_DAY + timedelta(days=200)
    checks: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("Z period totals (year)", till.reports.x_report, lambda: raw_period(raw)),
        (
            "Z totals of one day",
            lambda: till.reports.x_report(one_day),
            lambda: raw_day(raw, one_day),
        ),
        ("sales by hour (year)", lambda: till.analysis.by_hour(year), lambda: raw_hour(raw, year)),
        (
            "by category (year)",
            lambda: till.analysis.by_category(year),
            lambda: raw_category(raw, year),
        ),
        ("by item (year)", lambda: till.analysis.by_item(year), lambda: raw_item(raw, year)),
    ]
    print(f"\nmilliseconds, median of {args.repeat}; ratio = app / raw")
    print(f"{'aggregate':26} {'app':>8} {'raw':>8} {'ratio':>7}")
    print("-" * 52)
    for name, app_side, raw_side in checks:
        app_times, raw_times = [], []
        app_side(), raw_side()  # warm the page cache for both alike
        for _ in range(args.repeat):
            app_times.append(timed(app_side))
            raw_times.append(timed(raw_side))
        a, r = statistics.median(app_times), statistics.median(raw_times)
        print(f"{name:26} {a * 1000:8.1f} {r * 1000:8.1f} {a / r:6.2f}x")
    check_equal(till, raw, year)
    print("\nquery plans (app):")
    for label, sql in plans():
        detail = "; ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, plan_args()))
        print(f"  {label}: {detail}")
    raw.close()
    till.close()


def timed(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# -- the raw side: each aggregate as one would write it by hand -------------------------------
def raw_period(raw: sqlite3.Connection) -> tuple[Any, ...]:
    after = raw.execute("SELECT COALESCE(MAX(last_seq), 0) FROM z_close WHERE till = ?", (TILL,))
    seq = after.fetchone()[0]
    head = raw.execute(
        "SELECT MIN(seq), MAX(seq), SUM(status = 'completed'),"
        " SUM(CASE WHEN status = 'completed' THEN subtotal_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN discount_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN tax_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN total_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN rounding_cents END),"
        " SUM(status = 'voided'), SUM(voided_lines) FROM sale WHERE till = ? AND seq > ?",
        (TILL, seq),
    ).fetchone()
    taxes = raw.execute(
        "SELECT t.code, t.rate_bp, SUM(t.base_cents), SUM(t.tax_cents) FROM sale_tax t"
        " JOIN sale s ON s.id = t.sale_id WHERE s.till = ? AND s.seq > ?"
        " AND s.status = 'completed' GROUP BY t.code, t.rate_bp",
        (TILL, seq),
    ).fetchall()
    tenders = raw.execute(
        "SELECT p.kind, SUM(p.amount_cents) FROM payment p JOIN sale s ON s.id = p.sale_id"
        " WHERE s.till = ? AND s.seq > ? AND s.status = 'completed' GROUP BY p.kind",
        (TILL, seq),
    ).fetchall()
    return head, taxes, tenders


def _bounds(first: date, last: date) -> tuple[str, str]:
    start, end = DateRange(first, last).bounds(None)
    return (
        start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        end.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    )


def raw_day(raw: sqlite3.Connection, day: date) -> tuple[Any, ...]:
    """What a day's Z sums: the sale heads, tax per code, tenders."""
    start, end = _bounds(day, day)
    scope = "s.till = ? AND s.created_at >= ? AND s.created_at < ?"
    head = raw.execute(
        "SELECT MIN(seq), MAX(seq), SUM(status = 'completed'),"
        " SUM(CASE WHEN status = 'completed' THEN subtotal_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN discount_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN tax_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN total_cents END),"
        " SUM(CASE WHEN status = 'completed' THEN rounding_cents END),"
        f" SUM(status = 'voided'), SUM(voided_lines) FROM sale s WHERE {scope}",
        (TILL, start, end),
    ).fetchone()
    taxes = raw.execute(
        "SELECT t.code, t.rate_bp, SUM(t.base_cents), SUM(t.tax_cents) FROM sale_tax t"
        f" JOIN sale s ON s.id = t.sale_id WHERE {scope} AND s.status = 'completed'"
        " GROUP BY t.code, t.rate_bp",
        (TILL, start, end),
    ).fetchall()
    tenders = raw.execute(
        "SELECT p.kind, SUM(p.amount_cents) FROM payment p JOIN sale s ON s.id = p.sale_id"
        f" WHERE {scope} AND s.status = 'completed' GROUP BY p.kind",
        (TILL, start, end),
    ).fetchall()
    return head, taxes, tenders


def raw_hour(raw: sqlite3.Connection, year: DateRange) -> list[Any]:
    return raw.execute(
        "SELECT strftime('%H', created_at, 'localtime') AS h, COUNT(*),"
        " SUM(subtotal_cents - discount_cents) FROM sale"
        " WHERE till = ? AND created_at >= ? AND created_at < ? AND status = 'completed'"
        " GROUP BY h",
        (TILL, *_bounds(year.first, year.last)),
    ).fetchall()


def raw_category(raw: sqlite3.Connection, year: DateRange) -> list[Any]:
    return raw.execute(
        "SELECT c.name, SUM(l.amount_cents) FROM sale s JOIN sale_line l ON l.sale_id = s.id"
        " LEFT JOIN product p ON p.id = l.product_id LEFT JOIN category c ON c.id = p.category_id"
        " WHERE s.till = ? AND s.created_at >= ? AND s.created_at < ? AND s.status = 'completed'"
        " GROUP BY c.id",
        (TILL, *_bounds(year.first, year.last)),
    ).fetchall()


def raw_item(raw: sqlite3.Connection, year: DateRange) -> list[Any]:
    return raw.execute(
        "SELECT l.product_id, SUM(l.qty_milli), SUM(l.amount_cents) FROM sale s"
        " JOIN sale_line l ON l.sale_id = s.id"
        " WHERE s.till = ? AND s.created_at >= ? AND s.created_at < ? AND s.status = 'completed'"
        " GROUP BY l.product_id ORDER BY 3 DESC",
        (TILL, *_bounds(year.first, year.last)),
    ).fetchall()


def check_equal(till: Till, raw: sqlite3.Connection, year: DateRange) -> None:
    """Both sides must have computed the same numbers (else the timing means nothing)."""
    head, _taxes, tenders = raw_period(raw)
    x = till.reports.x_report().totals
    assert (x.sales_count, x.total_cents) == (head[2], head[6]), (x, head)
    assert x.tenders == dict(tenders)
    net = sum(r[2] for r in raw_hour(raw, year))
    assert till.analysis.by_hour(year).total("net_cents") == net
    assert till.analysis.by_category(year).total("net_cents") == net
    assert till.analysis.by_item(year).total("net_cents") == sum(r[2] for r in raw_item(raw, year))
    print("\nchecked: app and raw totals agree")


def plan_args() -> tuple[str, str, str]:
    return (TILL, "2025-01-01", "2027-01-01")


def plans() -> list[tuple[str, str]]:
    scope = "s.till = ? AND s.created_at >= ? AND s.created_at < ? AND s.status = 'completed'"
    return [
        (
            "hour",
            f"SELECT substr(s.created_at, 1, 13), COUNT(*) FROM sale s WHERE {scope} GROUP BY 1",
        ),
        (
            "item",
            "SELECT l.name, SUM(l.amount_cents) FROM sale s JOIN sale_line l ON l.sale_id = s.id"
            f" WHERE {scope} GROUP BY l.product_id, l.name, l.unit",
        ),
    ]


# -- the year of sales ---------------------------------------------------------------------------
def load_year(path: Path, lines: int, products: int, rng: random.Random) -> tuple[int, int]:
    """Bulk-load products and a year of sales (synchronous off: this is setup, not a till)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO category (id, name) VALUES (?, ?)", list(enumerate(CATEGORIES, start=1))
    )
    catalog = []
    for pid in range(1, products + 1):
        weighed = pid % 25 == 0
        catalog.append(
            (
                pid,
                f"Item {pid:05d}",
                rng.randint(49, 2999),
                "B" if pid % 4 == 0 else "A",
                1 + pid % len(CATEGORIES),
                "kg" if weighed else "each",
                None,
                0,
                1,
            )
        )
    conn.executemany(
        "INSERT INTO product (id, name, price_cents, tax_code, category_id, unit, plu,"
        " reorder_level_milli, active) VALUES (?,?,?,?,?,?,?,?,?)",
        catalog,
    )
    made_lines = made_sales = 0
    for sale_rows, line_rows, tax_rows, pay_rows in sales_in_chunks(lines, catalog, rng):
        conn.executemany(
            "INSERT INTO sale (id, uuid, till, seq, status, created_at, cashier, subtotal_cents,"
            " discount_cents, tax_cents, total_cents, rounding_cents, change_cents, voided_lines)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            sale_rows,
        )
        conn.executemany(
            "INSERT INTO sale_line (sale_id, position, product_id, name, code, unit, qty_milli,"
            " unit_price_cents, base_cents, line_discount_cents, cart_discount_cents,"
            " amount_cents, tax_code, tax_rate_bp) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            line_rows,
        )
        conn.executemany(
            "INSERT INTO sale_tax (sale_id, code, rate_bp, base_cents, tax_cents)"
            " VALUES (?,?,?,?,?)",
            tax_rows,
        )
        conn.executemany(
            "INSERT INTO payment (uuid, till, seq, sale_id, kind, amount_cents, tendered_cents,"
            " change_cents, reference) VALUES (?,?,?,?,?,?,?,?,?)",
            pay_rows,
        )
        made_lines += len(line_rows)
        made_sales += len(sale_rows)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return made_lines, made_sales


def sales_in_chunks(
    lines: int, catalog: list[tuple[Any, ...]], rng: random.Random, chunk: int = 20_000
) -> Iterator[tuple[list[Any], list[Any], list[Any], list[Any]]]:
    """Sales of 1-7 lines (4 on average) spread over the opening hours of every day."""
    sales = max(1, lines // 4)
    per_day = sales / DAYS
    seq = 0
    made = 0
    buffers: tuple[list[Any], list[Any], list[Any], list[Any]] = ([], [], [], [])
    start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, 8, tzinfo=UTC)
    for day in range(DAYS):
        opening = start + timedelta(days=day)
        count = round(per_day * (day + 1)) - round(per_day * day)
        for second in sorted(rng.randrange(12 * 3600) for _ in range(count)):
            if made >= lines:
                break
            seq += 1
            n = min(rng.randint(1, 7), lines - made)
            made += n
            add_sale(buffers, seq, opening + timedelta(seconds=second), n, catalog, rng)
            if len(buffers[0]) >= chunk:
                yield buffers
                buffers = ([], [], [], [])
    if buffers[0]:
        yield buffers


def add_sale(
    buffers: tuple[list[Any], list[Any], list[Any], list[Any]],
    seq: int,
    at: datetime,
    n: int,
    catalog: list[tuple[Any, ...]],
    rng: random.Random,
) -> None:
    sale_rows, line_rows, tax_rows, pay_rows = buffers
    voided = rng.random() < 0.01
    by_code: dict[str, int] = {}
    subtotal = discount = 0
    for position in range(1, n + 1):
        pid, name, price, code, _cat, unit, *_ = catalog[rng.randrange(len(catalog))]
        qty = rng.randint(100, 1500) if unit == "kg" else 1000 * rng.choice((1, 1, 1, 2, 3))
        base = price * qty // 1000
        off = base // 10 if rng.random() < 0.05 else 0
        amount = base - off
        subtotal += base
        discount += off
        by_code[code] = by_code.get(code, 0) + amount
        rate = TAX_RATES_BP[code]
        line_rows.append(
            (seq, position, pid, name, "", unit, qty, price, base, off, 0, amount, code, rate)
        )
    total = subtotal - discount
    tax = 0
    for code, amount in by_code.items():
        t = tax_of(amount, TAX_RATES_BP[code], included=True)
        tax += t
        tax_rows.append((seq, code, TAX_RATES_BP[code], amount, t))
    stamp = at.strftime("%Y-%m-%d %H:%M:%S")
    sale_rows.append(
        (
            seq,
            f"bench{seq:09d}",
            TILL,
            seq,
            "voided" if voided else "completed",
            stamp,
            rng.choice(CASHIERS),
            subtotal,
            discount,
            tax,
            total,
            0,
            0,
            0,
        )
    )
    if not voided:
        kind = "cash" if rng.random() < 0.4 else "card"
        pay_rows.append((f"pay{seq:09d}", TILL, seq, seq, kind, total, total, 0, ""))


if __name__ == "__main__":
    main()
