"""The key bar: one widget that packs the screen's keys into two rows, follows the screen's
bindings and takes taps (a touch till)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual import app as app_module
from textual import keys as textual_keys
from textual import screen as screen_module
from textual.binding import Binding

from tui_pos import key_lookup_fix
from tui_pos.app import PosApp, build_app
from tui_pos.bootstrap import Till
from tui_pos.keymap_check import all_screens, screen_bindings
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


def test_every_key_is_shown_as_textual_shows_it() -> None:
    """Function keys, letters and digits are shown without Textual's Unicode name look-up
    (it reads the name tables into memory), and exactly as Textual would show them."""
    assert app_module.format_key is key_lookup_fix.format_key  # type: ignore[attr-defined]
    seen = 0
    for screen in all_screens():
        for binding in screen_bindings(screen, PosApp.BINDINGS):
            for key in binding.key.split(","):
                _modifiers, name = replace(binding, key=key.strip()).parse_key()
                assert key_lookup_fix.format_key(name) == textual_keys.format_key(name), key
                seen += 1
    assert seen > 100
    for key in ("ctrl+e", "f12", "shift+f3", "escape", "enter", "ctrl+question_mark", "7"):
        _modifiers, name = Binding(key, "x").parse_key()
        assert key_lookup_fix.format_key(name) == textual_keys.format_key(name), key


def test_keys_that_are_no_character_are_answered_as_textual_answers() -> None:
    """key_lookup_fix answers without Unicode's name tables, and as Textual does."""
    assert screen_module.key_to_character is key_lookup_fix.key_to_character  # type: ignore[attr-defined]
    names = [*key_lookup_fix.KNOWN, *(f"f{n}" for n in range(1, 25))]
    for key in [*names, "a", "7", "space", "full_stop", "ctrl+a", "question_mark", "plus"]:
        assert key_lookup_fix.key_to_character(key) == textual_keys.key_to_character(key), key
