"""Widgets that are gone do not stay in memory through Textual's styles cache (issue 17,
RSS flat across sales): see tui_pos/styles_cache_fix.py."""

from __future__ import annotations

import gc
import weakref

from textual._styles_cache import StylesCache
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import Label

from tui_pos import styles_cache_fix
from tui_pos.safe_app import SafeApp


class Cards(SafeApp[None]):
    CSS = "Label { background: $panel; } #list { background: $surface; }"

    def compose(self) -> ComposeResult:
        yield Vertical(id="list")


async def test_the_lines_of_removed_widgets_are_freed() -> None:
    app = Cards()
    caches: list[weakref.ref[StylesCache]] = []
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.query_one("#list", Vertical)
        for round_ in range(5):
            labels = [Label(f"card {round_}.{i}") for i in range(10)]
            await box.mount_all(labels)
            await pilot.pause()
            caches += [weakref.ref(label._styles_cache) for label in labels]
            await box.remove_children()
            await pilot.pause()
        del labels
        await box.mount(Label("the screen is drawn again"))  # the last frame let go
        await pilot.pause()
        gc.collect()
        alive = sum(ref() is not None for ref in caches)
    assert len(caches) == 50
    assert alive == 0, f"{alive} styles caches of removed widgets still alive"


def test_the_cached_colours_are_textuals_own() -> None:
    assert styles_cache_fix._original is not None  # the Textual pinned still has the cache
    for base, background in [
        (Color(10, 20, 30), Color(200, 100, 0, 0.5)),
        (Color(0, 0, 0), Color(255, 255, 255)),
    ]:
        ours = StylesCache.get_inner_outer(StylesCache(), base, background)
        assert ours == styles_cache_fix._original(None, base, background)
