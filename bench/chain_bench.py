"""Chain benchmark: what sealing a sale into the keyed hash chain adds to its commit.

Two identical copies of a demo database; the same baskets are paid (``register.pay_cash``,
the real commit with ``synchronous=FULL``) on both in the same run, alternating, with the
chain on one and ``seal`` replaced by a no-op on the other (the baseline: exactly the same
sale rows, no chain entry). Prints median and p95 per commit (microseconds), the ratio
chained / baseline, the time spent inside ``seal`` itself, and how long ``db verify``
takes. Nothing is asserted. Usage::

    .venv/bin/python bench/chain_bench.py [--sales 300] [--dir DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.drivers.file_printer import NullPrinter
from tui_pos.models import sale_store
from tui_pos.models.journal_verify import verify_journal

BASKET = ("5900000000015", "2*5900000000022", "5900000000015", "3*5900000000022", "0.5*4011")


def _till(path: Path) -> Till:
    till = open_till(Config(), path, printer=NullPrinter())
    ensure_demo_catalog(till)
    return till


def _commit(till: Till) -> float:
    for code in BASKET:
        till.register.enter(code)
    start = time.perf_counter()
    till.register.pay_cash("")
    return (time.perf_counter() - start) * 1e6


def _stats(name: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1]
    print(f"{name:<22} median {median:8.0f} us   p95 {p95:8.0f} us")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=300)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="chain-bench-"))
    chained_till = _till(folder / "chained" / "till.db")
    plain_till = _till(folder / "plain" / "till.db")
    real_seal = sale_store.seal
    inside: list[float] = []

    def timed_seal(db: Any, till: str) -> Any:
        start = time.perf_counter()
        try:
            return real_seal(db, till)
        finally:
            inside.append((time.perf_counter() - start) * 1e6)

    chained: list[float] = []
    plain: list[float] = []
    for _ in range(args.sales):
        sale_store.seal = timed_seal
        chained.append(_commit(chained_till))
        sale_store.seal = lambda db, till: None  # type: ignore[assignment]
        plain.append(_commit(plain_till))
    sale_store.seal = real_seal
    print(f"{args.sales} sales of {len(BASKET)} lines each, {folder}")
    with_chain = _stats("commit with chain", chained)
    without = _stats("commit, no chain", plain)
    print(f"ratio chained / baseline: {with_chain / without:.2f}")
    _stats("seal itself", inside)
    start = time.perf_counter()
    problems, entries = verify_journal(chained_till.db)
    elapsed = time.perf_counter() - start
    print(f"db verify: {entries} entries in {elapsed:.2f} s, {problems or 'no problem'}")
    chained_till.close()
    plain_till.close()
    if args.dir is None:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
