"""Text for single-byte ESC/POS code pages: keep, transliterate, or replace with "?".

Receipt printers print bytes through a code page (CP858 for Western Europe with the euro
sign). :func:`fold_for_codepage` turns any Unicode text into text that the code page can
encode, in this order for each character:

1. keep it when the code page has it (``é``, ``ü``, ``ñ``, ``½`` and ``€`` in CP858);
2. else use the explicit table :data:`TRANSLITERATIONS` (curly quotes, dashes, ``…``,
   fractions, ligatures, ``œ``, ``ł``, ``€`` -> ``EUR`` for pages without it...);
3. else decompose it (NFKD) and drop the accents (``ő`` -> ``o``, ``Ａ`` -> ``A``), with
   the table applied to the pieces (``⅓`` -> ``1/3``, never ``13``);
4. else ``"?"``.

Control characters never reach the printer: a product name holding ``ESC`` or ``DLE EOT``
could otherwise send commands. Pure Python: no device library is imported here.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

TRANSLITERATIONS: dict[str, str] = {
    # quotes and primes
    "\u2018": "'",  # ‘
    "\u2019": "'",  # ’
    "\u201a": "'",  # ‚
    "\u201b": "'",  # ‛
    "\u2032": "'",  # ′
    "\u2039": "<",  # ‹
    "\u203a": ">",  # ›
    "\u201c": '"',  # “
    "\u201d": '"',  # ”
    "\u201e": '"',  # „
    "\u201f": '"',  # ‟
    "\u2033": '"',  # ″
    "\u00ab": '"',  # «
    "\u00bb": '"',  # »
    "\u00b4": "'",  # ´
    # dashes and minus signs
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    # punctuation and symbols
    "\u2026": "...",  # …
    "\u2022": "*",  # •
    "\u00b7": ".",  # ·
    "\u2044": "/",  # fraction slash (from NFKD of ⅓ etc.)
    "\u2215": "/",  # division slash
    "\u00d7": "x",  # ×
    "\u00f7": "/",  # ÷
    "\u2264": "<=",  # ≤
    "\u2265": ">=",  # ≥
    "\u2260": "<>",  # ≠
    "\u2192": "->",  # →
    "\u2190": "<-",  # ←
    "\u00a9": "(C)",  # ©
    "\u00ae": "(R)",  # ®
    "\u00b0": "o",  # °
    "\u00a7": "S",  # §
    "\u00b6": "P",  # ¶
    # fractions (NFKD would give "1⁄2"; plain ASCII folding would give "12")
    "\u00bd": "1/2",  # ½
    "\u00bc": "1/4",  # ¼
    "\u00be": "3/4",  # ¾
    # letters NFKD does not decompose
    "\u00df": "ss",  # ß
    "\u1e9e": "SS",  # ẞ
    "\u00e6": "ae",  # æ
    "\u00c6": "AE",  # Æ
    "\u0153": "oe",  # œ
    "\u0152": "OE",  # Œ
    "\u00f8": "o",  # ø
    "\u00d8": "O",  # Ø
    "\u0142": "l",  # ł
    "\u0141": "L",  # Ł
    "\u0111": "d",  # đ
    "\u0110": "D",  # Đ
    "\u00f0": "d",  # ð
    "\u00d0": "D",  # Ð
    "\u00fe": "th",  # þ
    "\u00de": "Th",  # Þ
    "\u0131": "i",  # ı
    # ligatures (NFKD handles most; explicit so the intent is visible)
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    # currencies
    "\u20ac": "EUR",  # €
    "\u00a3": "GBP",  # £
    "\u00a5": "JPY",  # ¥
    "\u20a3": "FRF",  # ₣
    "\u20b9": "INR",  # ₹
    "\u20bd": "RUB",  # ₽
    "\u00a2": "c",  # ¢
}
"""Replacements for characters a code page cannot encode (used only when it cannot)."""

_WHITESPACE_CONTROLS = frozenset("\t\n\r\x0b\x0c")


def _check_codepage(codepage: str) -> str:
    try:
        return codecs.lookup(codepage).name
    except LookupError:
        raise ValueError(f"unknown code page {codepage!r}") from None


@lru_cache(maxsize=8192)
def _can_encode(char: str, codec: str) -> bool:
    try:
        encoded = char.encode(codec)
    except UnicodeError:
        return False
    return len(encoded) == 1  # a single-byte page: multi-byte output is not printable here


def _table_or_keep(char: str, codec: str) -> str | None:
    """``char`` itself if encodable, else its table entry (made encodable), else None."""
    if _can_encode(char, codec):
        return char
    replacement = TRANSLITERATIONS.get(char)
    if replacement is None:
        return None
    return "".join(c if _can_encode(c, codec) else "?" for c in replacement)


@lru_cache(maxsize=8192)
def _fold_char(char: str, codec: str) -> str:
    category = unicodedata.category(char)
    if char in _WHITESPACE_CONTROLS or category in ("Zs", "Zl", "Zp"):
        return " "
    if category == "Cf":  # invisible format characters: zero-width space, BOM, soft hyphen...
        return ""
    if category in ("Cc", "Cs", "Co", "Cn"):  # control, lone surrogate, private, unassigned
        return "?"
    kept = _table_or_keep(char, codec)
    if kept is not None:
        return kept
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    if not base or base == char:
        return "?"
    out = []
    for piece in base:
        if unicodedata.category(piece) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        folded = _table_or_keep(piece, codec)
        out.append("?" if folded is None else folded)
    return "".join(out) or "?"


def fold_for_codepage(text: str, codepage: str) -> str:
    """``text`` made printable in ``codepage`` (a Python codec name such as ``"cp858"``).

    Encodable characters are kept; others are transliterated (table, then accents
    stripped), ``"?"`` as a last resort. Control characters become ``"?"`` (tabs and line
    breaks become spaces), invisible format characters are dropped. The result encodes in
    ``codepage`` without error. Raises ValueError for an unknown code page.
    """
    codec = _check_codepage(codepage)
    text = unicodedata.normalize("NFC", text)
    return "".join(_fold_char(char, codec) for char in text)


def encode_line(text: str, codepage: str) -> bytes:
    """The bytes of ``text`` in ``codepage`` after :func:`fold_for_codepage` (no line feed)."""
    codec = _check_codepage(codepage)
    return fold_for_codepage(text, codec).encode(codec, errors="replace")


_SPACE_RUN = re.compile(r" {2,}")


def fit_line(text: str, width: int) -> str:
    """``text`` shortened to ``width`` characters, keeping its right-hand field.

    Folding can lengthen a line that was fitted to the paper (``…`` -> ``...``). First the
    padding between columns (runs of 2+ spaces, longest first) is narrowed; then the text
    before the last space is cut so the amount at the end stays; else the end is cut.
    """
    if len(text) <= width:
        return text
    while len(text) > width:
        runs = list(_SPACE_RUN.finditer(text))
        if not runs:
            break
        run = max(runs, key=lambda m: m.end() - m.start())
        text = text[: run.start()] + text[run.start() + 1 :]
    if len(text) <= width:
        return text
    head, space, tail = text.rstrip().rpartition(" ")
    if space and head.strip() and len(tail) + 2 <= width:
        return head[: width - len(tail) - 1] + " " + tail
    return text[:width]
