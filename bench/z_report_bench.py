"""Report benchmark: a year of sales, the app's reports against raw ``sqlite3`` aggregates.

Generates about N sale lines (default 2,000,000) over a year into a migrated database
(bulk inserts with raw ``sqlite3``), then times, interleaved and in the same run:

* the X/Z period totals (``Reports.x_report()`` over the open period, i.e. the whole
  year: sales, voids, refunds, taxes, tenders, cash movements, no-sales and unprinted
  receipts), the Z close of that year (``Reports.close_day()``: the same totals, the next
  Z number, the Z row and its journal entry in one transaction, on a fresh copy of the
  database each run), and one day's totals (``Reports.x_report(day)``);
* the analysis reports sales by hour, by category and by item over the whole year
  (``Analysis.by_hour`` ...);

each against the fastest plain ``sqlite3`` form of the same work found (one connection
with the app's pragmas), and prints the median of ``--repeat`` runs and the ratio app /
raw. Both sides must give the same numbers: the bench stops when they do not. Usage::

    .venv/bin/python bench/z_report_bench.py [--lines 2000000] [--repeat 3] [--dir DIR]
    .venv/bin/python bench/z_report_bench.py --lines 100000      # quick run

See bench/README.md for the results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

from peewee import Database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from raw_period import raw_period  # noqa: E402  (bench/, beside this script)

from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.domain.analysis import DateRange
from tui_pos.domain.report import DayReport
from tui_pos.domain.sale import format_sale_number
from tui_pos.domain.tax import tax_of
from tui_pos.drivers.file_printer import NullPrinter
from tui_pos.models.chain_store import head, seal
from tui_pos.models.database import PRAGMAS, open_database
from tui_pos.models.times import stamp

TILL = Config().store.till
TAX_RATES_BP = {t.code: t.rate_bp for t in Config().taxes}
CATEGORIES = ("Bakery", "Dairy", "Produce", "Drinks", "Pantry", "Frozen", "Household", "Deli")
CASHIERS = ("Ann", "Bob", "Cleo", "Dev")
FIRST_DAY = date(2025, 11, 25)
DAYS = 365
NOW = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)  # both sides close the year at this time


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
    chain_year(path)
    setup = time.perf_counter() - started
    size_mb = path.stat().st_size / 1e6
    print(
        f"setup: {sales:,} sales, {lines:,} lines over {DAYS} days, {size_mb:.0f} MB, {setup:.1f}s"
    )
    print(
        f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, "
        f"peewee {version('peewee')}, {platform.machine()}"
    )

    till = open_till(Config(), path, printer=NullPrinter(), clock=lambda: NOW)
    raw = raw_connect(path)
    year = DateRange(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1))
    checks: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("Z period totals (year)", till.reports.x_report, lambda: raw_period(raw, TILL)),
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
    ratios: dict[str, float] = {}
    for name, app_side, raw_side in checks:
        app_times, raw_times = [], []
        app_side(), raw_side()  # warm the page cache for both alike
        for _ in range(args.repeat):
            app_times.append(timed(app_side))
            raw_times.append(timed(raw_side))
        a, r = statistics.median(app_times), statistics.median(raw_times)
        ratios[name] = a / r
        print(f"{name:26} {a * 1000:8.1f} {r * 1000:8.1f} {a / r:6.2f}x")
    check_equal(till, raw, year)
    raw.close()
    till.close()
    a, r = time_closes(path, args.repeat)
    ratios["Z close (year)"] = a / r
    print(f"{'Z close (year)':26} {a * 1000:8.1f} {r * 1000:8.1f} {a / r:6.2f}x")
    print("checked: the same Z row and chain entry on both sides")
    print(
        f"\nfigure: Z period totals over a year | {ratios['Z period totals (year)']:.2f}x | <= 1.2x"
    )
    print(f"figure: Z close over a year | {ratios['Z close (year)']:.2f}x | <= 1.2x")


def raw_connect(path: Path) -> sqlite3.Connection:
    """A plain connection with the app's pragmas, in autocommit mode like Peewee."""
    raw = sqlite3.connect(path, isolation_level=None)
    for name, value in PRAGMAS.items():
        raw.execute(f"PRAGMA {name} = {value}")
    return raw


def time_closes(path: Path, repeat: int) -> tuple[float, float]:
    """Median seconds of the app's and the floor's Z close, each on its own fresh copy of
    the year (a close ends the period), interleaved; checks they stored the same."""
    app_times, raw_times = [], []
    for _ in range(repeat + 1):  # the first pair warms the OS cache and is not counted
        app_copy, raw_copy = path.with_name("app-z.db"), path.with_name("raw-z.db")
        for copy in (app_copy, raw_copy):
            for stale in copy.parent.glob(copy.name + "*"):
                stale.unlink()
            shutil.copyfile(path, copy)
        os.sync()  # no copy's writeback may slow the other side's fsync at commit
        till = open_till(Config(), app_copy, printer=NullPrinter(), clock=lambda: NOW)
        app_times.append(timed(till.reports.close_day))
        till.close()
        chained = open_database(raw_copy)  # only for the chain's seal; the SQL is plain
        for name, value in PRAGMAS.items():
            chained.execute_sql(f"PRAGMA {name} = {value}")
        raw_times.append(timed(lambda: raw_close(chained)))  # noqa: B023 (called at once)
        chained.close()
        assert stored_close(app_copy) == stored_close(raw_copy), "the Z closes differ"
    return statistics.median(app_times[1:]), statistics.median(raw_times[1:])


def stored_close(path: Path) -> tuple[Any, ...]:
    """The Z row and the chain's last entry, as stored."""
    db = sqlite3.connect(path)
    try:
        z = db.execute("SELECT * FROM z_close ORDER BY id DESC LIMIT 1").fetchone()
        entry = db.execute("SELECT * FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
        return z[1:], entry[1:]
    finally:
        db.close()


def timed(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# -- the raw side: each aggregate as one would write it by hand -------------------------------
def raw_close(chained: Database) -> DayReport:
    """The Z close by hand on the connection of ``chained`` (the file opened through
    ``open_database``, so that the chain can seal on it): the period's totals in plain SQL,
    the next number, the Z row, then the chain's own seal (its HMAC over the new row is the
    same work), in one ``BEGIN IMMEDIATE``."""
    raw = chained.connection()
    raw.execute("BEGIN IMMEDIATE")
    last = raw.execute(
        "SELECT z_number FROM z_close WHERE till = ? ORDER BY z_number DESC LIMIT 1", (TILL,)
    ).fetchone()
    period = raw_period(raw, TILL)
    number = (last[0] if last else 0) + 1
    local = NOW.astimezone()
    top = head(chained)
    report = DayReport(
        "Z",
        local.date().isoformat(),
        TILL,
        period.totals,
        z_number=number,
        closed_at=local.isoformat(timespec="seconds"),
        unprinted_receipts=tuple(format_sale_number(TILL, s) for s in period.unprinted),
    )
    if top is not None:
        report = replace(
            report, chain_seq=top.seq, chain_head=top.mac, grand_total_cents=top.grand_total_cents
        )
    last_seq = period.totals.last_seq if period.totals.last_seq is not None else period.after_seq
    raw.execute(
        "INSERT INTO z_close (till, z_number, closed_at, first_seq, last_seq, report_json,"
        " last_cash_seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (TILL, number, stamp(NOW), period.after_seq + 1, last_seq,
         json.dumps(report.to_dict()), period.totals.last_cash_seq),
    )  # fmt: skip
    seal(chained, TILL)
    raw.execute("COMMIT")
    return report


def _bounds(first: date, last: date) -> tuple[str, str]:
    start, end = DateRange(first, last).bounds(None)
    return (
        start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        end.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    )


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
    period = raw_period(raw, TILL)
    x = till.reports.x_report()
    assert x.totals == period.totals, (x.totals, period.totals)
    assert x.unprinted_receipts == tuple(format_sale_number(TILL, s) for s in period.unprinted)
    assert period.totals.refunds_cents and period.totals.no_sales and period.totals.cash_in_cents
    net = sum(r[2] for r in raw_hour(raw, year))
    assert till.analysis.by_hour(year).total("net_cents") == net
    assert till.analysis.by_category(year).total("net_cents") == net
    assert till.analysis.by_item(year).total("net_cents") == sum(r[2] for r in raw_item(raw, year))
    print("\nchecked: app and raw totals agree (every X/Z field, the unprinted receipts)")


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
    drawer_and_cash(conn, made_sales, rng)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return made_lines, made_sales


def chain_year(path: Path) -> None:
    """Seal the bulk-loaded year into the hash chain, as a till does sale by sale (the Z
    close then chains only its own row, on both sides)."""
    till = open_till(Config(), path, printer=NullPrinter())
    with till.db.atomic():
        seal(till.db, TILL)
    till.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    till.close()


def drawer_and_cash(conn: sqlite3.Connection, sales: int, rng: random.Random) -> None:
    """What a Z covers besides sales: an opening float, cash in and out on some days, two
    no-sales a day, and a few receipts still waiting in the print queue."""
    moves, events = [], []
    for day in range(DAYS):
        at = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, 7, tzinfo=UTC)
        stamp_ = (at + timedelta(days=day)).strftime("%Y-%m-%d %H:%M:%S")
        if day == 0:
            moves.append(("float", 15000, stamp_))
        if day % 10 == 3:
            moves.append(("in", rng.randint(1000, 5000), stamp_))
        if day % 5 == 1:
            moves.append(("out", rng.randint(500, 3000), stamp_))
        events += [stamp_, stamp_]
    conn.executemany(
        "INSERT INTO cash_movement (uuid, till, seq, kind, amount_cents, reason, employee_name,"
        " created_at) VALUES (?, ?, ?, ?, ?, 'bench', 'Ann', ?)",
        [(f"cash{n:06d}", TILL, n, *move) for n, move in enumerate(moves, 1)],
    )
    conn.executemany(
        "INSERT INTO drawer_event (uuid, till, seq, reason, created_at, sent)"
        " VALUES (?, ?, ?, 'no_sale', ?, 1)",
        [(f"drawer{n:06d}", TILL, n, at) for n, at in enumerate(events, 1)],
    )
    conn.executemany(
        "INSERT INTO print_job (uuid, till, sale_id, kind, status, created_at)"
        " VALUES (?, ?, ?, 'receipt', 'queued', '2026-11-24 12:00:00')",
        [(f"job{n:06d}", TILL, sale) for n, sale in enumerate(rng.sample(range(1, sales), 5))],
    )


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
    sign = -1 if not voided and rng.random() < 0.01 else 1  # a return: negative lines
    by_code: dict[str, int] = {}
    subtotal = discount = 0
    for position in range(1, n + 1):
        pid, name, price, code, _cat, unit, *_ = catalog[rng.randrange(len(catalog))]
        qty = rng.randint(100, 1500) if unit == "kg" else 1000 * rng.choice((1, 1, 1, 2, 3))
        qty *= sign
        base = price * qty // 1000
        off = base // 10 if sign > 0 and rng.random() < 0.05 else 0
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
