"""Checkout benchmark: the real register against a floor doing the same work, same run.

Figures (issue 17), each printed as a ratio app / floor with its goal:

* sale commit: ``register.pay_cash("")`` on a 20-line sale to a customer who earns
  points (sale, lines, stock movements, tax, payment, receipt job, points, journal entry,
  the open sale's crash journal cleared) against :func:`checkout_floor.commit`;
* scan-to-line on disk and with the database in memory (a copy on tmpfs, ``/dev/shm``):
  ``register.enter(code)`` against :func:`checkout_floor.scan` (the same lookup and the
  same durable crash-journal append).

The floor runs on a byte-identical copy of the app's database with the app's pragmas;
after the run the rows both sides wrote are compared and the run fails if they differ.
Nothing else is asserted: performance is measured, not judged. Usage::

    .venv/bin/python bench/checkout_bench.py [--products 1000000] [--scans 2000]
                                             [--sales 300] [--dir DIR] [--keep]

See bench/README.md for what exactly is timed and for results.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import checkout_floor as floor  # noqa: E402
from checkout_catalog import (  # noqa: E402
    build_databases,
    check_catalog,
    copy_databases,
    ean13,
    remove_db,
)

from tui_pos.bootstrap import Till, open_till  # noqa: E402
from tui_pos.config import Config  # noqa: E402
from tui_pos.drivers.file_printer import NullPrinter  # noqa: E402
from tui_pos.services.register import Register  # noqa: E402

CART_LINES = 20  #: lines per sale, and per cart in the scan figure
GOALS = {"sale commit": 1.5, "scan-to-line, disk": 1.5, "scan-to-line, memory": 2.0}
MEMORY = Path("/dev/shm")
#: ``figure: name | ratio | goal`` lines, printed last (``make bench`` collects them).
FIGURES: list[str] = []


def percentile(sorted_ns: Sequence[int], pct: float) -> float:
    """Nearest-rank percentile of already sorted samples."""
    rank = max(1, -(-len(sorted_ns) * pct // 100))
    return float(sorted_ns[int(rank) - 1])


def timed(call: Callable[[], object]) -> int:
    begin = time.perf_counter_ns()
    call()
    return time.perf_counter_ns() - begin


def drop_cart(register: Register) -> None:
    """Empty the open sale without storing anything (not timed). ``void_sale`` would store
    a voided document and ``suspend`` a parked one, so this uses the register's own reset:
    a new cart, and the journal cleared as for an emptied sale."""
    register._reset()


def bench_scans(
    register: Register, raw: floor.FloorDb, codes: Sequence[str], warmup: int
) -> tuple[list[int], list[int]]:
    """Scan ``codes`` cart by cart on both sides (app cart, then the same codes on the
    floor), checking after each cart that both journals hold the same lines."""
    app_ns: list[int] = []
    raw_ns: list[int] = []
    for start in range(0, len(codes) - CART_LINES + 1, CART_LINES):
        chunk = codes[start : start + CART_LINES]
        keep = start >= warmup
        cart = floor.FloorCart()
        for code in chunk:
            app = timed(lambda c=code: register.enter(c))  # type: ignore[misc]
            base = timed(lambda c=code, k=cart: floor.scan(raw, k, c))  # type: ignore[misc]
            if keep:
                app_ns.append(app)
                raw_ns.append(base)
        app_db = register.store.db.connection()  # type: ignore[attr-defined]
        if floor.journal_rows(app_db) != floor.journal_rows(raw.conn):
            raise SystemExit("the app and the floor journaled different scans")
        drop_cart(register)
        floor.clear(raw)
    return app_ns, raw_ns


def bench_sales(
    till: Till,
    raw: floor.FloorDb,
    baskets: Sequence[Sequence[str]],
    customer_id: int,
    warmup: int,
) -> tuple[list[int], list[int]]:
    """Sell each basket to the customer on both sides; time the commit only."""
    register = till.register
    app_ns: list[int] = []
    raw_ns: list[int] = []
    for index, basket in enumerate(baskets):
        register.set_customer(customer_id)
        for code in basket:
            register.enter(code)
        begin = time.perf_counter_ns()
        stored = register.pay_cash("")
        app = time.perf_counter_ns() - begin
        if stored is None or len(stored.lines) != len(basket) or stored.points is None:
            raise SystemExit("pay_cash did not store the sale with its points")

        cart = floor.FloorCart(customer_id)
        for code in basket:  # the scans are the other figure's business: not timed here
            floor.scan(raw, cart, code)
        base = timed(lambda c=cart: floor.commit(raw, c))  # type: ignore[misc]
        if index >= warmup:
            app_ns.append(app)
            raw_ns.append(base)
    return app_ns, raw_ns


def summary(name: str, app_ns: Sequence[int], raw_ns: Sequence[int]) -> tuple[str, float]:
    """One line of the table: medians, p95s, the ratio of medians and the goal."""
    a, r = sorted(app_ns), sorted(raw_ns)
    med_a, med_r = statistics.median(a) / 1000, statistics.median(r) / 1000
    ratio = med_a / med_r
    goal = GOALS[name]
    verdict = "meets" if ratio <= goal else "MISSES"
    FIGURES.append(f"figure: {name} | {ratio:.2f}x | <= {goal}x")
    line = (
        f"{name:<22} {len(a):>5} {med_a:>9.1f} {percentile(a, 95) / 1000:>9.1f}"
        f" {med_r:>9.1f} {percentile(r, 95) / 1000:>9.1f} {ratio:>7.2f}x  <= {goal}x {verdict}"
    )
    return line, ratio


HEADER = (
    f"{'figure':<22} {'n':>5} {'app med':>9} {'app p95':>9} {'floor med':>9}"
    f" {'floor p95':>9} {'ratio':>8}  goal"
)


def open_pair(app_path: Path, raw_path: Path) -> tuple[Till, floor.FloorDb]:
    till = open_till(Config(), app_path, printer=NullPrinter())
    return till, floor.FloorDb(raw_path)


def run_disk(args: argparse.Namespace, paths: tuple[Path, Path], rng: random.Random) -> list[str]:
    """Scans, then sales, on the disk copies; checks the rows; returns the table lines."""
    till, raw = open_pair(*paths)
    try:
        check_catalog(till, raw.conn, args.products)
        customer = till.customers.search("Bench Customer")[0].id
        warm_scans = CART_LINES * 5
        codes = [ean13(rng.randint(1, args.products)) for _ in range(warm_scans + args.scans)]
        scans = bench_scans(till.register, raw, codes, warm_scans)
        warm_sales = min(20, args.sales)
        baskets = [
            [ean13(rng.randint(1, args.products)) for _ in range(CART_LINES)]
            for _ in range(warm_sales + args.sales)
        ]
        sales = bench_sales(till, raw, baskets, customer, warm_sales)
        problems = floor.same_rows(till.db.connection(), raw.conn)
        if problems:
            raise SystemExit("the floor did not do the app's work: " + "; ".join(problems))
        return [summary("sale commit", *sales)[0], summary("scan-to-line, disk", *scans)[0]]
    finally:
        till.close()
        raw.close()


def run_memory(args: argparse.Namespace, paths: tuple[Path, Path], rng: random.Random) -> str:
    """Scans on copies of the databases on tmpfs (fsync costs nothing there)."""
    folder = Path(tempfile.mkdtemp(prefix="tui-pos-bench-", dir=MEMORY))
    try:
        till, raw = open_pair(*copy_databases(paths, folder))
        try:
            warm = CART_LINES * 5
            codes = [ean13(rng.randint(1, args.products)) for _ in range(warm + args.scans)]
            return summary("scan-to-line, memory", *bench_scans(till.register, raw, codes, warm))[0]
        finally:
            till.close()
            raw.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=1_000_000, help="catalog size")
    parser.add_argument("--scans", type=int, default=2000, help="timed scans per side")
    parser.add_argument("--sales", type=int, default=300, help="timed sale commits per side")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where app.db and raw.db go (default: temp)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = parser.parse_args(argv)
    if args.products < 1 or args.scans < CART_LINES or args.sales < 1:
        parser.error(f"--products and --sales must be at least 1, --scans at least {CART_LINES}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Build the catalog, measure every figure, print the table."""
    args = parse_args(argv)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="tui-pos-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    paths = (workdir / "app.db", workdir / "raw.db")
    print(
        f"tui-pos checkout benchmark  {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
        f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, "
        f"peewee {version('peewee')}, {os.cpu_count()} CPUs, {platform.machine()}\n"
        f"databases: {paths[0]} (app) and {paths[1]} (floor, a backup-API copy)"
    )
    try:
        start = time.perf_counter()
        build_databases(*paths, args.products, args.seed)
        print(f"setup: {args.products:,} products in {time.perf_counter() - start:.1f} s\n")
        rng = random.Random(args.seed + 1)
        lines = []
        if MEMORY.is_dir():  # before the disk run: the copies start with no sales
            lines.append(run_memory(args, paths, rng))
        lines = run_disk(args, paths, rng) + lines
        print("times in microseconds; ratio = app median / floor median; rows compared: same")
        print(HEADER)
        print("-" * len(HEADER))
        print("\n".join(lines))
        if not MEMORY.is_dir():
            print(f"scan-to-line, memory: not measured ({MEMORY} is missing)")
        print("\n".join(FIGURES))
    finally:
        if args.keep or args.dir is not None:
            print(f"\ndatabases kept in {workdir}")
        else:
            for path in paths:
                remove_db(path)
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
