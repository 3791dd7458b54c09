"""``[keymap]`` conflicts: two actions of one screen on the same key.

Textual resolves a clash silently (one of the two keys just stops working). A till that
loses its Pay key because someone mapped Find to F10 is refused at start instead, with the
line of the config entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui_pos.domain.errors import ConfigError

#: The App's own keys (every screen answers to them too).
APP_BINDINGS: list[BindingType] = [
    Binding("f1", "help", "Help", id="help"),  # also on every screen: see keys_bar
    Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
]

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


def all_screens() -> tuple[type[Screen[Any]], ...]:
    """Every screen class, for the keymap check. Imported here, not at start: most screens
    are not needed for the first frame (see docs/DESIGN.md, "Cold start")."""
    from tui_pos.screens.authorize import LoginScreen, OverrideScreen
    from tui_pos.screens.cash import CashMenuScreen, CountScreen, TableScreen
    from tui_pos.screens.collection import CollectionScreen
    from tui_pos.screens.customer import CustomerScreen
    from tui_pos.screens.customer_edit import EditCustomerScreen
    from tui_pos.screens.customer_profile import ProfileScreen
    from tui_pos.screens.dialogs import BusyScreen, ConfirmScreen, PromptScreen
    from tui_pos.screens.help import HelpScreen
    from tui_pos.screens.print_queue import PrintQueueScreen
    from tui_pos.screens.receipt import ReceiptScreen
    from tui_pos.screens.register import RegisterScreen
    from tui_pos.screens.reports import ReportsScreen
    from tui_pos.screens.resume import ResumeScreen
    from tui_pos.screens.returns import ReturnScreen
    from tui_pos.screens.search import SearchScreen
    from tui_pos.screens.segments import SegmentsScreen
    from tui_pos.screens.stock import LowStockScreen, StockMenuScreen, TallyScreen
    from tui_pos.screens.tender import TenderScreen

    return (
        RegisterScreen,
        TenderScreen,
        SearchScreen,
        ResumeScreen,
        ReceiptScreen,
        PromptScreen,
        ConfirmScreen,
        BusyScreen,
        PrintQueueScreen,
        LoginScreen,
        OverrideScreen,
        CashMenuScreen,
        CountScreen,
        TableScreen,
        ReportsScreen,
        ReturnScreen,
        StockMenuScreen,
        TallyScreen,
        LowStockScreen,
        CollectionScreen,
        CustomerScreen,
        ProfileScreen,
        EditCustomerScreen,
        SegmentsScreen,
        HelpScreen,
    )


def binding_ids() -> set[str]:
    """Every binding id a ``[keymap]`` entry may name."""
    bindings = [*APP_BINDINGS]
    for screen in all_screens():
        bindings += screen.BINDINGS
    return {b.id for b in bindings if isinstance(b, Binding) and b.id}


def check_keymap(keymap: Mapping[str, str], source: Path | None = None) -> None:
    """Refuse a ``[keymap]`` entry that names no binding (a typo would silently do nothing)
    or puts two actions of one screen on the same key (one of them would stop working).
    ``source``: the config file, to name the entry's line."""
    if not keymap:
        return  # nothing to check: the screens need not be loaded for it
    known = binding_ids()
    for name in keymap:
        if name not in known:
            close = get_close_matches(name, sorted(known), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise _keymap_error(source, name, f"no key has this id{hint}")
    for clash in conflicts(all_screens(), APP_BINDINGS, keymap):
        mapped = [b for b in (clash.second, clash.first) if b.id in keymap]
        entry = (mapped[0] if mapped else clash.second).id or ""
        other = clash.first if mapped and mapped[0] is clash.second else clash.second
        raise _keymap_error(
            source,
            entry,
            f'"{clash.key}" is already "{other.description}" ({other.id}) '
            f"on {clash.screen}: one key, one action",
        )


def _keymap_error(source: Path | None, name: str, message: str) -> ConfigError:
    if source is not None and source.exists():
        from tui_pos.config.schema import Source  # (the App's first frame does without it)

        text = source.read_text(encoding="utf-8", errors="replace")
        return Source(str(source), text).error(("keymap", name), message)
    return ConfigError(f"keymap.{name}: {message}")
