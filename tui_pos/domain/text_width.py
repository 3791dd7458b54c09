"""Text measured in terminal cells (display width), not in characters.

A CJK character takes two cells on a screen and on a receipt printer's text line, a
combining accent none: padding or cutting with ``len()`` pushed amounts past the paper's
edge. Standard library only (the domain stays plain Python); it agrees with
``rich.cells.cell_len`` on the text a till prints (tests compare the two).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ELLIPSIS = "…"


@lru_cache(maxsize=4096)
def char_width(char: str) -> int:
    """Cells one character takes: 2 for wide/full-width, 0 for combining and control."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Cc", "Cf", "Mn", "Me", "Mc"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """Cells ``text`` takes on a terminal or a receipt line."""
    if text.isascii():
        return len(text) if text.isprintable() else sum(char_width(c) for c in text)
    return sum(char_width(c) for c in text)


def fit(text: str, width: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` cut to at most ``width`` cells, ending in an ellipsis when it was cut."""
    if width <= 0:
        return ""
    if cell_width(text) <= width:
        return text
    room = width - cell_width(ellipsis)
    if room < 0:
        return ""
    out: list[str] = []
    used = 0
    for char in text:
        w = char_width(char)
        if used + w > room:
            break
        out.append(char)
        used += w
    return "".join(out) + ellipsis


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` fitted into exactly ``width`` cells (padded with spaces, cut if longer);
    ``right`` aligns it to the right."""
    fitted = fit(text, width)
    gap = " " * max(width - cell_width(fitted), 0)
    return gap + fitted if right else fitted + gap


def center(text: str, width: int) -> str:
    """``text`` centred in ``width`` cells (cut with an ellipsis if longer), no trailing
    spaces."""
    fitted = fit(text, width)
    left = max(width - cell_width(fitted), 0) // 2
    return (" " * left + fitted).rstrip()
