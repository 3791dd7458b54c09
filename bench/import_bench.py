"""Import benchmark: ``tui-pos import products`` against its floor, both as whole processes.

Writes a products CSV of N rows (default 100,000; the issue's size is 1,000,000), makes
two copies of a freshly migrated database, then runs on the same file:

* app: ``tui-pos --db app.db import products FILE`` (the installed command);
* floor: ``python bench/import_floor.py raw.db FILE`` (csv + inline checks + executemany).

It prints both wall times, the ratio and each process's peak RSS, checks that both
databases ended up with the same catalog (products, barcodes, categories, stock levels,
search index, the chain entry sealing the stock counts), and runs the app again on a file
a quarter the size: a flat memory use means about the same peak. Usage::

    .venv/bin/python bench/import_bench.py [--rows 100000] [--dir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from catalog_csv import write_products_csv  # noqa: E402
from process_env import bench_env  # noqa: E402

from tui_pos.bootstrap import open_till  # noqa: E402
from tui_pos.config import Config  # noqa: E402
from tui_pos.drivers.file_printer import NullPrinter  # noqa: E402

GOAL = 2.0


class Run(NamedTuple):
    """One finished process: wall and CPU seconds, peak RSS in KiB, what it printed."""

    wall: float
    cpu: float
    peak_kb: int
    out: str


# Run from a small parent: a child forked from this (large) bench process would count the
# bench's own pages in its peak RSS until it execs.
_WAIT4 = """
import json, os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out = proc.stdout.read().decode()
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps([time.perf_counter() - started, usage.ru_utime + usage.ru_stime,
                  usage.ru_maxrss, os.waitstatus_to_exitcode(status), out]))
"""


def run_process(argv: list[str], env: dict[str, str]) -> Run:
    """Run ``argv`` to its end; fails loudly on an exit status other than 0."""
    done = subprocess.run(
        [sys.executable, "-c", _WAIT4, *argv], env=env, capture_output=True, text=True, check=True
    )
    wall, cpu, peak_kb, status, out = json.loads(done.stdout)
    if status != 0:
        raise SystemExit(f"{argv[0]} failed ({status}): {out}")
    return Run(wall, cpu, peak_kb, out)


def catalog(path: Path) -> list[object]:
    """What an import decides, in a comparable form (ids, names, levels, search rows,
    chain entries)."""
    db = sqlite3.connect(path)
    try:
        return [
            db.execute(
                "SELECT p.id, p.name, p.price_cents, p.tax_code, c.name, p.unit, p.plu,"
                " p.reorder_level_milli, p.active FROM product p"
                " LEFT JOIN category c ON c.id = p.category_id ORDER BY p.id"
            ).fetchall(),
            db.execute("SELECT code, product_id FROM barcode ORDER BY code").fetchall(),
            db.execute(
                "SELECT product_id, SUM(qty_milli), COUNT(*), MAX(note), MAX(seq) - MIN(seq)"
                " FROM stock_movement GROUP BY product_id ORDER BY product_id"
            ).fetchall(),
            db.execute(
                "SELECT COUNT(*) FROM product_search WHERE product_search MATCH 'oat* milk*'"
            ).fetchall(),
            db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall(),
            db.execute(  # the count movements sealed in the chain (digests: other UUIDs)
                "SELECT seq, till, marks, rows, amount_cents, grand_total_cents FROM chain"
            ).fetchall(),
        ]
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        measure(folder, args.rows)
    finally:
        if args.dir is None and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def measure(folder: Path, rows: int) -> None:
    env = bench_env(folder)
    big = write_products_csv(folder / "products.csv", rows)
    small = write_products_csv(folder / "quarter.csv", max(1, rows // 4))
    base = folder / "base.db"
    for stale in folder.glob("*.db*"):
        stale.unlink()
    open_till(Config(), base, printer=NullPrinter()).close()
    till = Config().store.till
    tui_pos = str(Path(sys.executable).with_name("tui-pos"))

    def fresh(name: str) -> Path:
        target = folder / name
        shutil.copyfile(base, target)
        return target

    print(f"import products: {rows:,} rows ({big.stat().st_size / 1e6:.0f} MB file)")
    app = run_process([tui_pos, "--db", str(fresh("app.db")), "import", "products", str(big)], env)
    raw = run_process(
        [sys.executable, str(HERE / "import_floor.py"), str(fresh("raw.db")), str(big), till],
        env,
    )
    assert catalog(folder / "app.db") == catalog(folder / "raw.db"), "different catalogs"
    assert app.out.split(":")[-1] == raw.out.split(":")[-1], (app.out, raw.out)
    quarter = run_process(
        [tui_pos, "--db", str(fresh("quarter.db")), "import", "products", str(small)], env
    )
    for name, run in (("app", app), ("floor", raw), ("app, 1/4 rows", quarter)):
        print(
            f"  {name:14} wall {run.wall:7.1f} s  cpu {run.cpu:7.1f} s"
            f"  peak RSS {run.peak_kb / 1024:6.1f} MiB"
        )
    print("  checked: same products, barcodes, categories, stock levels, search index and chain")
    print(f"  wall-clock ratio {app.wall / raw.wall:.2f}x (the machine's load moves it)")
    print(
        f"figure: import products, {rows:,} rows (cpu) | {app.cpu / raw.cpu:.2f}x"
        f" floor | <= {GOAL}x"
    )
    growth = (app.peak_kb - quarter.peak_kb) / 1024
    print(f"figure: import peak RSS, 4x the rows | {growth:+.1f} MiB | flat")


if __name__ == "__main__":
    main()
