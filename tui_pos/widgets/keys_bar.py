"""The key bar of a screen: one widget that draws the screen's keys in at most two rows.

Textual's Footer is one row that scrolls sideways: on an 80-column till it hid the last
keys. This bar lays the keys out over ``MAX_ROWS`` rows in the order the screen binds them
(help first, then the function keys), follows the screen's bindings live (keys that do
not apply now are dimmed, remapped keys shown as mapped) and keeps them clickable (a
touch till taps them). Keys that do not fit are on the help screen (F1, always first),
which lists every key of the screen.

It is one widget, not a Footer of one widget per key: the Footer's keys were about 60
widgets a bar (each key and its two styled parts), kept alive on every screen that has a
bar (issue 17, memory while selling).

Only the bar of the screen on top is shown: the app marks the screens beneath a dialog
with ``SUSPENDED_CLASS`` and the style sheet hides their bars.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.widget import Widget

from tui_pos.key_lookup_fix import is_function_key

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
    return 1 if is_function_key(binding.key.split(",")[0]) else 2


def offer_help(screen: Screen[object]) -> None:
    """Give ``screen`` the help key (F1): a dialog does not see the app's own keys."""
    if not any(b.action == HELP_ACTION for _k, b in screen._bindings):
        help_key = Binding("f1", HELP_ACTION, "Help", id="help")
        screen._bindings.key_to_bindings.setdefault("f1", []).append(help_key)


@dataclass(frozen=True)
class _Key:
    """One key as the bar shows it: where it is drawn (row, first and past-last column)."""

    key: str  #: the key Textual simulates when it is tapped
    display: str
    description: str
    enabled: bool
    row: int = 0
    start: int = 0
    end: int = 0


class KeysBar(Widget, can_focus=False):
    """The keys of the screen on top, in one or two rows (the rest on F1)."""

    MAX_ROWS = 2
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keys-bar--key", "keys-bar--description"}

    DEFAULT_CSS = """
    KeysBar {
        dock: bottom;
        height: auto;
        max-height: 2;
        color: $footer-foreground;
        background: $footer-background;
        .keys-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .keys-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: tuple[_Key, ...] | None = None  #: None: read at the next render
        self._placed: tuple[_Key, ...] = ()  #: as last drawn (for taps)

    def on_mount(self) -> None:
        """Every screen with a key bar has the help key; follow the screen's bindings."""
        offer_help(self.screen)
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        """Stop following the screen's bindings."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Draw again only when what the keys show changed: the sale screen refreshes its
        bindings on every scan."""
        keys = self._read(screen)
        if keys != self._keys:
            self._keys = keys
            self.refresh(layout=True)  # two rows may have become one, or the other way

    def _read(self, screen: Screen[object]) -> tuple[_Key, ...]:
        return tuple(
            _Key(binding.key, self.app.get_key_display(binding), binding.description, enabled)
            for binding, enabled, _tooltip in shown_bindings(screen)
        )

    def _rows(self, width: int) -> list[list[_Key]]:
        """The keys placed at ``width``, wrapped between keys (never inside one): key,
        one space, description, then one space before the next key."""
        if self._keys is None:
            self._keys = self._read(self.screen)
        rows: list[list[_Key]] = [[]]
        used = 0
        for key in self._keys:
            size = cell_len(key.display) + 1 + cell_len(key.description)
            if used and used + size > width:
                if len(rows) == self.MAX_ROWS:
                    break  # the rest is on the help screen
                rows.append([])
                used = 0
            rows[-1].append(replace(key, row=len(rows) - 1, start=used, end=used + size))
            used += size + 1
        return rows if rows[0] else []

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many rows as the keys need at ``width`` (at most ``MAX_ROWS``)."""
        return len(self._rows(width))

    def render(self) -> Text:
        """The placed keys: the key bold in its colours, the description in its own."""
        rows = self._rows(self.size.width or self.app.size.width)
        key_style = self.get_component_rich_style("keys-bar--key")
        text_style = self.get_component_rich_style("keys-bar--description")
        dim = Style(dim=True)
        text = Text(no_wrap=True, overflow="crop", end="")
        for number, row in enumerate(rows):
            if number:
                text.append("\n")
            for key in row:
                off = Style() if key.enabled else dim
                if key.start:
                    text.append(" ")
                text.append(key.display, key_style + off)
                text.append(" " + key.description, text_style + off)
        self._placed = tuple(key for row in rows for key in row)
        return text

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A tap on a key presses it (a key that does not apply now rings the bell)."""
        for key in self._placed:
            if key.row == event.y and key.start <= event.x < key.end:
                if key.enabled:
                    self.app.simulate_key(key.key)
                else:
                    self.app.bell()
                return
