"""Store reports at the server (issue 13): the day report of a store is the sum of its
tills' Z closes, and sales by category name each till's product categories. Real
PostgreSQL, the real API as a process, tills through the real bootstrap pushing with the
real sender."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import Api, api, cluster, enroll_code, tui_pos, url

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "url"]  # the fixtures this module uses
TODAY = datetime.now(UTC).date()  # the tills sell now


def server_report(api: Api, by: str, *extra: str) -> dict[str, Any]:
    done = tui_pos(
        "server", "report", by, "--url", api.db_url, "--format", "json", "--operator", "ops",
        "--from", str(TODAY - timedelta(days=1)), "--to", str(TODAY + timedelta(days=1)), *extra,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_store_day_is_the_sum_of_its_tills_z_closes(api: Api, tmp_path: Path) -> None:
    from tui_pos.bootstrap import open_till
    from tui_pos.config import Config
    from tui_pos.demo import ensure_demo_catalog
    from tui_pos.demo.catalog import demo_products
    from tui_pos.sync import state as st
    from tui_pos.sync.client import ServerClient
    from tui_pos.sync.sender import push_pending

    rows = [r for r in demo_products() if r["barcode"].startswith("590")]
    closes, sold = [], {}
    for store, name, sales in (("S01", "T1", 3), ("S01", "T2", 2), ("S02", "T1", 1)):
        db = tmp_path / f"{store}{name}.db"
        config = tmp_path / f"{store}{name}.toml"
        config.write_text(f'[store]\ntill = "{name}"\n')
        code = enroll_code(api.db_url, store, name)
        done = tui_pos("--config", str(config), "--db", str(db), "sync", "enroll", api.base, code)
        assert done.returncode == 0, done.stderr
        till = open_till(replace(Config(), store=replace(Config().store, till=name)), db)
        try:
            ensure_demo_catalog(till)
            for i in range(sales):
                for row in rows[i : i + 2]:
                    till.register.enter(row["barcode"])
                    sold[row["category"]] = sold.get(row["category"], 0) + 1
                assert till.register.pay_cash("") is not None
            closes.append((store, till.reports.close_day(closed_by="Ann").to_dict()))
            if store == "S01":  # a second Z the same day, with one more sale
                till.register.enter(rows[0]["barcode"])
                sold[rows[0]["category"]] += 1
                assert till.register.pay_cash("") is not None
                closes.append((store, till.reports.close_day(closed_by="Ann").to_dict()))
            state = st.load(till.db)
            assert state is not None
            push_pending(till.db, ServerClient(state.url, state.token))
        finally:
            till.close()

    days = server_report(api, "z")
    by_key = {r["key"]: r for r in days["rows"]}
    for store in ("S01", "S02"):
        mine = [z for s, z in closes if s == store]
        [row] = [r for k, r in by_key.items() if k.startswith(store + " ")]
        assert row["closes"] == len(mine)
        for field in ("sales_count", "net_cents", "tax_cents", "total_cents"):
            column = "sales" if field == "sales_count" else field
            assert row[column] == sum(int(z[field]) for z in mine), field
    assert days["totals"]["total_cents"] == sum(int(z["total_cents"]) for _, z in closes)
    assert [r["key"].split()[0] for r in server_report(api, "z", "--store", "S02")["rows"]] == [
        "S02"
    ]

    too_long = tui_pos(
        "server", "report", "z", "--url", api.db_url, "--operator", "ops",
        "--from", "2000-01-01", "--to", "2100-01-01",
    )  # fmt: skip
    assert too_long.returncode == 1 and "too long" in too_long.stderr
    assert "Traceback" not in too_long.stderr

    categories = server_report(api, "category")
    assert {r["key"]: r["qty"] // 1000 for r in categories["rows"]} == sold
    sales = server_report(api, "store")["totals"]["total_cents"]
    assert categories["totals"]["net_cents"] == sales  # no cart discounts in these sales
