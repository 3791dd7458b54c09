"""The sale screen holds the widgets it updates (issue 17, RSS across sales).

Looking a widget up by id (``query_one``) on every scan also stores the answer in
Textual's per-node query cache under a key that includes a count of the screen's DOM
changes. The cart's scroll bar appearing and going, and the key bar hidden while a sale
is stored, change that count several times a sale, so each sale added a dozen entries
until the cache's bound of 1,024: memory that grew sale by sale for about 90 sales. Held
widgets need no lookup, so selling leaves the cache as it was.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing

from tests.support.settle import settle
from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.screens.register import RegisterScreen

CODES = ("5900000000015", "5900000000022")  # two loaves


async def test_selling_looks_no_widget_up(demo_till: Till) -> None:
    app = build_app(demo_till)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RegisterScreen)

        async def sale() -> None:
            for n in range(14):  # more lines than the cart shows: its scroll bar comes
                await pilot.press(*CODES[n % 2], "enter")
            await pilot.press("f10", *"50", "enter")  # cash
            await settle(pilot)

        await sale()
        cached = len(screen._query_one_cache)
        await sale()
        assert len(screen._query_one_cache) == cached
    assert demo_till.register.cart.is_empty
    with closing(sqlite3.connect(demo_till.db_path)) as conn:
        stored = conn.execute("SELECT COUNT(*) FROM sale WHERE status = 'completed'").fetchone()
    assert stored == (2,)
