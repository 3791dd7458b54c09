"""A till restored from a backup older than what the store server holds may not sell
(issue 13): the register refuses payment with a clear message until the server's head
check passes; an old backup stays blocked, the newest one sells once checked. Real
PostgreSQL, the real API as a process, the till through the real bootstrap and the
Textual pilot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import Api, api, cluster, enroll_code, tui_pos, url

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "url"]  # the fixtures this module uses
SIGNED = ("--by", "1")


def item() -> str:
    from tui_pos.demo.catalog import demo_products

    return next(r["barcode"] for r in demo_products() if r["barcode"].startswith("590"))


def sell(db: Path, sales: int) -> None:
    from tui_pos.bootstrap import open_till
    from tui_pos.config import Config
    from tui_pos.demo import ensure_demo_catalog

    code = item()
    till = open_till(Config(), db)
    try:
        ensure_demo_catalog(till)
        for _ in range(sales):
            till.register.enter(code)
            assert till.register.pay_cash("") is not None
    finally:
        till.close()


async def pay_key_says(db: Path, want: str) -> str:
    """Open the register on ``db``, ring up an item, press Pay; the message line."""
    from textual.widgets import Static

    from tui_pos.app import build_app
    from tui_pos.bootstrap import open_till
    from tui_pos.config import Config
    from tui_pos.screens.dialogs import PromptScreen
    from tui_pos.screens.tender import TenderScreen

    till = open_till(Config(), db)
    app = build_app(till)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.register_screen
            for _ in range(200):  # the head check runs in the link's thread
                app._poll_sync()
                await app.workers.wait_for_complete()
                await pilot.pause(0.05)
                if want in (screen.selling_blocked or "ok"):
                    break
            await pilot.press(*"1", "enter", *"2468", "enter")
            await pilot.pause()
            if isinstance(app.screen, PromptScreen):  # the opening float
                await pilot.press("0", "enter")
                await pilot.pause()
            await pilot.press(*item(), "enter")
            await pilot.press("f10")
            await pilot.pause(0.1)
            if isinstance(app.screen, TenderScreen):
                return "tender opened"
            return str(screen.query_one("#message", Static).render())
    finally:
        till.close()


async def test_an_old_backup_may_not_sell_until_the_newest_is_restored(
    api: Api, tmp_path: Path
) -> None:
    db = tmp_path / "till.db"
    done = tui_pos(
        "--db", str(db), "sync", "enroll", api.base, enroll_code(api.db_url, "S01", "T1")
    )
    assert done.returncode == 0, done.stderr
    staff = tui_pos(
        "--db", str(db), "staff", "add", "--number", "1", "--name", "Ann", "--role", "manager",
        stdin="2468\n2468\n",
    )  # fmt: skip
    assert staff.returncode == 0, staff.stderr
    sell(db, 2)
    old = tmp_path / "old.db"
    assert (
        tui_pos("--db", str(db), "db", "backup", str(old), *SIGNED, stdin="2468\n").returncode == 0
    )
    sell(db, 3)
    assert tui_pos("--db", str(db), "sync", "now").returncode == 0
    newest = tmp_path / "newest.db"
    assert (
        tui_pos("--db", str(db), "db", "backup", str(newest), *SIGNED, stdin="2468\n").returncode
        == 0
    )

    restored = tmp_path / "restored.db"
    done = tui_pos("--db", str(restored), "db", "restore", str(old), str(restored))
    assert done.returncode == 0, done.stderr
    assert "it sells again once the server confirms" in done.stderr

    api.kill()  # offline: a restored database waits for the check
    said = await pay_key_says(restored, "restored from a backup")
    assert said.startswith("Selling is blocked: this database was restored from a backup")
    api.start()  # online: the server holds more than this backup
    said = await pay_key_says(restored, "holds documents")  # (it sold nothing, but the
    # log-ins of both runs were stored: its chain is longer than the server's and forked)
    assert said.startswith("Selling is blocked: the server holds documents up to")
    assert "restore the newest" in said
    status = tui_pos("--db", str(restored), "sync", "status")
    assert "conflict" in status.stdout

    done = tui_pos(
        "--db",
        str(restored),
        "db",
        "restore",
        str(newest),
        str(restored),
        "--replace",
        *SIGNED,
        stdin="2468\n",
    )
    assert done.returncode == 0, done.stderr
    assert await pay_key_says(restored, "ok") == "tender opened"  # checked: it sells
