"""Whole-process benchmark: cold start and memory of the register against a bare Textual app.

Both programs run on a real pty (80x24, ``TERM=xterm-256color``) with the bytecode cache
on (each is started once untimed first, which also writes any missing ``.pyc``):

* cold start: process start to the first full frame written (every row painted), the
  register (``tui-pos --db DB run``, its login screen) against a bare Textual hello world
  (a Static and a docked bottom line), interleaved, median of ``--starts`` runs each; the
  number of modules each loads is printed too;
* memory: resident set size (``/proc``) of the hello world after its first frame, and of
  the register after logging in, ``--scans`` scans and an F2 name search; then the
  growth over ``--sales`` more sales of the same size paid in cash, counted from after
  ``--warm`` sales (the first sales load the payment, receipt and printer code and fill
  the bounded caches once: SQLite's pages, and Rich's cell-width cache of 4,096 texts,
  which holds the names and amounts drawn and is full after about 30 of this bench's
  sales, as every scan is a product not sold before; flat means no growth per sale after
  that); ``--every N`` also prints the RSS after every N of those sales (a curve: growth
  that levels off told from growth that goes on). The scans go through every 7th product
  of the catalog in turn, and round again once all were sold.

The catalog is a products CSV of ``--products`` rows imported with ``tui-pos import``.
The bench checks in the database that every sale was stored with all its lines. Usage::

    .venv/bin/python bench/process_bench.py [--products 100000] [--starts 7]
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from catalog_csv import ean13, write_products_csv  # noqa: E402
from process_env import bench_env  # noqa: E402
from pty_process import PtyProcess  # noqa: E402

from tui_pos.bootstrap import open_till  # noqa: E402
from tui_pos.config import Config  # noqa: E402
from tui_pos.demo import DEMO_STAFF, ensure_demo_staff  # noqa: E402
from tui_pos.drivers.file_printer import NullPrinter  # noqa: E402

START_GOAL = 1.3
#: The log-in screen's hint once the till is open (before: "Opening the till...").
LOGIN_READY = b"Employee number, Enter, PIN"
RSS_GOAL_MB = 20.0
HELLO = """
from textual.app import App, ComposeResult
from textual.widgets import Static


class Hello(App[None]):
    CSS = "#bottom { dock: bottom; }"

    def compose(self) -> ComposeResult:
        yield Static("Hello, world")
        yield Static("ready", id="bottom")


Hello().run()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--starts", type=int, default=7, help="timed starts per side")
    parser.add_argument("--scans", type=int, default=20, help="scans per sale")
    parser.add_argument("--warm", type=int, default=30, help="warm-up sales, not counted")
    parser.add_argument("--sales", type=int, default=40, help="sales counted after warm-up")
    parser.add_argument(
        "--every", type=int, default=0, help="also print RSS after every this many sales"
    )
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="process-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        measure(folder, args)
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)


def prepare(folder: Path, products: int) -> tuple[Path, dict[str, str]]:
    """A till database with the catalog and the demo staff, and the environment to run in."""
    env = bench_env(folder)
    db = folder / "till.db"
    kept = folder / "catalog.db"  # with --dir: the catalog is built once and copied
    if kept.exists():
        shutil.copyfile(kept, db)
        return db, env
    for stale in folder.glob("till.db*"):
        stale.unlink()
    csv_file = write_products_csv(folder / "products.csv", products)
    tui_pos = str(Path(sys.executable).with_name("tui-pos"))
    subprocess.run(  # before there is staff: no signature needed
        [tui_pos, "--db", str(db), "import", "products", str(csv_file)],
        env=env,
        check=True,
        capture_output=True,
    )
    till = open_till(Config(), db, printer=NullPrinter())
    ensure_demo_staff(till)
    till.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    till.close()
    shutil.copyfile(db, kept)
    return db, env


def measure(folder: Path, args: argparse.Namespace) -> None:
    db, env = prepare(folder, args.products)
    for stale in folder.glob("till.db-*"):
        stale.unlink()
    hello_py = folder / "hello.py"
    hello_py.write_text(HELLO)
    tui_pos = str(Path(sys.executable).with_name("tui-pos"))
    hello = [sys.executable, str(hello_py)]
    app = [tui_pos, "--db", str(db), "run"]
    print(f"cold start and memory: {args.products:,} products, 80x24 pty")

    def start(argv: list[str]) -> float:
        proc = PtyProcess(argv, env)
        try:
            return proc.first_full_frame()
        finally:
            proc.stop()

    start(hello), start(app)  # untimed: bytecode cache, OS file cache
    hello_s: list[float] = []
    app_s: list[float] = []
    for _ in range(args.starts):
        hello_s.append(start(hello))
        app_s.append(start(app))
    h, a = statistics.median(hello_s), statistics.median(app_s)
    print(f"  first full frame: hello world {h * 1000:.0f} ms, register {a * 1000:.0f} ms")
    bare_modules = modules(f"import runpy; runpy.run_path({str(hello_py)!r})", env)
    app_modules = modules(  # the console script's way; stdout is a pipe: no terminal check
        "import sys, tui_pos.cli.start as s; s.require_terminal = lambda *a: None; "
        "s.on_terminal = lambda *a: True; "
        f"sys.argv = ['tui-pos', '--db', {str(db)!r}, 'run']; "
        "from tui_pos.entry import main; main()",
        env,
    )
    print(f"  modules loaded when the app runs: hello world {bare_modules}, register {app_modules}")
    print(f"figure: cold start to the painted first screen | {a / h:.2f}x | <= {START_GOAL}x")

    bare_kb = idle_rss(hello, env)
    selling, warm, curve = selling_rss(
        app, env, db, args.scans, args.warm, args.sales, args.every or args.sales
    )
    after = curve[-1][1]
    print(f"  RSS: hello world {bare_kb / 1024:.1f} MiB, register selling {selling / 1024:.1f} MiB")
    print(
        f"figure: RSS while selling | bare + {(selling - bare_kb) / 1024:.1f} MB | <= bare + 20 MB"
    )
    print(
        f"  RSS: {(warm - selling) / 1024:+.1f} MiB over the first {args.warm + 1} sales"
        " (code loaded on the first payment, the bounded caches filling)"
    )
    if len(curve) > 1:
        steps = ", ".join(f"{count}: {(kb - warm) / 1024:+.1f}" for count, kb in curve)
        print(f"  RSS (MiB) after so many more sales: {steps}")
    print(
        f"figure: RSS over {args.sales} more sales of {args.scans} scans"
        f" | {(after - warm) / 1024:+.1f} MB | flat"
    )


def modules(run: str, env: dict[str, str]) -> int:
    """How many modules are loaded when ``run`` (Python code) calls ``App.run``."""
    code = (
        "import sys; from textual.app import App; "
        "App.run = lambda self, *a, **k: print(len(sys.modules)); " + run
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return int(done.stdout.split()[-1])


def idle_rss(argv: list[str], env: dict[str, str]) -> int:
    """RSS (KiB) of a program after its first frame, once it is quiet."""
    proc = PtyProcess(argv, env)
    try:
        proc.first_full_frame()
        proc.settle()
        return proc.memory_kb()[0]
    finally:
        proc.stop()


def selling_rss(
    argv: list[str],
    env: dict[str, str],
    db: Path,
    scans: int,
    warm: int,
    sales: int,
    every: int,
) -> tuple[int, int, list[tuple[int, int]]]:
    """RSS (KiB) of the register logged in after one sale's scans and a search, after
    ``warm`` more paid sales, and (sales counted, RSS) after every ``every`` of ``sales``
    more; checks the database holds what was sold."""
    code, _name, _role, pin = DEMO_STAFF[0]
    proc = PtyProcess(argv, env)
    try:
        proc.first_full_frame()
        proc.wait_for(LOGIN_READY)  # the till opens behind the first frame
        proc.settle()
        proc.send(f"{code}\r")
        proc.send(f"{pin}\r")
        proc.settle()
        proc.send("100\r")  # the opening float the first login asks for
        # Every 7th product of the catalog, in turn (again from the first once all were
        # sold: a shop sells the same products again); every 25th is sold by weight.
        items = itertools.cycle([n for n in range(1, catalog_size(db) + 1, 7) if n % 25])
        for _ in range(scans):
            proc.send(ean13(next(items)) + "\r")
        proc.send("\x1bOQ")  # F2: search by name
        for key in "oat milk":
            proc.send(key)
        proc.send("\x1b")
        proc.settle()
        selling = proc.memory_kb()[0]
        pay(proc)

        def sell(count: int) -> int:
            for _ in range(count):
                for _ in range(scans):
                    proc.send(ean13(next(items)) + "\r")
                pay(proc)
            proc.settle()
            return proc.memory_kb()[0]

        warmed = sell(warm)
        curve: list[tuple[int, int]] = []
        for done in range(0, sales, every):
            step = min(every, sales - done)
            curve.append((done + step, sell(step)))
        sales += warm
        stored = _stored(db, sales + 1)  # a loaded machine may still be storing the last
        screen = proc.tail()
    finally:
        proc.stop()
    assert stored == (sales + 1, (sales + 1) * scans), (
        f"stored {stored}: the keys went astray; the screen ended: {screen!r}"
    )
    return selling, warmed, curve


def catalog_size(db: Path) -> int:
    """How many products ``db`` holds (a kept catalog may have been built with another
    ``--products``)."""
    with closing(sqlite3.connect(db)) as conn:
        count: int = conn.execute("SELECT COUNT(*) FROM product").fetchone()[0]
    return count


def _stored(db: Path, sales: int, timeout: float = 30.0) -> tuple[int, int]:
    """(completed sales, their lines) in ``db``, once ``sales`` are there or time is up."""
    deadline = time.monotonic() + timeout
    while True:
        with closing(sqlite3.connect(db)) as conn:
            stored: tuple[int, int] = conn.execute(
                "SELECT COUNT(*), (SELECT COUNT(*) FROM sale_line) FROM sale"
                " WHERE status = 'completed'"
            ).fetchone()
        if stored[0] >= sales or time.monotonic() > deadline:
            return stored
        time.sleep(0.1)


def pay(proc: PtyProcess) -> None:
    """F10, then Enter: paid in cash, exactly."""
    proc.send("\x1b[21~")
    proc.send("\r")
    proc.settle()


if __name__ == "__main__":
    main()
