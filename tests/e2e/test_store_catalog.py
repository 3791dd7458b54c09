"""The catalog managed at the store server and pushed down (issue 13): products, prices
and promotions changed by a signed command at an enrolled till reach every till through
the change feed; the server checks the role, audits, and refuses what a till may not do.
Real PostgreSQL, the real API as a process, tills as ``tui-pos`` processes."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import Api, api, cluster, enroll_code, token_for, tui_pos, url

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "url"]  # the fixtures this module uses

TEA, MATE = "5901234123457", "4006381333931"
HEADER = "barcode,name,price,tax,category,stock\n"


class Till:
    """One till database used through the CLI, as a shop would."""

    def __init__(self, tmp: Path, name: str) -> None:
        self.db, self.config = tmp / f"{name}.db", tmp / f"{name}.toml"
        self.config.write_text(f'[store]\ntill = "{name}"\n')
        self.name = name

    def run(self, *args: str, stdin: str = "") -> Any:
        return tui_pos("--config", str(self.config), "--db", str(self.db), *args, stdin=stdin)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(self.db)) as conn:
            return [tuple(r) for r in conn.execute(sql, params)]

    def product(self, code: str) -> Any:
        rows = self.query(
            "SELECT p.name, p.price_cents, coalesce(c.name, '') FROM barcode b "
            "JOIN product p ON p.id = b.product_id LEFT JOIN category c ON c.id = p.category_id "
            "WHERE b.code = ?",
            f"{int(code):014d}",
        )
        return rows[0] if rows else None


def shop(api: Api, tmp: Path, *names: str) -> list[Till]:
    tills = []
    for name in names:
        till = Till(tmp, name)
        added = till.run(
            "staff", "add", "--number", "1", "--name", "Ann", "--role", "manager",
            stdin="2468\n2468\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        cashier = till.run(
            "staff", "add", "--number", "3", "--name", "Cy", "--role", "cashier", "--by", "1",
            stdin="2468\n9024\n9024\n",
        )  # fmt: skip
        assert cashier.returncode == 0, cashier.stderr
        code = enroll_code(api.db_url, "S01", name)
        done = till.run("sync", "enroll", api.base, code)
        assert done.returncode == 0, done.stderr
        tills.append(till)
    return tills


def test_products_prices_and_promotions_reach_every_till(api: Api, tmp_path: Path) -> None:
    t1, t2 = shop(api, tmp_path, "T1", "T2")
    csv = tmp_path / "products.csv"
    csv.write_text(HEADER + f"{TEA},Green tea,2.50,A,Tea,\n{MATE},Mate,3.10,A,Tea,\n")
    sent = t1.run("import", "products", str(csv), "--by", "1", stdin="2468\n")
    assert sent.returncode == 0, sent.stderr
    assert "sent 2 products to the store server" in sent.stdout
    assert t1.product(TEA) == ("Green tea", 250, "Tea")  # the sending till applied the feed
    assert t2.product(TEA) is None  # until till 2 pulls
    assert t2.run("sync", "now").returncode == 0
    assert t2.product(TEA) == ("Green tea", 250, "Tea") and t2.product(MATE)[1] == 310

    csv.write_text(HEADER + f"{TEA},Green tea,2.75,A,Tea,\n")  # a price change
    assert t2.run("import", "products", str(csv), "--by", "1", stdin="2468\n").returncode == 0
    assert t1.run("sync", "now").returncode == 0
    assert t1.product(TEA)[1] == t2.product(TEA)[1] == 275

    made = t1.run(
        "promo", "add", "--name", "Tea week", "--kind", "percent", "--item", TEA,
        "--value", "10%", "--by", "1", stdin="2468\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert t2.run("sync", "now").returncode == 0
    [(key, name, value, ends)] = t2.query(
        "SELECT server_key, name, value, ends_on FROM promotion WHERE server_key IS NOT NULL"
    )
    assert (name, value, ends) == ("Tea week", 1000, None)
    [(local_id,)] = t2.query("SELECT id FROM promotion WHERE server_key = ?", key)
    ended = t2.run("promo", "end", str(local_id), "--by", "1", stdin="2468\n")
    assert ended.returncode == 0, ended.stderr
    assert t1.run("sync", "now").returncode == 0
    assert [r[0] is not None for r in t1.query("SELECT ends_on FROM promotion")] == [True]

    with psycopg.connect(api.db_url) as conn:
        audit = conn.execute("SELECT actor, action FROM audit ORDER BY id").fetchall()
        catalog = conn.execute("SELECT topic, count(*) FROM catalog GROUP BY 1 ORDER BY 1")
        assert catalog.fetchall() == [("product", 2), ("promotion", 1)]
    assert ("Ann (#1, manager)", "catalog product") in audit
    assert ("Ann (#1, manager)", "catalog promotion") in audit


def test_bad_push_downs_change_nothing(api: Api, tmp_path: Path) -> None:
    (t1,) = shop(api, tmp_path, "T1")
    csv = tmp_path / "products.csv"
    csv.write_text(HEADER + f"{TEA},Green tea,2.50,A,Tea,12\n")
    counted = t1.run("import", "products", str(csv), "--by", "1", stdin="2468\n")
    assert counted.returncode == 1 and "stock column stays empty" in counted.stderr
    cashier = t1.run("import", "products", str(csv), "--by", "3", stdin="9024\n")
    assert cashier.returncode == 1 and "Traceback" not in cashier.stderr

    token = token_for(api, "S01", "T9")
    item: dict[str, Any] = {"key": TEA, "body": {"name": "Tea", "price_cents": 250, "tax_code": "A",
            "category": "", "reorder_level_milli": 0}}  # fmt: skip
    as_cashier = {"id": 3, "name": "Cy", "role": "cashier"}
    status, answer = api.call(
        "POST", "/v1/catalog", {"topic": "product", "by": as_cashier, "items": [item]}, token
    )
    assert status == 403 and "may not change the product catalog" in answer["message"]
    promo = {
        "key": "p1",
        "body": {"item": MATE, "name": "Mate deal", "kind": "percent", "value": 500,
                 "buy_qty": 0, "pay_qty": 0},
    }  # fmt: skip
    manager = {"id": 1, "name": "Ann", "role": "manager"}
    status, answer = api.call(
        "POST", "/v1/catalog", {"topic": "promotion", "by": manager, "items": [promo]}, token
    )
    assert status == 400 and f"no product {MATE} in the server's catalog" in answer["message"]
    bad_price = {**item, "body": {**item["body"], "price_cents": -1}}
    status, answer = api.call(
        "POST", "/v1/catalog", {"topic": "product", "by": manager, "items": [item, bad_price]},
        token,
    )  # fmt: skip
    assert status == 400 and "items[1]" in answer["message"]  # and the first is not kept
    status, answer = api.call(
        "POST", "/v1/catalog", {"topic": "payroll", "by": manager, "items": [item]}, token
    )
    assert status == 400 and "unknown catalog topic" in answer["message"]

    revoked = tui_pos(
        "server", "revoke", "--url", api.db_url, "--store", "S01", "--till", "T1",
        "--operator", "ops",
    )  # fmt: skip
    assert revoked.returncode == 0, revoked.stderr
    csv.write_text(HEADER + f"{TEA},Green tea,2.50,A,Tea,\n")
    refused = t1.run("import", "products", str(csv), "--by", "1", stdin="2468\n")
    assert refused.returncode == 1 and "revoked" in refused.stderr
    assert "nothing was changed" in refused.stderr and t1.product(TEA) is None
    with psycopg.connect(api.db_url) as conn:
        assert conn.execute("SELECT count(*) FROM catalog").fetchone() == (0,)
        refusals = conn.execute("SELECT actor FROM audit WHERE action = 'refused product'")
        assert refusals.fetchall() == [("Cy (#3, cashier)",)]
