"""The key bar of a screen: Textual's Footer, packed into at most two rows.

Textual's Footer is one row that scrolls sideways: on an 80-column till it hid the last
keys. This keeps its clickable keys (a touch till taps them) and its live updates (keys
that do not apply now are dimmed, remapped keys shown as mapped), and lays the keys out
over ``MAX_ROWS`` rows in the order the screen binds them. Keys that do not fit are on
the help screen (F1, always first), which lists every key of the screen.

Only the bar of the screen on top is shown: the app marks the screens beneath a dialog
with ``SUSPENDED_CLASS`` and the style sheet hides their bars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen

#: The class Textual puts on a screen while another one is on top of it.
SUSPENDED_CLASS = "-suspended"

#: The help key's action: always the first key of the bar.
HELP_ACTION = "app.help"


def shown_bindings(screen: Screen[object]) -> list[tuple[Binding, bool, str]]:
    """The keys a screen shows: one per action, the help key first.

    A dialog's own key that its focused field also takes (Enter in an input: the field's
    binding is hidden) is still shown, so every dialog shows how to confirm it.
    """
    rows: list[tuple[Binding, bool, str]] = []
    seen: set[str] = set()
    for _node, binding, enabled, tooltip in screen.active_bindings.values():
        if binding.show and binding.action not in seen:
            seen.add(binding.action)
            rows.append((binding, enabled, tooltip))
    for node, bindings in screen._modal_binding_chain:
        if node is not screen:
            continue
        for _key, binding in bindings:
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                state = screen.app._check_action_state(binding.action, node)
                if state is not False:
                    rows.append((binding, bool(state), binding.tooltip))
    rows.sort(key=_order)
    return rows


def _order(row: tuple[Binding, bool, str]) -> int:
    """Help first, then the function keys (what a cashier uses most), then the rest."""
    binding = row[0]
    if binding.action == HELP_ACTION:
        return 0
    key = binding.key.split(",")[0]
    return 1 if key[:1] == "f" and key[1:].isdigit() else 2


def offer_help(screen: Screen[object]) -> None:
    """Give ``screen`` the help key (F1): a dialog does not see the app's own keys."""
    if not any(b.action == HELP_ACTION for _k, b in screen._bindings):
        help_key = Binding("f1", HELP_ACTION, "Help", id="help")
        screen._bindings.key_to_bindings.setdefault("f1", []).append(help_key)


class KeysBar(Footer):
    """The keys of the screen on top, in one or two rows (the rest on F1)."""

    MAX_ROWS = 2

    DEFAULT_CSS = """
    KeysBar {
        layout: vertical;
        height: auto;
        max-height: 2;
        padding: 0 0;
    }
    KeysBar > .keys-row {
        height: 1;
        width: 100%;
    }
    KeysBar FooterKey {
        margin-right: 1;
    }
    """

    def __init__(self) -> None:
        super().__init__(show_command_palette=False, compact=True)
        self._laid_out_for = 0
        self._shown: tuple[tuple[str, str, bool], ...] = ()

    def on_mount(self) -> None:
        """Every screen with a key bar has the help key; follow the screen's bindings."""
        offer_help(self.screen)
        super().on_mount()
        # The screen may have published its bindings before this bar subscribed.
        self._bindings_ready = True
        self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        """The keys, wrapped between keys (never inside one) at the bar's width."""
        if not self._bindings_ready:
            return
        width = self.size.width or self.app.size.width
        self._laid_out_for = width
        rows: list[list[FooterKey]] = [[]]
        used = 0
        for binding, enabled, tooltip in shown_bindings(self.screen):
            key_display = self.app.get_key_display(binding)
            # compact FooterKey: key, one space, description; then a margin of one
            need = cell_len(key_display) + 1 + cell_len(binding.description) + 1
            if used and used + need > width:
                if len(rows) == self.MAX_ROWS:
                    break  # the rest is on the help screen
                rows.append([])
                used = 0
            used += need
            key = FooterKey(
                binding.key,
                key_display,
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip or binding.description,
            )
            key.compact = True
            rows[-1].append(key)
        for row in rows:
            yield HorizontalGroup(*row, classes="keys-row")

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Lay the keys out again only when what they show changed: the sale screen
        refreshes its bindings on every scan, and rebuilding the bar each time made a
        burst of scans slow."""
        shown = tuple((b.key, b.description, enabled) for b, enabled, _t in shown_bindings(screen))
        if shown == self._shown and self._bindings_ready:
            return
        self._shown = shown
        super().bindings_changed(screen)

    def on_resize(self, event: events.Resize) -> None:
        """Pack the keys again for the new width."""
        if event.size.width != self._laid_out_for and self._bindings_ready:
            self.call_after_refresh(self.recompose)
