"""Textual's look-ups of bound keys, answered without Unicode's name tables for the keys
whose answer is known.

Textual tries every bound key's name as a Unicode character name, twice: to show the key
(``textual.keys.format_key``, for ``App.get_key_display``) and to know whether a focused
field (the entry line, an Input) would take it as typed text
(``textual.keys.key_to_character``, asked by ``textual.screen`` for every key of the
screen's bindings). The misses (``unicodedata.lookup("F1")``) read ``unicodedata``'s name
tables: about 0.8 MB of the register's memory for its F-keys, letters, Tab, Escape, Enter
and the arrows (issue 17, RSS while selling). Those keys' answers are known (a function
key is shown as it is and is no character; Escape is ``"\\x1b"``): they are given
without asking; every other key is asked as before. Textual is pinned to a minor range in
pyproject.toml; ``tests/ui/test_keys_bar.py`` checks the answers against Textual's own
for every key of every screen.
"""

from __future__ import annotations

from functools import lru_cache

from textual import app, keys, screen

_original_character = keys.key_to_character
_original_format = keys.format_key

#: Textual's ``key_to_character`` answers for the named keys the screens bind.
KNOWN: dict[str, str | None] = {
    **dict.fromkeys(("enter", "up", "down", "left", "right", "home", "end"), None),
    **dict.fromkeys(("pageup", "pagedown", "insert"), None),
    "escape": "\x1b",
    "tab": "\t",
    "delete": "\x7f",
    "backspace": "\x08",
}


def is_function_key(key: str) -> bool:
    """``f1``, ``f12``...: a function key's name."""
    return key[:1] == "f" and key[1:].isdigit()


@lru_cache(1024)
def key_to_character(key: str) -> str | None:
    """``textual.keys.key_to_character``: None for a function key, the known answer for a
    key in :data:`KNOWN`, else Textual's answer."""
    if key in KNOWN:
        return KNOWN[key]
    if is_function_key(key):
        return None
    return _original_character(key)


@lru_cache(1024)
def format_key(key: str) -> str:
    """``textual.keys.format_key``: a function key, letter or digit as it is (no Unicode
    character has such a name), else Textual's answer."""
    if is_function_key(key) or (len(key) == 1 and key.isascii() and key.isalnum()):
        return key
    return _original_format(key)


def apply() -> None:
    """Make the App and the screens ask these functions (once)."""
    screen.key_to_character = key_to_character  # type: ignore[attr-defined]
    app.format_key = format_key  # type: ignore[attr-defined]
