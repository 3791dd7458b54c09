"""Tax codes managed at the store server (issue 13): ``tax set`` on an enrolled till is a
signed change at the server (role checked, audited) that every till applies from the
feed; a restart does not put the config's rate back; the server refuses a bad code, a bad
rate and a role that may not. Real PostgreSQL, the API as a process, tills as processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_store_catalog import HEADER, MATE, shop
from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import Api, api, cluster, token_for, url

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "url"]  # the fixtures this module uses

RATES = "SELECT code, rate_bp, source FROM tax_code WHERE source <> 'config' ORDER BY code"


def test_a_tax_code_set_at_one_till_reaches_every_till(api: Api, tmp_path: Path) -> None:
    t1, t2 = shop(api, tmp_path, "T1", "T2")
    done = t1.run("tax", "set", "B", "--rate", "7", "--by", "1", stdin="2468\n")
    assert done.returncode == 0, done.stderr
    assert "tax B 7% sent to the store server" in done.stdout
    assert t1.query(RATES) == [("B", 700, "server")]  # the sending till applied the feed
    assert t2.query(RATES) == []
    assert t2.run("sync", "now").returncode == 0
    assert t2.query(RATES) == [("B", 700, "server")]
    listed = t2.run("tax", "list")  # a start of T2: the config (5.5 %) does not win
    assert listed.returncode == 0 and "B  7%  Reduced  (server)" in listed.stdout

    new = t2.run("tax", "set", "C", "--rate", "12.5", "--name", "Deli", "--by", "1", stdin="2468\n")
    assert new.returncode == 0, new.stderr
    assert t1.run("sync", "now").returncode == 0
    csv = tmp_path / "products.csv"  # a product with the new code, imported at T1
    csv.write_text(HEADER + f"{MATE},Mate,3.10,C,Tea,\n")
    sent = t1.run("import", "products", str(csv), "--by", "1", stdin="2468\n")
    assert sent.returncode == 0, sent.stderr
    assert t2.run("sync", "now").returncode == 0
    for till in (t1, t2):
        assert till.query(RATES) == [("B", 700, "server"), ("C", 1250, "server")]
        assert till.query("SELECT tax_code FROM product WHERE name = 'Mate'") == [("C",)]

    cashier = t1.run("tax", "set", "B", "--rate", "9", "--by", "3", stdin="9024\n")
    assert cashier.returncode == 1 and "may not do this" in cashier.stderr
    with psycopg.connect(api.db_url) as conn:
        taxes = conn.execute("SELECT key, body FROM catalog WHERE topic = 'tax' ORDER BY key")
        assert taxes.fetchall() == [
            ("B", {"name": "Reduced", "rate_bp": 700}),
            ("C", {"name": "Deli", "rate_bp": 1250}),
        ]
        audit = conn.execute("SELECT actor, action FROM audit WHERE action = 'catalog tax'")
        assert audit.fetchall() == [("Ann (#1, manager)", "catalog tax")] * 2


def test_the_server_refuses_a_bad_tax_change(api: Api, tmp_path: Path) -> None:
    token = token_for(api, "S01", "T9")
    manager = {"id": 1, "name": "Ann", "role": "manager"}
    good = {"key": "B", "body": {"name": "Reduced", "rate_bp": 700}}
    for item, message in (
        ({**good, "body": {"name": "Reduced", "rate_bp": 10_001}}, "'rate_bp' must be"),
        ({**good, "body": {"name": "Reduced", "rate_bp": "7"}}, "'rate_bp' must be"),
        ({**good, "key": "B C"}, "a tax code is 1-8 letters or digits"),
        ({**good, "body": {"name": "", "rate_bp": 700}}, "'name' must be"),
    ):
        status, answer = api.call(
            "POST", "/v1/catalog", {"topic": "tax", "by": manager, "items": [good, item]}, token
        )
        assert status == 400 and "items[1]" in answer["message"] and message in answer["message"]
    cashier = {"id": 3, "name": "Cy", "role": "cashier"}
    status, answer = api.call(
        "POST", "/v1/catalog", {"topic": "tax", "by": cashier, "items": [good]}, token
    )
    assert status == 403 and "may not change the tax catalog" in answer["message"]
    with psycopg.connect(api.db_url) as conn:
        assert conn.execute("SELECT count(*) FROM catalog").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM change WHERE topic = 'tax'").fetchone() == (0,)
