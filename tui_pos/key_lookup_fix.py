"""Textual's look-up of a bound key's character, answered without Unicode's name tables
for keys that are no character.

To know whether a focused field (the entry line, an Input) would take a bound key as
typed text, ``textual.screen`` asks ``textual.keys.key_to_character`` for every key of the
screen's bindings, and that tries each name as a Unicode character name
(``unicodedata.lookup("F1")``). The misses read ``unicodedata``'s name tables: about
0.7 MB of the register's memory for its F-keys, Tab, Escape, Enter and the arrows (issue
17, RSS while selling). Those keys' answers are known (a function key or an arrow is no
character; Escape is ``"\\x1b"``): they are given without asking; every other key is asked
as before. Textual is pinned to a minor range in
pyproject.toml; ``tests/ui/test_keys_bar.py`` checks the answers against Textual's own.
"""

from __future__ import annotations

from functools import lru_cache

from textual import keys, screen

_original = keys.key_to_character

#: Textual's answers for the named keys the screens bind (tested against it).
KNOWN: dict[str, str | None] = {
    **dict.fromkeys(("enter", "up", "down", "left", "right", "home", "end"), None),
    **dict.fromkeys(("pageup", "pagedown", "insert"), None),
    "escape": "\x1b",
    "tab": "\t",
    "delete": "\x7f",
    "backspace": "\x08",
}


@lru_cache(1024)
def key_to_character(key: str) -> str | None:
    """``textual.keys.key_to_character``: None for a function key, the known answer for a
    key in :data:`KNOWN`, else Textual's answer."""
    if key in KNOWN:
        return KNOWN[key]
    if key[:1] == "f" and key[1:].isdigit():
        return None
    return _original(key)


def apply() -> None:
    """Make the screens ask this function (once)."""
    screen.key_to_character = key_to_character  # type: ignore[attr-defined]
