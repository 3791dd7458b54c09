"""What Textual rendered is freed at once, not left to the cyclic collector (issue 17,
RSS over sales): see tui_pos/render_cycles_fix.py."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.cache import LRUCache
from textual.strip import Strip
from textual.widgets import DataTable

from tui_pos import render_cycles_fix
from tui_pos.safe_app import SafeApp


class Value:
    """A cached value a weak reference can follow."""


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_cleared_entries_are_freed_by_reference_counting(collector_off: None) -> None:
    cache: LRUCache[int, Value] = LRUCache(10)
    values = [Value() for _ in range(5)]
    refs = [weakref.ref(v) for v in values]
    for key, value in enumerate(values):
        cache.set(key, value)
    del values, value
    cache.clear()
    assert [r() for r in refs] == [None] * 5


def test_a_cleared_cache_works_as_textuals_does() -> None:
    """The same operations on our cache and on one cleared Textual's way give the same
    answers (eviction, lengths, hits after a clear)."""
    ours: LRUCache[int, str] = LRUCache(3)
    theirs: LRUCache[int, str] = LRUCache(3)

    def both(step: str, key: int) -> tuple[object, object]:
        if step == "set":
            ours.set(key, str(key))
            theirs.set(key, str(key))
            return len(ours), len(theirs)
        if step == "get":
            return ours.get(key), theirs.get(key)
        ours.clear()
        render_cycles_fix._original_clear(theirs)
        return len(ours), len(theirs)

    steps = [("set", k) for k in range(5)] + [("get", k) for k in range(5)]
    steps += [("clear", 0)] + [("set", k) for k in (7, 8, 7, 9, 10)]
    steps += [("get", k) for k in (7, 8, 9, 10)] + [("clear", 0), ("get", 7), ("set", 1)]
    for step, key in steps:
        a, b = both(step, key)
        assert a == b, (step, key)
    assert list(ours.keys()) == list(theirs.keys())


class Table(SafeApp[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


def test_a_strip_cut_at_its_length_is_not_kept_in_a_cycle(collector_off: None) -> None:
    _strips_left_to_the_collector()
    strip = Strip([Segment("total 12.50")])
    assert strip.divide([strip.cell_length]) == [strip]
    del strip
    assert _strips_left_to_the_collector() == 0


def test_strips_divide_as_textuals_do() -> None:
    strip = Strip([Segment("Oat milk 1L", Style(bold=True)), Segment("  2 x 1.49")])
    n = strip.cell_length
    for cuts in ([n], [3, n], [4, 8, n], [n, n + 5], [n + 5], [], [0, n], [2]):
        ours = strip.divide(cuts)
        theirs = render_cycles_fix._original_divide(Strip(strip, n), cuts)
        assert [(s.text, s.cell_length) for s in ours] == [
            (s.text, s.cell_length) for s in theirs
        ], cuts
    assert strip.divide(iter([3, n])) == strip.divide([3, n])  # any iterable, once


def _strips_left_to_the_collector() -> int:
    """Strips (rendered lines) in garbage cycles now: collected with everything saved."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return sum(isinstance(o, Strip) for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()  # saved, they were not freed: now they are


@pytest.mark.parametrize("fixed", [True, False])
async def test_a_tables_renders_go_when_its_caches_are_cleared(
    fixed: bool, collector_off: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DataTable clears its render caches on every change (a row, a cell, the cursor,
    the whole table): with the fix nothing it rendered is left for the cyclic collector
    (without it, every cached line is)."""
    if not fixed:
        monkeypatch.setattr(LRUCache, "clear", render_cycles_fix._original_clear)
        monkeypatch.setattr(Strip, "divide", render_cycles_fix._original_divide)
    app = Table()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("Item", "Qty", "Amount")
        for row in range(15):
            table.add_row(f"item {row}", "1", f"{row}.99")
            await pilot.pause()
        _strips_left_to_the_collector()  # what the start left
        cached = len(table._line_cache)
        assert cached >= 15  # rendered and cached
        table.clear()  # as the cart does when a sale ends (a scan: update_cell, add_row)
        left = _strips_left_to_the_collector()
    if fixed:
        assert left == 0, (left, cached)
    else:
        assert left >= cached, left
