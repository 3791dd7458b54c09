"""A fix for Textual's styles cache, which keeps every widget's rendered lines alive.

``textual._styles_cache.StylesCache.get_inner_outer`` is an instance method under
``functools.lru_cache(1024)``: the cache key holds ``self``, so the StylesCache of every
widget ever rendered (up to 1024 of them, with their cached lines, ``Strip`` objects and
each strip's seven small caches) stays alive after the widget is gone. The register
makes and drops widgets with every sale (the payment dialog, the key bar's keys), so RSS
grew by about 1 MB per 20-line sale until the cache was full (issue 17; Textualize/textual
issue 6665). The result depends only on the two colours, so the same cache keyed by the
colours alone gives the same answers and holds no widget. Textual is pinned to a minor
range in pyproject.toml; ``tests/ui/test_styles_cache_fix.py`` checks this against it.
"""

from __future__ import annotations

from functools import lru_cache

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.style import Style

_original = getattr(StylesCache.get_inner_outer, "__wrapped__", None)


@lru_cache(1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    """Textual's own computation, cached by the colours only."""
    assert _original is not None
    result: tuple[Style, Style] = _original(None, base_background, background)
    return result


def _get_inner_outer(
    _self: StylesCache, base_background: Color, background: Color
) -> tuple[Style, Style]:
    return _inner_outer(base_background, background)


def apply() -> None:
    """Replace the method (once; a Textual without the leaking cache is left alone)."""
    if _original is not None and StylesCache.get_inner_outer is not _get_inner_outer:
        StylesCache.get_inner_outer = _get_inner_outer  # type: ignore[method-assign,assignment]
