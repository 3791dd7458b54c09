"""The till on a Linux console (TERM=linux, 16 colours, a Latin-only VT font).

A VT font has ASCII and a few box characters, none of the block glyphs Textual draws its
``round``/``tall``/``thick`` borders, scrollbar thumbs and key names with (▔▁▎▊▀▄ ⏎ ↑).
In ASCII mode the app loads ``styles/ascii.tcss`` (ASCII borders), draws scrollbars as
plain coloured cells, names keys in words and uses the ANSI theme (the console's own 16
colours, so every pair of colours was chosen for such a palette).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from textual.scrollbar import ScrollBar, ScrollBarRender

ASCII_STYLES = Path(__file__).parent.parent / "styles" / "ascii.tcss"

#: The theme for a 16-colour console: the terminal's own ANSI colours.
ASCII_THEME = "ansi-dark"

#: Key names a VT font can show (Textual draws some as arrows and symbols).
KEY_WORDS = {
    "up": "Up",
    "down": "Down",
    "left": "Left",
    "right": "Right",
    "enter": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "space": "Space",
    "backspace": "Bksp",
    "delete": "Del",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
}


def wants_ascii(configured: bool, environ: Mapping[str, str]) -> bool:
    """ASCII mode: asked for in the config (``[display] ascii``) or a Linux console."""
    term = environ.get("TERM", "")
    return configured or term == "linux" or term.startswith("vt")


def key_word(key: str) -> str | None:
    """A key's name in words (``up`` -> ``Up``), or None when it reads well as it is."""
    if key in KEY_WORDS:
        return KEY_WORDS[key]
    if key.startswith("f") and key[1:].isdigit():
        return key.upper()
    return None


class PlainScrollBarRender(ScrollBarRender):
    """A scrollbar of whole coloured cells (spaces): no partial-block glyphs."""

    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


def use_plain_scrollbars() -> None:
    """Draw every scrollbar with whole cells (Textual's documented way: a renderer class)."""
    ScrollBar.renderer = PlainScrollBarRender
