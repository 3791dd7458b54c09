"""Whole-process report benchmark: ``tui-pos report x`` and ``report sales --by hour``.

Builds a year of sales (the data of bench/z_report_bench.py, ``--lines`` sale lines), then
runs, interleaved, ``--repeat`` times each:

* app: ``tui-pos --db DB report x --format json`` and
  ``tui-pos --db DB report sales --by hour --from FIRST --to LAST --format json``;
* floor: ``python bench/report_floor.py`` printing the same JSON from hand-written SQL.

Both outputs must be the same text, byte for byte. Prints the median wall time and CPU
time (user + system) of each and their ratios: on a shared machine the wall clock moves
with the others' load, the CPU time much less.
Usage::

    .venv/bin/python bench/report_bench.py [--lines 400000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from process_env import bench_env  # noqa: E402
from z_report_bench import DAYS, FIRST_DAY, TILL, load_year  # noqa: E402

from tui_pos.bootstrap import open_till  # noqa: E402
from tui_pos.config import Config  # noqa: E402
from tui_pos.drivers.file_printer import NullPrinter  # noqa: E402

GOAL = 1.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="report-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        measure(folder, args.lines, args.repeat)
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)


def measure(folder: Path, lines: int, repeat: int) -> None:
    db = folder / "till.db"
    for stale in folder.glob("till.db*"):
        stale.unlink()
    open_till(Config(), db, printer=NullPrinter()).close()
    load_year(db, lines, 5000, random.Random(1))
    env = bench_env(folder)
    tui_pos = str(Path(sys.executable).with_name("tui-pos"))
    floor = [sys.executable, str(HERE / "report_floor.py"), str(db), TILL]
    first, last = FIRST_DAY.isoformat(), (FIRST_DAY + timedelta(days=DAYS - 1)).isoformat()
    pairs = {
        "report x": (
            [tui_pos, "--db", str(db), "report", "x", "--format", "json"],
            [*floor, "x"],
        ),
        "report sales --by hour": (
            [tui_pos, "--db", str(db), "report", "sales", "--by", "hour", "--from", first,
             "--to", last, "--format", "json"],
            [*floor, "hour", first, last],
        ),
    }  # fmt: skip
    print(f"whole-process reports over a year: {lines:,} sale lines, median of {repeat}")
    for name, (app, raw) in pairs.items():
        assert run(app, env)[1] == run(raw, env)[1], f"{name}: the outputs differ"
        app_s, raw_s = [], []
        for _ in range(repeat):
            app_s.append(timed(app, env))
            raw_s.append(timed(raw, env))
        (a, a_cpu), (r, r_cpu) = medians(app_s), medians(raw_s)
        print(
            f"  {name:24} app {a * 1000:7.0f} ms (cpu {a_cpu * 1000:.0f})"
            f"  floor {r * 1000:7.0f} ms (cpu {r_cpu * 1000:.0f}), same output"
        )
        print(f"figure: {name}, whole process | {a / r:.2f}x | <= {GOAL}x")
        print(f"figure: {name}, whole process, cpu | {a_cpu / r_cpu:.2f}x | <= {GOAL}x")


def medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    """The median wall and CPU seconds."""
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run(argv, env)[0]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def run(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds and stdout of one process (which must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


if __name__ == "__main__":
    main()
