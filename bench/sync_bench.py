"""Store server benchmark (issue 13): a store of tills selling through faults, a backlog
drain, and what sync costs a sale commit. Counts and ratios, printed; nothing asserted.

Starts a real PostgreSQL in a temporary directory (as ``postgres`` when root) and the API
as a process, then in one run:

* fleet: TILLS till processes (``tests/e2e/sync_till_child.py``, the real bootstrap and sync
  thread) each sell SALES cash sales through a TCP proxy while FAULTS random faults hit
  (proxy refuse / black hole / answer cut, API SIGKILL, PostgreSQL ``stop -m immediate``,
  a till SIGKILLed and restarted). Afterwards: every sale a till reported stored is at the
  server exactly once (lost, duplicated), each till's entries are gapless and its head
  equals the server's; lag = server receive time - sale time, p95 over sales made while
  online (not within a fault or the 2 s after it);
* backlog: one till stores BACKLOG sales with no sender, then pushes them (documents/s),
  against the baseline of reading the same outbox batches locally;
* commit: the same till's sale commit (``pay_cash``) p50/p95 with no sync thread and with
  the sync thread running, in alternating blocks of the same baskets.

Usage: ``.venv/bin/python bench/sync_bench.py [--quick]`` (``--quick``: a tenth of the
sales, backlog and commits; the faults stay). Needs PostgreSQL's initdb/pg_ctl and the
``server`` extra.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from tests.support.pg_cluster import Cluster, binaries_missing  # noqa: E402
from tests.support.store_server import Api, enroll_code, tui_pos  # noqa: E402
from tests.support.tcp_proxy import Proxy  # noqa: E402
from tui_pos.bootstrap import open_till  # noqa: E402
from tui_pos.config import Config  # noqa: E402
from tui_pos.demo import ensure_demo_catalog  # noqa: E402
from tui_pos.demo.catalog import demo_products  # noqa: E402
from tui_pos.models.chain_tables import CHAINED  # noqa: E402
from tui_pos.sync import state as st  # noqa: E402
from tui_pos.sync.client import ServerClient  # noqa: E402
from tui_pos.sync.outbox import outbox_batch  # noqa: E402
from tui_pos.sync.sender import BATCH, SyncWorker, push_pending  # noqa: E402

CODES = [r["barcode"] for r in demo_products() if r["barcode"].startswith("590")][:20]
FAULTS = ("refuse", "blackhole", "cut", "api", "postgres", "till")
_UUID_AT = 2 + CHAINED["sale"].columns.index("uuid")


def chain_head(db: Path) -> tuple[int, str]:
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute("SELECT seq, mac FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, "0" * 64)


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)] if values else 0.0


@dataclass
class Child:
    """One till process and the sales it reported stored."""

    db: Path
    name: str
    sales: int
    pause: float
    stored: list[str] = field(default_factory=list)
    proc: subprocess.Popen[str] | None = None
    drained: bool = False

    def start(self) -> None:
        left = max(0, self.sales - len(self.stored))
        self.proc = subprocess.Popen(
            [sys.executable, "tests/e2e/sync_till_child.py", str(self.db), self.name, str(left)]
            + [str(self.pause)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("OK "):
                self.stored.append(line.split()[1])
            elif line.startswith("DRAINED"):
                self.drained = True

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    @property
    def done(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None


def fleet(pg: Cluster, api: Api, work: Path, tills: int, sales: int, faults: int) -> dict[str, Any]:
    proxy = Proxy(api.port)
    base = f"http://127.0.0.1:{proxy.port}"
    children = []
    for i in range(1, tills + 1):
        name, db = f"T{i}", work / f"T{i}.db"
        config = work / f"T{i}.toml"
        config.write_text(f'[store]\ntill = "{name}"\n')
        code = enroll_code(api.db_url, "S01", name)
        done = tui_pos("--config", str(config), "--db", str(db), "sync", "enroll", base, code)
        assert done.returncode == 0, done.stderr
        children.append(Child(db, name, sales, pause=0.03))
    for child in children:
        child.start()
    rng = random.Random(13)
    windows: list[tuple[float, float]] = []
    kinds: list[str] = []
    while any(len(c.stored) == 0 for c in children):
        time.sleep(0.1)
    for n in range(faults):
        kind = FAULTS[n] if n < len(FAULTS) else rng.choice(FAULTS)  # every kind at least once
        time.sleep(rng.uniform(0.3, 1.5))
        start = time.time()
        if kind == "api":
            api.kill()
            time.sleep(0.3)
            api.start()
        elif kind == "postgres":
            pg.stop("immediate")
            time.sleep(0.3)
            pg.start()
        elif kind == "till":
            victim = rng.choice([c for c in children if not c.done] or children)
            if not victim.done:
                victim.kill()
                victim.start()
        else:
            proxy.set_mode(kind)
            time.sleep(rng.uniform(0.5, 1.5))
            proxy.set_mode("pass")
        windows.append((start, time.time() + 2.0))
        kinds.append(kind)
    faults_end = time.time()
    for child in children:
        assert child.proc is not None
        child.proc.wait(600)
    proxy.close()
    with psycopg.connect(pg.url) as conn:
        server = {
            c.name: [
                str(r[0])
                for r in conn.execute(
                    "SELECT data->>%s FROM chain_row WHERE tbl = 'sale' AND till_id = %s",
                    (_UUID_AT, c.name),
                )
            ]
            for c in children
        }
        docs = conn.execute(
            "SELECT till_id, count(*), max(seq), max(hash) FILTER (WHERE seq = "
            "(SELECT max(seq) FROM document d2 WHERE d2.till_id = d.till_id)) "
            "FROM document d GROUP BY till_id"
        ).fetchall()
        received = conn.execute(
            "SELECT d.created_at, d.received_at FROM document d WHERE d.created_at <> ''"
        ).fetchall()
    lost = sum(len(set(c.stored) - set(server[c.name])) for c in children)
    duplicated = sum(len(v) - len(set(v)) for v in server.values())
    heads_equal = all(
        (count == top and chain_head(c.db) == (top, head))
        for c in children
        for till, count, top, head in docs
        if till == c.name
    ) and len(docs) == len(children)
    lags = []
    for created, at in received:
        made = datetime.fromisoformat(created.replace("Z", "")).replace(tzinfo=UTC)
        when = made.timestamp()
        if when > faults_end or not any(a <= when <= b for a, b in windows):
            lags.append((at - made).total_seconds())
    return {
        "sales": sum(len(c.stored) for c in children),
        "lost": lost,
        "duplicated": duplicated,
        "gapless": heads_equal,
        "drained": all(c.drained for c in children),
        "faults": kinds,
        "lag_p95": p95(lags),
        "lag_n": len(lags),
    }


def sell(till: Any, n: int) -> list[float]:
    times = []
    for i in range(n):
        for k in range(3):
            till.register.enter(CODES[(i + k) % len(CODES)])
        start = time.perf_counter()
        till.register.pay_cash("")
        times.append((time.perf_counter() - start) * 1000)
    return times


def database_back(api: Api, seconds: float = 120.0) -> float:
    """Seconds until the API reaches its database again (an unknown token: 401, not 503)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            status, _ = api.call("GET", "/v1/head", token="nobody")
        except OSError:
            status = 0
        if status == 401:
            break
        time.sleep(0.2)
    return time.monotonic() - start


def backlog_and_commit(api: Api, work: Path, backlog: int, commits: int) -> dict[str, Any]:
    database_back(api)
    db = work / "B1.db"
    config = work / "B1.toml"
    config.write_text('[store]\ntill = "B1"\n')
    code = enroll_code(api.db_url, "S02", "B1")
    done = tui_pos("--config", str(config), "--db", str(db), "sync", "enroll", api.base, code)
    assert done.returncode == 0, done.stderr
    till = open_till(replace(Config(), store=replace(Config().store, till="B1")), db)
    try:
        ensure_demo_catalog(till)
        state = st.load(till.db)
        assert state is not None
        client = ServerClient(state.url, state.token, timeout=60)
        push_pending(till.db, client)  # the catalog import: not part of the backlog
        sell(till, backlog)
        state = st.load(till.db)
        assert state is not None
        waiting = st.waiting(till.db, state)
        start = time.perf_counter()
        after = state.acked_seq
        while batch := outbox_batch(till.db, after, BATCH):
            after = batch[-1]["seq"]
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        pushed = push_pending(till.db, client)
        push_s = time.perf_counter() - start

        without: list[float] = []
        with_sync: list[float] = []
        block = max(1, commits // 4)
        for _ in range(4):  # alternating blocks: the same baskets, the same database size
            without += sell(till, block)
            worker = SyncWorker(till.db, lambda s: ServerClient(s.url, s.token))
            worker.start()
            time.sleep(0.2)
            with_sync += sell(till, block)
            worker.stop()
            worker.join(10)
        push_pending(till.db, client)
    finally:
        till.close()
    return {
        "backlog": waiting,
        "pushed": pushed.sent,
        "push_s": push_s,
        "read_s": read_s,
        "without": without,
        "with": with_sync,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tills", type=int, default=4)
    parser.add_argument("--sales", type=int, default=1000, help="per till")
    parser.add_argument("--faults", type=int, default=10)
    parser.add_argument("--backlog", type=int, default=4000)
    parser.add_argument("--commits", type=int, default=400)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args()
    if args.quick:
        args.sales, args.backlog, args.commits = args.sales // 10, args.backlog // 10, 200
    if missing := binaries_missing():
        print(f"sync bench: {missing}", file=sys.stderr)
        return 1
    pg = Cluster(Path(tempfile.mkdtemp(prefix="tui-pos-bench-pg-")))
    work = Path(tempfile.mkdtemp(prefix="tui-pos-bench-tills-"))
    pg.init()
    pg.start()
    api = Api(pg.url)
    try:
        assert tui_pos("server", "init", "--url", pg.url).returncode == 0
        api.start()
        f = fleet(pg, api, work, args.tills, args.sales, args.faults)
        b = backlog_and_commit(api, work, args.backlog, args.commits)
    finally:
        api.kill()
        pg.stop("immediate")
        shutil.rmtree(pg.root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    rate = b["pushed"] / b["push_s"] if b["push_s"] else 0.0
    extra = p95(b["with"]) - p95(b["without"])
    print(f"fleet: {args.tills} tills, {f['sales']} sales, {len(f['faults'])} faults: ", end="")
    print(", ".join(f["faults"]))
    print(f"  lost {f['lost']}, duplicated {f['duplicated']}, gapless and heads equal: ", end="")
    print(f"{f['gapless']}, every till drained: {f['drained']}")
    print(f"  lag while online: p95 {f['lag_p95']:.2f} s over {f['lag_n']} documents")
    print(
        f"backlog: {b['backlog']} documents pushed in {b['push_s']:.2f} s = {rate:.0f}/s; "
        f"reading them locally took {b['read_s']:.2f} s "
        f"(push/read {b['push_s'] / b['read_s']:.1f}x)"
    )
    print(
        f"sale commit: without sync p50 {statistics.median(b['without']):.2f} ms "
        f"p95 {p95(b['without']):.2f} ms; with sync p50 {statistics.median(b['with']):.2f} ms "
        f"p95 {p95(b['with']):.2f} ms "
        f"({extra:+.2f} ms, ratio {p95(b['with']) / p95(b['without']):.2f}x)"
    )
    rows = [
        ("sync lost / duplicated", f"{f['lost']} / {f['duplicated']}", "0 / 0"),
        ("sync lag p95 online", f"{f['lag_p95']:.2f} s", "<= 2 s"),
        ("sync backlog drain", f"{rate:.0f} docs/s", ">= 500 docs/s"),
        ("sync commit p95 extra", f"{extra:+.2f} ms", "<= +1 ms"),
    ]
    for name, value, goal in rows:  # the lines bench/all.py collects
        print(f"figure: {name} | {value} | {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
