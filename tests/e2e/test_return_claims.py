"""Return claims end (issue 14): released when the cashier abandons the return, expired
after the server's lease when the till crashed holding them, completed once by the
pushed return. Real PostgreSQL, the API as a process (``--claim-lease`` short for the
test), tills as processes (tests/e2e/webshop_till_child.py) and one through the pilot."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_webshop_api import till_step
from tests.e2e.test_webshop_till import LOAF, enroll, enrolled
from tests.support.pg_cluster import binaries_missing
from tests.support.settle import settle
from tests.support.store_server import ROOT, Api, api, cluster, url

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "url"]  # the fixtures this module uses
LEASE_S = 3  #: the test server's claim lease (the default is 15 minutes)
SOLD = "T1-000001"


@pytest.fixture
def short_lease(url: str) -> Iterator[Api]:
    server = Api(url, args=("--claim-lease", str(LEASE_S)))
    server.start()
    try:
        yield server
    finally:
        server.kill()


def sell_at_t1(server: Api, tmp_path: Path, *others: str) -> dict[str, Path]:
    """T1 sells a loaf (``T1-000001``) and pushes it; ``others`` enrolled and pushed."""
    tills = {}
    for name in ("T1", *others):
        db, _ = enroll(server, tmp_path, name)
        assert till_step(db, name, "push")[0].startswith("PUSHED")
        tills[name] = db
    assert till_step(tills["T1"], "T1", "sell", LOAF)[0] == f"SOLD 149 {SOLD}"
    return tills


def claims(server: Api) -> list[tuple[Any, ...]]:
    """Every claim: (till, qty, released, completed sale)."""
    with psycopg.connect(server.db_url) as conn:
        return conn.execute(
            "SELECT till_id, qty_milli, released_at IS NOT NULL, completed_sale "
            "FROM return_claim ORDER BY created_at"
        ).fetchall()


def token_of(db: Path) -> str:
    """The till's own token (enrolling it again would revoke it)."""
    with sqlite3.connect(db) as conn:
        return str(conn.execute("SELECT token FROM sync_state").fetchone()[0])


def left(server: Api, db: Path) -> int:
    """What the server says is left of the sold loaf, asked with the token of ``db``."""
    status, answer = server.call("GET", f"/v1/returns?document={SOLD}", token=token_of(db))
    assert status == 200, answer
    return int(answer["lines"][0]["left_milli"])


async def test_a_return_abandoned_at_the_till_frees_its_lines_at_once(
    api: Api, tmp_path: Path
) -> None:
    from tui_pos.app import build_app
    from tui_pos.screens.register import RegisterScreen
    from tui_pos.screens.returns import ReturnScreen

    tills = sell_at_t1(api, tmp_path, "T3")
    t2 = enrolled(api, tmp_path, "T2", test=True)  # a manager logged in; opened last
    try:
        app = build_app(t2)
        async with app.run_test(size=(120, 40)) as pilot:

            async def take_back_all() -> None:
                await pilot.press("ctrl+b", *SOLD, "enter")
                await settle(pilot)
                await pilot.pause()
                assert isinstance(app.screen, ReturnScreen)
                await pilot.press("f6")
                await settle(pilot)
                await pilot.pause()
                assert [ln.qty_milli for ln in t2.register.cart.lines] == [-1000]
                await pilot.press("escape")
                await pilot.pause()
                assert isinstance(app.screen, RegisterScreen)

            async def released(count: int) -> None:
                deadline = time.monotonic() + 20
                while sum(1 for c in claims(api) if c[2]) < count:
                    assert time.monotonic() < deadline, claims(api)
                    await pilot.pause(0.1)

            # claimed at T2: T3 is refused while T2 holds it
            await take_back_all()
            assert till_step(tills["T3"], "T3", "return", SOLD)[0] == (
                f"REFUSED Everything of {SOLD} was returned already"
            )
            # the cashier voids the return line: no document holds it, the release call
            # (a thread worker) frees it
            await pilot.press("f8")
            await settle(pilot)
            await pilot.pause()
            assert t2.register.cart.lines == []
            await released(1)
            assert left(api, tills["T3"]) == 1000
            # again, and the whole sale is voided this time
            await take_back_all()
            assert left(api, tills["T3"]) == 0
            await pilot.press("f9")
            await settle(pilot)
            await pilot.press("enter")  # "Void the whole sale?"
            await settle(pilot)
            await pilot.pause()
            assert t2.register.cart.lines == []
            await released(2)
    finally:
        t2.close()
    # T3 returns it now, and a completed return cannot be released
    back = till_step(tills["T3"], "T3", "return", SOLD)[0]
    assert back.startswith("RETURNED -149")
    assert [c[3] is not None for c in claims(api)] == [False, False, True]
    completed = _claim_ids(api)[-1]
    status, answer = api.call(
        "POST", "/v1/returns/release", {"claim": completed}, token=token_of(tills["T3"])
    )
    assert (status, answer["error"]) == (409, "completed")


def _claim_ids(server: Api) -> list[str]:
    with psycopg.connect(server.db_url) as conn:
        rows = conn.execute("SELECT claim_uuid FROM return_claim ORDER BY created_at").fetchall()
    return [str(r[0]) for r in rows]


def test_a_voided_sale_pushed_later_releases_its_claims(api: Api, tmp_path: Path) -> None:
    tills = sell_at_t1(api, tmp_path, "T2", "T3")
    out = till_step(tills["T2"], "T2", "abandon", SOLD)
    assert out[0] == "VOIDED" and out[1].startswith("PUSHED")  # no release call: the push
    assert claims(api) == [("T2", 1000, True, None)]
    assert till_step(tills["T3"], "T3", "return", SOLD)[0].startswith("RETURNED -149")


def test_a_claim_of_a_crashed_till_expires_after_the_lease(
    short_lease: Api, tmp_path: Path
) -> None:
    server = short_lease
    tills = sell_at_t1(server, tmp_path, "T2", "T3")
    crashed = subprocess.run(
        [sys.executable, "tests/e2e/webshop_till_child.py", str(tills["T2"]), "T2", "claim", SOLD],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert crashed.returncode == -signal.SIGKILL and crashed.stdout == "CLAIMED\n"
    refused = till_step(tills["T3"], "T3", "return", SOLD)[0]
    if refused.startswith("REFUSED"):  # (unless the lease ran out while T3 started)
        assert refused == f"REFUSED Everything of {SOLD} was returned already"
    deadline = time.monotonic() + LEASE_S + 30
    while left(server, tills["T3"]) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left(server, tills["T3"]) == 1000  # the lease ended: PostgreSQL's clock
    assert till_step(tills["T3"], "T3", "return", SOLD)[0].startswith("RETURNED -149")
    assert left(server, tills["T3"]) == 0
    # releasing another till's claim is refused (the token says which till asks)
    status, answer = server.call(
        "POST", "/v1/returns/release", {"claim": _claim_ids(server)[0]},
        token=token_of(tills["T3"]),
    )  # fmt: skip
    assert status == 403 and "another till's claim" in answer["message"]
    status, answer = server.call(
        "POST", "/v1/returns/release", {"claim": "x"}, token=token_of(tills["T3"])
    )
    assert status == 400 and answer["message"].startswith("claim:")


def test_a_completed_return_counts_once_whatever_the_retries(api: Api, tmp_path: Path) -> None:
    from tui_pos.server.claim_ends import end_pushed_claims

    tills = sell_at_t1(api, tmp_path, "T2", "T3")
    assert till_step(tills["T2"], "T2", "return", SOLD)[0].startswith("RETURNED -149")
    assert [(c[0], c[1], c[3] is not None) for c in claims(api)] == [("T2", 1000, True)]
    with psycopg.connect(api.db_url) as conn:
        rows = conn.execute(
            "SELECT data FROM chain_row WHERE till_id = 'T2' AND tbl = 'return_claim_line'"
        ).fetchall()
        assert len(rows) == 1
        pushed = tuple(tuple(r[0]) for r in rows)
        sale = claims(api)[0][3]
        for _ in range(2):  # the same rows again (a retried push): nothing counted twice
            end_pushed_claims(conn, "S01", "T2", pushed)
        conn.commit()
        done = conn.execute(
            "SELECT sum(qty_milli), count(DISTINCT completed_sale), min(completed_sale) "
            "FROM return_claim"
        ).fetchone()
    assert done == (1000, 1, sale)
    # the whole chain pushed again from the start: duplicates, the claim counts once
    with psycopg.connect(api.db_url) as conn:
        before = conn.execute("SELECT count(*) FROM document WHERE till_id = 'T2'").fetchone()
    _resend_all(tills["T2"])
    with psycopg.connect(api.db_url) as conn:
        after = conn.execute("SELECT count(*) FROM document WHERE till_id = 'T2'").fetchone()
    assert before == after
    assert left(api, tills["T3"]) == 0
    assert till_step(tills["T3"], "T3", "return", SOLD)[0] == (
        f"REFUSED Everything of {SOLD} was returned already"
    )
    with psycopg.connect(api.db_url) as conn:
        alerts = conn.execute("SELECT count(*) FROM alert WHERE kind = 'over_return'").fetchone()
    assert alerts == (0,)


def _resend_all(db: Path) -> None:
    """Forget what the server acknowledged and push again (as after a lost answer)."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sync_state SET acked_seq = 0, acked_hash = ?", ("0" * 64,))
    assert till_step(db, "T2", "level", LOAF)[-2].startswith("PUSHED")


def test_a_return_completed_after_its_lease_counts_and_raises_an_alert(
    short_lease: Api, tmp_path: Path
) -> None:
    server = short_lease
    tills = sell_at_t1(server, tmp_path, "T2", "T3")
    # T2 takes it back and refunds, then is cut off before pushing; its claim runs out
    assert till_step(tills["T2"], "T2", "return-unpushed", SOLD)[0].startswith("RETURNED -149")
    deadline = time.monotonic() + LEASE_S + 30
    while left(server, tills["T3"]) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert till_step(tills["T3"], "T3", "return", SOLD)[0].startswith("RETURNED -149")
    # T2 comes back: its return is stored all the same, and the over-return is an alert
    assert till_step(tills["T2"], "T2", "push")[0].startswith("PUSHED")
    with psycopg.connect(server.db_url) as conn:
        alerts = conn.execute(
            "SELECT till_id, message FROM alert WHERE kind = 'over_return'"
        ).fetchall()
        completed = conn.execute(
            "SELECT till_id, qty_milli FROM return_claim WHERE completed_at IS NOT NULL "
            "ORDER BY till_id"
        ).fetchall()
    assert completed == [("T2", 1000), ("T3", 1000)]  # both returns kept
    assert len(alerts) == 1 and alerts[0][0] == "T2"
    assert "after its claim ended" in alerts[0][1]
