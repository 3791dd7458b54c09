"""The key bar: one widget that packs the screen's keys into two rows, follows the screen's
bindings and takes taps (a touch till)."""

from __future__ import annotations

import pytest

from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.screens.register import RegisterScreen
from tui_pos.screens.search import SearchScreen
from tui_pos.widgets.keys_bar import KeysBar

LOAF = "5900000000015"  # a demo product


def _bar(app: object) -> KeysBar:
    return app.screen.query_one(KeysBar)  # type: ignore[attr-defined]


def _dimmed(bar: KeysBar, key: str) -> bool:
    """Whether ``key`` (as shown) is drawn dimmed in the bar."""
    text = bar.render()
    start = text.plain.index(key + " ")
    return any(
        span.start <= start < span.end and getattr(span.style, "dim", False) for span in text.spans
    )


async def test_the_register_shows_its_keys_in_two_rows_help_first(demo_till: Till) -> None:
    app = build_app(demo_till)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = _bar(app)
        rows = bar.render().plain.split("\n")
        assert len(rows) == 2 and bar.size.height == 2
        assert rows[0].startswith("f1 Help f2 Find")
        assert all(len(row) <= 80 for row in rows)
        assert not bar.children  # one widget, not one per key
        await pilot.resize_terminal(300, 40)
        await pilot.pause()
        assert bar.size.height == 1  # wide enough: one row


async def test_keys_that_do_not_apply_are_dimmed_until_they_do(demo_till: Till) -> None:
    app = build_app(demo_till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert _dimmed(_bar(app), "f10")  # nothing to pay
        assert not _dimmed(_bar(app), "f2")
        await pilot.press(*LOAF, "enter")
        await pilot.pause()
        assert not _dimmed(_bar(app), "f10")


async def test_a_tap_on_a_key_presses_it_and_a_dimmed_key_rings(
    demo_till: Till, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build_app(demo_till)
    bells: list[bool] = []
    monkeypatch.setattr(app, "bell", lambda: bells.append(True))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        plain = _bar(app).render().plain
        await pilot.click(KeysBar, offset=(plain.index("f10") + 1, 0))
        await pilot.pause()
        assert bells == [True] and isinstance(app.screen, RegisterScreen)
        await pilot.click(KeysBar, offset=(plain.index("Find"), 0))
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        assert bells == [True]
