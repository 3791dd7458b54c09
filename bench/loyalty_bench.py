"""Loyalty analytics benchmark: a year of a busy shop, the app's loyalty reports against
the same SQL run on a plain ``sqlite3`` connection, in the same run.

Generates N sales over a year (default 180,000: about 500 a day), a share of them by
members (default 5,000 customers), with their points ledger rows, into a migrated
database (bulk inserts with raw ``sqlite3``); then times, interleaved, each loyalty
report (``LoyaltyAnalytics.report``: summary, month, cohort, offers over the whole year)
against the store's SQL statements executed directly on a second connection with the
app's pragmas. Prints the median of ``--repeat`` runs and the ratio app / raw. Nothing is
asserted. Usage::

    .venv/bin/python bench/loyalty_bench.py [--sales 180000] [--customers 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui_pos.bootstrap import open_till
from tui_pos.config import Config
from tui_pos.domain.analysis import DateRange
from tui_pos.drivers.file_printer import NullPrinter
from tui_pos.models.database import PRAGMAS
from tui_pos.models.loyalty_analytics_store import SqliteLoyaltyAnalyticsStore
from tui_pos.services.loyalty_analytics import LoyaltyAnalytics

FIRST_DAY = date(2025, 12, 1)
YEAR = DateRange(FIRST_DAY, FIRST_DAY + timedelta(days=364))


def generate(path: Path, sales: int, customers: int, seed: int) -> None:
    """Customers joining over the year, sales (40 % by members), points rows."""
    rng = random.Random(seed)
    start = datetime(2025, 12, 1, 7, 0)
    con = sqlite3.connect(path)
    con.execute("BEGIN")
    joined = [start + timedelta(days=rng.random() * 300) for _ in range(customers)]
    con.executemany(
        "INSERT INTO customer (id, uuid, card, name, phone, phone_digits, email, birthday,"
        " notes, preferences, marketing_consent, created_at, updated_at)"
        " VALUES (?, ?, NULL, ?, '', '', '', NULL, '', '', 1, ?, ?)",
        [(i + 1, uuid.uuid4().hex, f"C{i}", str(j), str(j)) for i, j in enumerate(joined)],
    )
    sale_rows, points = [], []
    # Sales are appended as they happen: row ids follow time, as in a real till.
    moments = sorted(start + timedelta(seconds=rng.random() * 365 * 86400) for _ in range(sales))
    for seq, at in enumerate(moments, start=1):
        cid = rng.randrange(customers) + 1 if rng.random() < 0.4 else None
        if cid is not None and at < joined[cid - 1]:
            cid = None  # not a member yet: a guest
        total = rng.randrange(100, 8000) if rng.random() > 0.02 else -rng.randrange(100, 2000)
        sale_rows.append((seq, uuid.uuid4().hex, seq, str(at), total, total, cid))
        if cid is not None:
            points.append((uuid.uuid4().hex, seq, cid, total // 100, "earn", seq, str(at)))
            if rng.random() < 0.05:
                points.append((uuid.uuid4().hex, sales + seq, cid, -50, "redeem", seq, str(at)))
    con.executemany(
        "INSERT INTO sale (id, uuid, till, seq, status, created_at, cashier, subtotal_cents,"
        " discount_cents, tax_cents, total_cents, rounding_cents, change_cents, voided_lines,"
        " customer_id) VALUES (?, ?, 'B1', ?, 'completed', ?, 'Ann', ?, 0, 0, ?, 0, 0, 0, ?)",
        sale_rows,
    )
    con.executemany(
        "INSERT INTO loyalty_entry (uuid, till, seq, customer_id, points, kind, sale_id, note,"
        " created_at) VALUES (?, 'B1', ?, ?, ?, ?, ?, '', ?)",
        points,
    )
    con.execute("COMMIT")
    con.close()


class RawConnection:
    """A peewee-shaped ``execute_sql`` over a plain sqlite3 connection (the baseline runs
    the very same statements without the app's layers)."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path, isolation_level=None)
        for key, value in PRAGMAS.items():
            self.con.execute(f"PRAGMA {key} = {value}")

    def execute_sql(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.con.execute(sql, params)


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    """Build the year, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=180_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "app.db"
        till = open_till(Config(), path, printer=NullPrinter())
        till.close()
        t0 = time.perf_counter()
        generate(path, args.sales, args.customers, args.seed)
        print(
            f"generated {args.sales:,} sales, {args.customers:,} customers in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        till = open_till(Config(), path, printer=NullPrinter())
        app = till.loyalty_analytics
        raw_store = SqliteLoyaltyAnalyticsStore(RawConnection(path))  # type: ignore[arg-type]
        raw = LoyaltyAnalytics(raw_store, app.rules, app.till, app.clock, app.tz)
        print(f"{'report':10} {'app ms':>9} {'raw ms':>9} {'ratio':>6}")
        for kind in ("summary", "month", "cohort", "offers"):
            app_ms = median_ms(lambda k=kind: app.report(k, YEAR), args.repeat)
            raw_ms = median_ms(lambda k=kind: raw_store_call(raw_store, k, raw), args.repeat)
            print(f"{kind:10} {app_ms:9.1f} {raw_ms:9.1f} {app_ms / raw_ms:6.2f}")
        till.close()


def raw_store_call(store: SqliteLoyaltyAnalyticsStore, kind: str, raw: LoyaltyAnalytics) -> None:
    """The same statements the app runs, on the plain connection, without shaping."""
    start, end = YEAR.bounds(raw.tz)
    if kind == "summary":
        store.program(start, end, 90)
    elif kind == "month":
        thresholds = [t.min_spend_cents for t in raw.rules.tiers]
        store.months(raw.month_spans(YEAR), raw.tier_spans(YEAR), thresholds)
    elif kind == "cohort":
        store.cohorts(start, end, raw.month_spans(YEAR))
    else:
        store.offers(start, end)


if __name__ == "__main__":
    main()
