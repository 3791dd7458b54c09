"""Ledgers across tills (issue 13): a sale at till 1 lowers the stock level till 2 shows
and raises the loyalty balance till 2 shows within seconds; the server's sums equal each
till's. Real PostgreSQL, the real API as a process, two tills through the real bootstrap
each with its sync thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import Api, api, cluster, enroll_code, tui_pos, url

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "url"]  # the fixtures this module uses


def until(check: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not synced in time"
        time.sleep(0.05)


def test_a_sale_at_one_till_reaches_the_other_tills_level_and_loyalty(
    api: Api, tmp_path: Path
) -> None:
    from tui_pos.bootstrap import open_till
    from tui_pos.config import Config
    from tui_pos.demo import ensure_demo_catalog
    from tui_pos.demo.catalog import demo_products
    from tui_pos.demo.customers import demo_card
    from tui_pos.domain.barcode import normalize_gtin
    from tui_pos.domain.customer import CustomerDetails
    from tui_pos.models.chain_store import head as chain_head
    from tui_pos.models.journal_verify import verify_journal
    from tui_pos.models.loyalty_store import balance_in
    from tui_pos.server.ledgers import points_balance
    from tui_pos.sync import state as st
    from tui_pos.sync.client import ServerClient
    from tui_pos.sync.sender import SyncWorker

    tea = next(r["barcode"] for r in demo_products() if r["barcode"].startswith("590"))
    card = demo_card(77)
    tills: dict[str, Any] = {}
    workers: list[Any] = []
    for name in ("T1", "T2"):
        db = tmp_path / f"{name}.db"
        config = tmp_path / f"{name}.toml"
        config.write_text(f'[store]\ntill = "{name}"\n')
        code = enroll_code(api.db_url, "S01", name)
        done = tui_pos("--config", str(config), "--db", str(db), "sync", "enroll", api.base, code)
        assert done.returncode == 0, done.stderr
        till = open_till(replace(Config(), store=replace(Config().store, till=name)), db)
        ensure_demo_catalog(till)
        till.customers.create(CustomerDetails(name="Ada", card=card))
        worker = SyncWorker(till.db, lambda s: ServerClient(s.url, s.token), interval=0.05)
        worker.start()
        tills[name], workers = till, [*workers, worker]
    t1, t2 = tills["T1"], tills["T2"]
    try:
        gtin = normalize_gtin(tea)
        product, other = t1.catalog.by_code(gtin), t2.catalog.by_code(gtin)
        assert product is not None and other is not None

        def level(till: object, pid: int) -> int:
            row = till.db.execute_sql(  # type: ignore[attr-defined]
                "SELECT coalesce(sum(qty_milli), 0) FROM stock_movement WHERE product_id = ?",
                (pid,),
            ).fetchone()
            return int(row[0])

        def points(till: object) -> int:
            customer = till.customers.by_card(card)  # type: ignore[attr-defined]
            return int(balance_in(till.db, customer.id))  # type: ignore[attr-defined]

        # each till's demo import counted stock: the levels are the sum of both once synced
        def pulled(till: object, pid: int) -> bool:
            return bool(
                till.db.execute_sql(  # type: ignore[attr-defined]
                    "SELECT 1 FROM stock_movement WHERE product_id = ? AND kind = 'sync'", (pid,)
                ).fetchone()
            )

        until(lambda: pulled(t1, product.id) and pulled(t2, other.id))
        assert level(t1, product.id) == level(t2, other.id)
        before_level, before_points = level(t2, other.id), points(t2)
        t1.customers.attach_card(t1.register, card)
        t1.register.enter(tea)
        t1.register.enter(tea)
        sale = t1.register.pay_cash("")
        assert sale is not None
        earned = points(t1) - before_points
        assert earned > 0
        until(lambda: level(t2, other.id) == before_level - 2000)
        until(lambda: points(t2) == before_points + earned)
        assert level(t1, product.id) == level(t2, other.id)
        with psycopg.connect(api.db_url) as conn:
            until(lambda: points_balance(conn, card) == points(t1))
            assert points_balance(conn, card) == points(t2)
        t1.customers.attach_card(t1.register, card)  # a till's own rows are not pulled back
        time.sleep(0.5)
        assert points(t1) == before_points + earned
        # the rows applied from the feed are sealed in the page's own chain entry (no later
        # write of T2 needed): db verify covers them, and pushed back they count once
        for till in (t1, t2):
            marks = chain_head(till.db).mark_map()  # type: ignore[union-attr]
            for table in ("stock_movement", "loyalty_entry"):
                [(top,)] = till.db.execute_sql(f"SELECT coalesce(max(id), 0) FROM {table}")
                assert marks.get(table, 0) == top, (till.register.settings.till, table)
            assert verify_journal(till.db) == ([], verify_journal(till.db)[1])
        until(lambda: all(st.waiting(t.db, st.load(t.db)) == 0 for t in (t1, t2)))  # type: ignore[arg-type]
        with psycopg.connect(api.db_url) as conn:
            assert points_balance(conn, card) == points(t1) == points(t2)
            for ledger in ("stock_ledger", "loyalty_ledger"):  # pushed, not counted again
                [(copies,)] = conn.execute(f"SELECT count(*) FROM {ledger} WHERE kind = 'sync'")
                assert copies == 0
            for t in (t1, t2):
                [(held,)] = conn.execute(
                    "SELECT count(*) FROM document WHERE till_id = %s", (t.register.settings.till,)
                )
                assert held == chain_head(t.db).seq  # type: ignore[union-attr]
        assert level(t1, product.id) == level(t2, other.id)
    finally:
        for worker in workers:
            worker.stop()
            worker.join(10)
        for till in tills.values():
            till.close()
