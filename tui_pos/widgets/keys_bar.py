"""Every key of the current screen, wrapped over as many lines as the width needs.

Textual's Footer is one line: on an 80-column till it cut off the last keys. This bar lists
the same active bindings (remapped keys included, keys that do not apply now dimmed).
"""

from __future__ import annotations

from rich.columns import Columns
from rich.text import Text
from textual.widgets import Static


class KeysBar(Static):
    """The key help line(s) of a screen."""

    DEFAULT_CSS = """
    KeysBar {
        dock: bottom;
        height: auto;
        background: $footer-background;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        """Follow the screen's bindings as they change (check_action, keymap)."""
        self.screen.bindings_updated_signal.subscribe(self, self._redraw)
        self._redraw(self.screen)

    def on_unmount(self) -> None:
        """Stop following the screen."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _redraw(self, _screen: object) -> None:
        items: list[Text] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            item = Text(f" {self.app.get_key_display(binding)} ", style="bold reverse")
            item.append(f" {binding.description}", style="not reverse")
            if not enabled:
                item.stylize("dim")
            items.append(item)
        # Columns wraps between items, never inside one, at whatever width the bar has.
        self.update(Columns(items, padding=(0, 2)))
