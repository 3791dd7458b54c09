"""``[keymap]`` conflicts: two actions of one screen on the same key.

Textual resolves a clash silently (one of the two keys just stops working). A till that
loses its Pay key because someone mapped Find to F10 is refused at start instead, with the
line of the config entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType

#: The help key every screen gets from its key bar (``widgets/keys_bar.offer_help``).
HELP = Binding("f1", "app.help", "Help", id="help")


@dataclass(frozen=True)
class Conflict:
    """One key bound to two actions on one screen."""

    screen: str
    key: str
    first: Binding
    second: Binding


def _keys(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    chosen = keymap.get(binding.id or "", binding.key) if binding.id else binding.key
    return [k.strip() for k in chosen.split(",") if k.strip()]


def screen_bindings(screen: type, app_bindings: Iterable[BindingType]) -> list[Binding]:
    """The bindings a screen answers to: the app's, its own and the help key."""
    own = [b for b in (*app_bindings, *getattr(screen, "BINDINGS", ())) if isinstance(b, Binding)]
    return [*own, HELP]


def conflicts(
    screens: Iterable[type], app_bindings: Iterable[BindingType], keymap: Mapping[str, str]
) -> list[Conflict]:
    """Every key that two different actions of one screen would share under ``keymap``."""
    app_bindings = list(app_bindings)
    found: list[Conflict] = []
    for screen in screens:
        taken: dict[str, Binding] = {}
        for binding in screen_bindings(screen, app_bindings):
            for key in _keys(binding, keymap):
                before = taken.get(key)
                same = before is not None and (
                    (before.id and before.id == binding.id) or before.action == binding.action
                )
                if before is None or same:
                    taken[key] = binding
                else:
                    found.append(Conflict(screen.__name__, key, before, binding))
    return found
