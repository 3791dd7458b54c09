"""Fixes for two places where Textual leaves what it rendered to the cyclic garbage
collector instead of freeing it at once.

- ``Strip.divide`` caches its result on the strip, and a strip cut at its own length is
  divided into ``[self]``: the strip then holds a list holding the strip. The compositor
  does that to every full-width line it draws, so every such line (its segments and its
  seven small caches) lives until a full collection.
- ``LRUCache.clear`` drops its dictionary but not the ring its entries form (each entry
  is ``[previous, next, key, value]``, pointed to by its neighbours), so nothing cleared
  is freed by reference counting. The cart's DataTable clears its seven render caches on
  every scan, cursor move and cell update.

Together they left ~34,000 objects a 20-line sale in garbage cycles (counted with
``gc.DEBUG_SAVEALL``), waiting in the oldest generation until a full collection; the
memory they filled stayed partly used afterwards, so the register's RSS grew over sales
(issue 17; bench/README.md, "Eighth pass"). The fixed versions give the same answers:
``divide`` returns a fresh ``[self]`` without caching it (making a one-item list is what
the cache saved), ``clear`` empties each entry before Textual's own clear. Textual is
pinned to a minor range in pyproject.toml; ``tests/ui/test_render_cycles_fix.py`` checks
both against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual.cache import LRUCache
from textual.strip import Strip

_original_clear = LRUCache.clear
_original_divide = Strip.divide


def _clear(self: LRUCache[Any, Any]) -> None:
    """Textual's ``clear``, with each entry emptied first (the ring broken)."""
    for entry in self._cache.values():
        entry.clear()
    _original_clear(self)


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    """Textual's ``divide``, except that a cut at the strip's own length is not cached."""
    cell_length = self.cell_length
    kept = [cut for cut in cuts if cut <= cell_length]
    if kept == [cell_length]:
        return [self]
    return _original_divide(self, kept)


def apply() -> None:
    """Replace both methods (again: nothing more)."""
    LRUCache.clear = _clear  # type: ignore[method-assign]
    Strip.divide = _divide  # type: ignore[method-assign]
