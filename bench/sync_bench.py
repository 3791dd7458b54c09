"""Store server benchmark: backlog drain and the cost of sync on the sale commit.

Starts a real PostgreSQL in a temporary directory (as ``postgres`` when root), the API as
a process, and one till through the real bootstrap, then measures in the same run:

* backlog drain: N sales stored while the sender is not running, then ``push_pending``
  until acknowledged (entries/s), against the baseline of reading the same outbox
  batches locally (``outbox_batch``) without sending them;
* sale commit with and without the sync thread running: ``pay_cash`` p50/p95 over the
  same basket, first with no sender, then with the ``SyncWorker`` pushing and pulling;
* counts after the run: entries at the server = entries of the till, gapless.

Nothing is asserted; the figures are printed. Needs PostgreSQL's initdb/pg_ctl and the
``server`` extra. Usage: ``.venv/bin/python bench/sync_bench.py [--sales 1000]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from tests.e2e.test_store_server import Api, enroll_code, tui_pos  # noqa: E402
from tests.support.pg_cluster import Cluster  # noqa: E402
from tui_pos.bootstrap import open_till  # noqa: E402
from tui_pos.config import Config  # noqa: E402
from tui_pos.demo import ensure_demo_catalog  # noqa: E402
from tui_pos.demo.catalog import demo_products  # noqa: E402
from tui_pos.sync import state as st  # noqa: E402
from tui_pos.sync.client import ServerClient  # noqa: E402
from tui_pos.sync.outbox import outbox_batch  # noqa: E402
from tui_pos.sync.sender import BATCH, SyncWorker, push_pending  # noqa: E402

CODES = [r["barcode"] for r in demo_products() if r["barcode"].startswith("590")][:20]


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def sell(till: object, n: int) -> list[float]:
    times = []
    reg = till.register  # type: ignore[attr-defined]
    for i in range(n):
        for k in range(3):
            reg.enter(CODES[(i + k) % len(CODES)])
        start = time.perf_counter()
        reg.pay_cash("")
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=1000)
    args = parser.parse_args()
    pg = Cluster(Path(tempfile.mkdtemp(prefix="tui-pos-bench-pg-")))
    pg.init()
    pg.start()
    api = Api(pg.url)
    try:
        assert tui_pos("server", "init", "--url", pg.url).returncode == 0
        api.start()
        work = Path(tempfile.mkdtemp(prefix="tui-pos-bench-till-"))
        db = work / "till.db"
        done = tui_pos(
            "--db", str(db), "sync", "enroll", api.base, enroll_code(pg.url, "S01", "T1")
        )
        assert done.returncode == 0, done.stderr
        till = open_till(replace(Config(), store=replace(Config().store, till="T1")), db)
        ensure_demo_catalog(till)
        state = st.load(till.db)
        assert state is not None
        client = ServerClient(state.url, state.token, timeout=30)
        push_pending(till.db, client)  # the catalog import, not part of the backlog

        without = sell(till, args.sales)
        backlog = st.waiting(till.db, st.load(till.db))  # type: ignore[arg-type]
        start = time.perf_counter()
        after = st.load(till.db).acked_seq  # type: ignore[union-attr]
        while batch := outbox_batch(till.db, after, BATCH):
            after = batch[-1]["seq"]
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        pushed = push_pending(till.db, client)
        push_s = time.perf_counter() - start

        worker = SyncWorker(till.db, lambda s: ServerClient(s.url, s.token), interval=0.2)
        worker.start()
        with_sync = sell(till, args.sales)
        deadline = time.monotonic() + 60
        while st.waiting(till.db, st.load(till.db)) and time.monotonic() < deadline:  # type: ignore[arg-type]
            time.sleep(0.1)
        worker.stop()
        worker.join(10)
        head = st.chain_head(till.db)
        with psycopg.connect(pg.url) as conn:
            row = conn.execute("SELECT count(*), max(seq), min(seq) FROM document").fetchone()
        assert row is not None
        print(
            f"backlog: {backlog} entries pushed in {push_s:.2f} s = "
            f"{pushed.sent / push_s:.0f} entries/s; reading them locally took {read_s:.2f} s "
            f"(push/read = {push_s / read_s:.1f}x)"
        )
        print(
            f"sale commit without sync: p50 {statistics.median(without):.2f} ms, "
            f"p95 {p95(without):.2f} ms"
        )
        print(
            f"sale commit with sync running: p50 {statistics.median(with_sync):.2f} ms, "
            f"p95 {p95(with_sync):.2f} ms (p95 +{p95(with_sync) - p95(without):.2f} ms)"
        )
        gapless = row[0] == row[1] == head[0] and row[2] == 1
        print(f"server: {row[0]} entries, till head {head[0]}, gapless and equal: {gapless}")
        till.close()
    finally:
        api.kill()
        pg.stop("immediate")
    subprocess.run(["rm", "-rf", str(pg.root)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
