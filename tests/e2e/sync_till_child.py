"""A till process for the store server tests: sells with its sender thread running.

Usage: ``python tests/e2e/sync_till_child.py DB TILL [SALES [PAUSE_S]]``

Opens the till through :func:`tui_pos.bootstrap.open_till` with ``store.till`` = TILL (it
must be enrolled already), loads the demo catalog, starts the sync sender thread, sells
cash sales of demo items (printing ``OK <uuid>`` after each stored sale), one every PAUSE_S
(0.2 s), until a file ``DB.stop`` appears or SALES were sold; then it waits
until the outbox is empty and prints ``DRAINED <acked seq>`` (or ``STUCK <reason>``).
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import replace
from pathlib import Path

from tui_pos.bootstrap import open_till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.demo.catalog import demo_products
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError
from tui_pos.sync.sender import SyncWorker, push_pending

CODES = [row["barcode"] for row in demo_products() if row["barcode"].startswith("590")]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    db, till_id = Path(argv[1]), argv[2]
    sales = int(argv[3]) if len(argv) > 3 else 0
    pause = float(argv[4]) if len(argv) > 4 else 0.2
    stop = db.with_name(db.name + ".stop")
    config = replace(Config(), store=replace(Config().store, till=till_id))
    till = open_till(config, db)
    ensure_demo_catalog(till)
    worker = SyncWorker(
        till.db, lambda s: ServerClient(s.url, s.token, timeout=2.0), interval=0.05, max_backoff=0.5
    )
    worker.start()
    rng = random.Random(till_id)
    sold = 0
    while not stop.exists() and not (sales and sold >= sales):
        sold += 1
        time.sleep(pause)
        for _ in range(rng.randint(1, 4)):
            till.register.enter(rng.choice(CODES))
        doc = till.register.pay_cash("")
        assert doc is not None
        say(f"OK {doc.uuid}")
    # Drain: the sender thread stops first (a pull of its own would seal a new entry
    # after the check); then push, without pulling, until nothing waits.
    worker.stop()
    worker.join(30)
    error = worker.last_error
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = st.load(till.db)
        assert state is not None
        if state.conflict:
            say(f"STUCK {state.conflict}")
            return 1
        if st.waiting(till.db, state) == 0:
            say(f"DRAINED {state.acked_seq}")
            return 0
        try:
            push_pending(till.db, ServerClient(state.url, state.token, timeout=2.0))
        except SyncError as exc:
            error = str(exc)
            time.sleep(0.1)
    say(f"STUCK {error}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
