"""``make bench``: every figure of issue 17's table, each as a ratio with its goal.

Runs the benches one after another (their own output is shown as it comes), then prints
one summary table. Sizes are parameters; the issue's sizes are 1,000,000 products and
about 2,000,000 sale lines, the defaults here run in a few minutes on two cores::

    .venv/bin/python bench/all.py [--products 100000] [--lines 400000]
    make bench BENCH_PRODUCTS=1000000 BENCH_LINES=2000000
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The checkout bench's own table rows: name, n, app med, app p95, raw med, raw p95, ratios.
_CHECKOUT_ROW = re.compile(r"^(scan-to-line|sale commit)\s+\d+\s+.*?([\d.]+)x\s+([\d.]+)x\s*$")
_CHECKOUT_GOALS = {"scan-to-line": "<= 1.5x", "sale commit": "<= 1.5x"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=400_000)
    parser.add_argument(
        "--sync-quick", action="store_true", help="the store server bench at a tenth of its sizes"
    )
    args = parser.parse_args()
    products, lines = str(args.products), str(args.lines)
    runs = [
        ["checkout_bench.py", "--products", products, "--scans", "2000", "--sales", "200"],
        ["z_report_bench.py", "--lines", lines, "--repeat", "5"],
        ["report_bench.py", "--lines", lines, "--repeat", "5"],
        ["process_bench.py", "--products", products],
        ["import_bench.py", "--rows", products],
        ["loyalty_bench.py", "--repeat", "5"],
        ["sync_bench.py", *(["--quick"] if args.sync_quick else [])],
    ]
    figures: list[tuple[str, str, str]] = []
    for script, *options in runs:
        print(f"\n=== {script} {' '.join(options)}", flush=True)
        figures += run(script, options)
    print(f"\n=== issue 17 figures ({args.products:,} products, {args.lines:,} sale lines)")
    width = max(len(name) for name, _, _ in figures)
    print(f"{'figure':{width}}  {'measured':>16}  goal")
    for name, value, goal in figures:
        print(f"{name:{width}}  {value:>16}  {goal}")


def run(script: str, options: list[str]) -> list[tuple[str, str, str]]:
    """Run one bench, echo its output, return its figures (name, value, goal)."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / script), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    figures = []
    assert proc.stdout is not None
    for line in proc.stdout:
        print(line, end="", flush=True)
        if line.startswith("figure: "):
            name, value, goal = (part.strip() for part in line[8:].split("|"))
            figures.append((name, value, goal))
        elif found := _CHECKOUT_ROW.match(line):
            name = found.group(1)
            figures.append((f"{name} (median)", f"{found.group(2)}x", _CHECKOUT_GOALS[name]))
    if proc.wait() != 0:
        figures.append((script, f"FAILED ({proc.returncode})", "see its output"))
    return figures


if __name__ == "__main__":
    main()
