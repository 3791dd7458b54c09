"""F1: every key of the screen beneath, with what it does (the key bar shows only some)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from tui_pos.safe_app import ShowsUserErrors
from tui_pos.widgets.keys_bar import KeysBar


@dataclass(frozen=True)
class KeyHelp:
    """One key of a screen: how it is pressed, its label, and what it does."""

    keys: str
    label: str
    does: str
    enabled: bool


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().split("\n", 1)[0].strip()


def keys_of(screen: Screen[object]) -> list[KeyHelp]:
    """Every binding that applies on ``screen`` (its own, its focused widget's, the app's),
    one row per action, keys that do the same thing together."""
    rows: dict[str, KeyHelp] = {}
    for node, binding, enabled, tooltip in screen.active_bindings.values():
        if binding.id is None:
            continue  # a field's own editing keys (cursor left...), not the till's
        action = binding.action
        name = action.split("(", 1)[0].removeprefix("app.").removeprefix("screen.")
        target = screen.app if action.startswith("app.") else node
        does = tooltip or _first_line(
            getattr(getattr(target, f"action_{name}", None), "__doc__", "")
        )
        shown = screen.app.get_key_display(binding)
        if action in rows:
            before = rows[action]
            rows[action] = KeyHelp(f"{before.keys}, {shown}", before.label, before.does, enabled)
            continue
        rows[action] = KeyHelp(shown, binding.description or name, does, enabled)
    return list(rows.values())


class HelpScreen(ShowsUserErrors, ModalScreen[None]):
    """The keys of the screen it was opened on; Esc or F1 closes it."""

    BINDINGS = [Binding("escape,enter", "close", "Close", id="help-close")]

    def __init__(self, title: str, keys: list[KeyHelp]) -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys

    def compose(self) -> ComposeResult:
        """A title and the keys (Up/Down scroll when they are longer than the screen)."""
        with Vertical(classes="dialog wide", id="help-dialog"):
            yield Label(Text(f"Keys: {self.title_text}"), classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(self._table(), id="help-keys")
        yield KeysBar()

    def on_mount(self) -> None:
        """Up/Down and PgUp/PgDn scroll the list."""
        self.query_one("#help-scroll").focus()

    def _table(self) -> Text:
        """One line per key: the key, its name, what it does (dimmed when it does not
        apply now); long lines wrap under themselves."""
        width = max((cell_len(row.keys) for row in self.keys), default=0) + 2
        lines: list[Text] = []
        for row in self.keys:
            style = "" if row.enabled else "dim"
            line = Text(row.keys.ljust(width), style="bold " + style)
            line.append(row.label, style="bold " + style)
            if row.does and row.does.lower() != row.label.lower():
                line.append(f": {row.does}", style=style)
            lines.append(line)
        return Text("\n").join(lines)

    def action_close(self) -> None:
        """Back to the screen."""
        self.dismiss(None)
