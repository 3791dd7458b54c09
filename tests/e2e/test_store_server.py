"""The store server for real: PostgreSQL 15 started by the tests, the API as a process,
tills as processes through the real bootstrap, faults (API SIGKILL, PostgreSQL stopped
with ``-m immediate``) and the refusals a till or an intruder meets."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.support.pg_cluster import Cluster, binaries_missing
from tests.support.store_server import (
    ROOT,
    Api,
    api,
    chain,
    cluster,
    enroll_code,
    token_for,
    tui_pos,
    url,
)
from tests.support.tcp_proxy import Proxy

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "url"]  # the fixtures this module uses


def test_init_is_versioned_and_a_newer_schema_is_refused(url: str) -> None:
    from tui_pos.server.schema import LATEST

    again = tui_pos("server", "init", "--url", url)
    assert again.returncode == 0 and "applied: none" in again.stdout
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version (version, name) VALUES (99, 'future')")
    refused = tui_pos(
        "server", "enroll", "--url", url, "--store", "S1", "--till", "T1", "--operator", "x"
    )
    assert refused.returncode == 1
    assert f"schema version 99, this tui-pos needs {LATEST}: upgrade tui-pos" in refused.stderr
    unreachable = tui_pos("server", "init", "--url", "postgresql://nobody@/x?host=/nonexistent")
    assert unreachable.returncode == 1 and "server database:" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr


def test_a_lower_schema_version_landing_later_is_required_and_applied(url: str) -> None:
    """Versions are reserved per branch: a database at 1, 2 and 6 lacks 4 (the web shop's)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "DROP TABLE web_order_collected, web_order_line, web_order_contact, web_order, "
            "web_shop, return_claim; ALTER TABLE loyalty_ledger DROP COLUMN created_at; "
            "DELETE FROM schema_version WHERE version = 4"
        )
    enroll = ("server", "enroll", "--url", url, "--store", "S1", "--till", "T1", "--operator", "x")
    refused = tui_pos(*enroll)
    assert refused.returncode == 1
    assert "lacks schema version 4: run 'tui-pos server init" in refused.stderr
    init = tui_pos("server", "init", "--url", url)
    assert init.returncode == 0 and "applied: 4 (web shops" in init.stdout
    assert tui_pos(*enroll).returncode == 0


def test_push_is_idempotent_gapless_and_checks_the_chain(api: Api) -> None:
    token = token_for(api, "S01", "T1")
    docs = chain(5)
    push = {"store": "S01", "till": "T1", "documents": docs[:3]}
    status, first = api.call("POST", "/v1/push", push, token)
    assert (status, first["acked_seq"], first["stored"]) == (200, 3, 3)
    # the answer was lost: the same batch again, then the rest
    status, again = api.call("POST", "/v1/push", push, token)
    assert (status, again["stored"], again["duplicates"]) == (200, 0, 3)
    status, rest = api.call("POST", "/v1/push", {**push, "documents": docs[2:]}, token)
    assert (status, rest["acked_seq"], rest["stored"], rest["duplicates"]) == (200, 5, 2, 1)
    assert rest["acked_hash"] == docs[-1]["mac"]
    # a gap is refused with the head to continue from
    later = chain(2, (6, docs[-1]["mac"]))
    status, gap = api.call("POST", "/v1/push", {**push, "documents": later}, token)
    assert (status, gap["error"], gap["head_seq"]) == (409, "gap", 5)
    status, head = api.call("GET", "/v1/head", token=token)
    assert (head["head_seq"], head["head_hash"]) == (5, docs[-1]["mac"])
    with psycopg.connect(api.db_url) as conn:
        seqs = [r[0] for r in conn.execute("SELECT seq FROM document ORDER BY seq")]
        stock = conn.execute("SELECT sum(qty_milli) FROM stock_ledger").fetchone()
    assert seqs == [1, 2, 3, 4, 5]
    assert stock is not None and stock[0] == -5 * 2000


def test_a_forked_chain_is_a_conflict_that_stops_the_till(api: Api) -> None:
    token = token_for(api, "S01", "T1")
    api.call("POST", "/v1/push", {"store": "S01", "till": "T1", "documents": chain(2)}, token)
    forked = chain(3, tag="b")  # another document 1, 2, 3 (a restored backup sold again)
    status, answer = api.call(
        "POST", "/v1/push", {"store": "S01", "till": "T1", "documents": forked}, token
    )
    assert (status, answer["error"]) == (409, "conflict")
    assert "holds another entry 1" in answer["message"]
    # stopped: even a correct continuation is refused until a manager clears it
    good = chain(1, (2, chain(2)[-1]["mac"]))
    status, stopped = api.call(
        "POST", "/v1/push", {"store": "S01", "till": "T1", "documents": good}, token
    )
    assert (status, stopped["error"]) == (409, "conflict")
    alerts = tui_pos("server", "alerts", "--url", api.db_url, "--operator", "ops")
    assert alerts.returncode == 0 and "S01 T1 conflict" in alerts.stdout
    cleared = tui_pos(
        "server",
        "clear-conflict",
        "--url",
        api.db_url,
        "--store",
        "S01",
        "--till",
        "T1",
        "--operator",
        "manager",
    )
    assert cleared.returncode == 0
    status, ok = api.call(
        "POST", "/v1/push", {"store": "S01", "till": "T1", "documents": good}, token
    )
    assert (status, ok["acked_seq"]) == (200, 3)
    with psycopg.connect(api.db_url) as conn:
        assert conn.execute("SELECT count(*) FROM document").fetchone() == (3,)
        actors = [r[0] for r in conn.execute("SELECT actor FROM audit ORDER BY id")]
    assert actors[-1] == "manager"


def declared_too_large(api: Api, token: str) -> tuple[int, dict[str, Any]]:
    """A push announcing 5 MB: refused from its headers, before the body is read."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    conn.putrequest("POST", "/v1/push")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Length", str(5 * 1024 * 1024))
    conn.endheaders()
    answer = conn.getresponse()
    try:
        return answer.status, json.loads(answer.read())
    finally:
        conn.close()


def test_refusals(api: Api) -> None:
    token = token_for(api, "S01", "T1")
    other = token_for(api, "S01", "T2")
    push = {"store": "S01", "till": "T1", "documents": chain(1)}
    tampered = chain(1)[0]
    tampered["row_texts"][0] = tampered["row_texts"][0].replace("100", "1")
    cases = [
        (api.call("POST", "/v1/enroll", {"code": "NOPE"}), 403, "unknown, used or expired"),
        (api.call("POST", "/v1/push", push), 401, "enroll this till"),
        (api.call("POST", "/v1/push", push, "forged"), 401, "does not know this till"),
        (api.call("POST", "/v1/push", push, other), 403, "belongs to till T2"),
        (api.call("POST", "/v1/push", raw=b"{not json", token=token), 400, "not JSON"),
        (
            api.call("POST", "/v1/push", {**push, "documents": [{"seq": "1"}]}, token),
            400,
            "documents[0]: 'seq'",
        ),
        (
            api.call("POST", "/v1/push", {**push, "documents": [tampered]}, token),
            400,
            "do not match the entry's digest",
        ),
        (declared_too_large(api, token), 413, "too large"),
        (
            api.call("POST", "/v1/push", {**push, "documents": chain(501)}, token),
            413,
            "more than 500 documents",
        ),
        (api.call("GET", "/v2/push", token=token), 404, "serves API v1, not v2"),
    ]
    for (status, answer), want_status, want_text in cases:
        assert status == want_status, answer
        assert want_text in answer["message"]
    revoked = tui_pos(
        "server",
        "revoke",
        "--url",
        api.db_url,
        "--store",
        "S01",
        "--till",
        "T1",
        "--operator",
        "ops",
    )
    assert revoked.returncode == 0
    status, answer = api.call("POST", "/v1/push", push, token)
    assert status == 401 and "revoked" in answer["message"]
    with psycopg.connect(api.db_url) as conn:
        assert conn.execute("SELECT count(*) FROM document").fetchone() == (0,)


def test_change_feed_serves_other_tills_rows_below_the_oldest_open_transaction(api: Api) -> None:
    t1, t2 = token_for(api, "S01", "T1"), token_for(api, "S01", "T2")
    api.call("POST", "/v1/push", {"store": "S01", "till": "T1", "documents": chain(2)}, t1)
    status, feed = api.call("GET", "/v1/changes?after=0:0", token=t2)
    assert status == 200 and [c["till"] for c in feed["changes"]] == ["T1", "T1"]
    assert {c["body"]["qty_milli"] for c in feed["changes"]} == {-2000}
    _, own = api.call("GET", "/v1/changes?after=0:0", token=t1)
    assert own["changes"] == [] and own["cursor"] == feed["cursor"]
    # a transaction left open holds back every row written after it started
    with psycopg.connect(api.db_url) as slow:
        slow.execute("SELECT pg_current_xact_id()")
        slow.execute(
            "INSERT INTO change (store_id, topic, key, body) VALUES ('S01', 'price', 'x', '{}')"
        )
        api.call(
            "POST",
            "/v1/push",
            {"store": "S01", "till": "T1", "documents": chain(1, (2, chain(2)[-1]["mac"]))},
            t1,
        )
        _, held = api.call("GET", f"/v1/changes?after={feed['cursor']}", token=t2)
        assert held["changes"] == []
        slow.commit()
    _, after = api.call("GET", f"/v1/changes?after={feed['cursor']}", token=t2)
    assert [c["topic"] for c in after["changes"]] == ["price", "stock"]
    status, bad = api.call("GET", "/v1/changes?after=zz", token=t2)
    assert status == 400 and "cursor" in bad["message"]


def server_stock(conn: Any) -> dict[str, int]:
    rows = conn.execute(
        "SELECT product_code, sum(qty_milli)::bigint FROM stock_ledger GROUP BY product_code"
    ).fetchall()
    # products without a barcode (PLU only) are '#id', local to a till: not compared
    return {code: int(total) for code, total in rows if total and not code.startswith("#")}


def till_stock(db: Path) -> dict[str, int]:
    """Every product's level at a till: its own movements and the other tills' (pulled)."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT b.code, sum(m.qty_milli) FROM stock_movement m JOIN (SELECT product_id, "
            "min(code) AS code FROM barcode GROUP BY product_id) b "
            "ON b.product_id = m.product_id GROUP BY b.code"
        ).fetchall()
    return {code: int(total) for code, total in rows if total}


def start_till(db: Path, till: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "tests/e2e/sync_till_child.py", str(db), till],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_till_processes_sync_through_faults(api: Api, cluster: Cluster, tmp_path: Path) -> None:
    proxy = Proxy(api.port)
    base = f"http://127.0.0.1:{proxy.port}"
    tills, configs = {}, {}
    for till in ("T1", "T2"):
        db, config = tmp_path / f"{till}.db", tmp_path / f"{till}.toml"
        config.write_text(f'[store]\ntill = "{till}"\n')
        code = enroll_code(api.db_url, "S01", till)
        bad = tui_pos("--config", str(config), "--db", str(db), "sync", "enroll", base, "WRONG")
        assert bad.returncode == 1 and "enrollment refused" in bad.stderr
        done = tui_pos("--config", str(config), "--db", str(db), "sync", "enroll", base, code)
        assert done.returncode == 0, done.stderr
        tills[till], configs[till] = db, config
    procs = {till: start_till(db, till) for till, db in tills.items()}
    faults = ["refuse", "blackhole", "cut", "api", "cut", "till", "refuse", "postgres", "cut"]
    for proc in procs.values():  # the tills are selling
        assert proc.stdout is not None and proc.stdout.readline().startswith("OK ")
    marks = []
    for fault in faults:
        marks.append((round(time.monotonic(), 1), fault))
        time.sleep(0.4)
        if fault == "api":  # the API dies mid-push
            api.kill()
            time.sleep(0.3)
            api.start()
        elif fault == "postgres":  # PostgreSQL crashes: 503 until it is back
            cluster.stop("immediate")
            time.sleep(0.3)
            cluster.start()
        elif fault == "till":  # a till dies anywhere, even between ack and saving it
            procs["T1"].send_signal(signal.SIGKILL)
            procs["T1"].wait(10)
            procs["T1"] = start_till(tills["T1"], "T1")
            assert procs["T1"].stdout is not None and procs["T1"].stdout.readline()
        else:
            proxy.set_mode(fault)
            time.sleep(1.0)
            proxy.set_mode("pass")
    time.sleep(0.5)
    for db in tills.values():
        db.with_name(db.name + ".stop").touch()
    outputs = {till: proc.communicate(timeout=180)[0] for till, proc in procs.items()}
    for till, out in outputs.items():
        assert procs[till].returncode == 0, out
        assert "DRAINED" in out
    assert all(proxy.seen[mode] for mode in ("refuse", "blackhole", "cut")), (marks, proxy.log)
    for config, db in zip(configs.values(), tills.values(), strict=True):
        done = tui_pos("--config", str(config), "--db", str(db), "sync", "now")
        assert done.returncode == 0, done.stderr
    with psycopg.connect(api.db_url) as conn:
        for till, db in tills.items():
            with closing(sqlite3.connect(db)) as local:
                entries = local.execute("SELECT seq, mac, mac FROM chain ORDER BY seq")
                local_rows = [tuple(r) for r in entries]
            server_rows = [
                tuple(r)
                for r in conn.execute(
                    "SELECT seq, uuid, hash FROM document WHERE till_id = %s ORDER BY seq",
                    (till,),
                )
            ]
            # every document exactly once, (till, seq) gapless, the same chain head
            assert server_rows == local_rows and len(local_rows) >= 20
        total = server_stock(conn)
    for db in tills.values():
        held = till_stock(db)
        assert held == total, {
            k: (held.get(k), total.get(k))
            for k in held.keys() | total.keys()
            if held.get(k) != total.get(k)
        }
    for config, db in zip(configs.values(), tills.values(), strict=True):
        status = tui_pos("--config", str(config), "--db", str(db), "sync", "status")
        assert status.returncode == 0 and status.stdout.strip().endswith(": online"), status
    proxy.close()


async def test_register_top_bar_shows_the_sync_state(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.settle import settle
    from tui_pos.app import build_app
    from tui_pos.bootstrap import open_till
    from tui_pos.config import Config
    from tui_pos.flows import links

    monkeypatch.setattr(links, "SYNC_STATUS_SECONDS", 0.1)
    db = tmp_path / "till.db"
    done = tui_pos(
        "--db", str(db), "sync", "enroll", api.base, enroll_code(api.db_url, "S01", "T1")
    )
    assert done.returncode == 0, done.stderr
    till = open_till(Config(), db)
    app = build_app(till)

    async def until(want: str) -> None:
        for _ in range(300):
            if want in app.register_screen.store_bar.sync_status:
                return
            await pilot.pause(0.05)
        raise AssertionError(
            f"top bar: {app.register_screen.store_bar.sync_status!r}, wanted {want!r}"
        )

    async with app.run_test(size=(120, 40)) as pilot:
        await until("sync: online")
        api.kill()
        await until("sync: offline since")
        api.start()
        await until("sync: online")
        await settle(pilot)  # the log-in screen's flow waits for a cashier
    till.close()


def test_server_reports_by_till_item_tender_tax_day(api: Api) -> None:
    for till, tag in (("T1", "a"), ("T2", "b")):
        token = token_for(api, "S01", till)
        docs = chain(3, tag=tag)
        status, _ = api.call(
            "POST", "/v1/push", {"store": "S01", "till": till, "documents": docs}, token
        )
        assert status == 200

    def report(by: str, *extra: str) -> dict[str, Any]:
        done = tui_pos(
            "server",
            "report",
            by,
            "--url",
            api.db_url,
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-02",
            "--format",
            "json",
            "--operator",
            "ops",
            *extra,
        )
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    tills = report("till")
    assert [(r["key"], r["sales"], r["total_cents"]) for r in tills["rows"]] == [
        ("S01 T1", 3, 300),
        ("S01 T2", 3, 300),
    ]
    assert tills["totals"]["total_cents"] == 600
    item = report("item", "--store", "S01")["rows"]
    assert item == [{"key": "5900000000017", "name": "Tea", "qty": 12000, "net_cents": 600}]
    assert report("tender")["rows"] == [{"key": "cash", "payments": 6, "amount_cents": 600}]
    assert report("tax")["rows"] == [{"key": "A", "base_cents": 498, "tax_cents": 102}]
    days = report("day")["rows"]
    assert [(r["key"], r["sales"]) for r in days] == [("2026-12-01", 2), ("2026-12-02", 4)]
    assert report("till", "--store", "S99")["rows"] == []
    csv = tui_pos(
        "server",
        "report",
        "employee",
        "--url",
        api.db_url,
        "--from",
        "2026-12-01",
        "--format",
        "csv",
        "--operator",
        "ops",
    )
    assert csv.returncode == 0 and "E1" in csv.stdout
    unsigned = tui_pos("server", "report", "till", "--url", api.db_url)
    assert unsigned.returncode == 2 and "--operator" in unsigned.stderr
