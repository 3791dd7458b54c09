"""A customer's profile at a till of another store (issue 14): their web order and their
sale at store S01's till appear in the profile at store S02's till (history, Channel,
favourites), asked of the store server when the profile opens; offline the profile shows
this till's history and says so. Real PostgreSQL, the API as a process, S01's till as a
process, S02's till through the pilot."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from tests.e2e.test_webshop_api import WebShop, till_step
from tests.e2e.test_webshop_till import CARD, LOAF, enroll, enrolled, web_order
from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import Api, api, cluster, token_for, url

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "url"]  # the fixtures this module uses


async def test_the_profile_at_another_store_shows_every_stores_documents(
    api: Api, tmp_path: Path
) -> None:
    from rich.console import Console

    from tui_pos.app import build_app
    from tui_pos.screens.customer_profile import ProfileScreen, profile_renderable
    from tui_pos.sync.customer_history import EVERY_STORE, OFFLINE

    t1, _ = enroll(api, tmp_path, "T1")  # store S01
    assert till_step(t1, "T1", "push")[0].startswith("PUSHED")
    assert till_step(t1, "T1", "sell", LOAF, CARD)[0] == "SOLD 149 T1-000001"
    assert WebShop(api, "S01", "WEB1").post(web_order("WEB-77"))[0] == 201
    t2 = enrolled(api, tmp_path, "T2", test=True, store="S02")  # Ada is known here too
    try:
        ada = t2.customers.by_card(CARD)
        assert ada is not None
        app = build_app(t2)
        async with app.run_test(size=(120, 40)) as pilot:

            async def profile_text(until: str) -> str:
                """The profile's text once it names ``until`` (the server's answer)."""
                screen = ProfileScreen(t2.customers, ada.id, [])
                await app.push_screen(screen)
                deadline = time.monotonic() + 20
                while True:
                    await pilot.pause(0.1)
                    console = Console(width=120, record=True, file=io.StringIO())
                    if screen.profile is not None:
                        console.print(profile_renderable(screen.profile))
                    text = console.export_text()
                    if until in text or time.monotonic() > deadline:
                        await pilot.press("escape")
                        await pilot.pause()
                        return text

            text = await profile_text(EVERY_STORE)
            assert f"Recent sales and online orders ({EVERY_STORE})" in text
            cells = [[c.strip() for c in ln.split("│")] for ln in text.splitlines()]
            channel = {row[0]: row[1] for row in cells if len(row) > 2}
            assert channel.get("S01/T1-000001") == "till", text  # another store's till sale
            assert channel.get("WEB-77") == "web", text  # store S01's web order
            favourites = text.split("Favourites")[1].split("Not in today")[0]
            assert "White Loaf" in favourites  # bought in both: a favourite here too
            # offline: this till's history only, and the profile says so
            api.kill()
            text = await profile_text(OFFLINE)
            assert f"Recent sales and online orders ({OFFLINE})" in text
            assert "WEB-77" not in text and "S01/T1-000001" not in text
    finally:
        t2.close()


def test_the_history_route_checks_its_card_and_token(api: Api, tmp_path: Path) -> None:
    token = token_for(api, "S02", "T9")
    status, answer = api.call("GET", "/v1/customers/history?card=<b>", token=token)
    assert status == 400 and answer["message"].startswith("card:")
    status, answer = api.call("GET", f"/v1/customers/history?card={CARD}")
    assert status == 401
    status, answer = api.call("GET", f"/v1/customers/history?card={CARD}", token=token)
    assert (status, answer) == (200, {"card": CARD, "visits": []})
