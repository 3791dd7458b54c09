"""On-screen receipt preview."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_pos.safe_app import ShowsUserErrors
from tui_pos.widgets.keys_bar import KeysBar


class ReceiptScreen(ShowsUserErrors, ModalScreen[None]):
    """Shows receipt lines as the printer would print them. Esc or Enter closes."""

    BINDINGS = [Binding("escape,enter,f11", "close", "Close", id="receipt-close")]

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__()
        self.lines = list(lines)

    def compose(self) -> ComposeResult:
        """The paper."""
        with VerticalScroll(id="receipt-paper"):
            yield Static("\n".join(self.lines), id="receipt-text", markup=False)
        yield KeysBar()

    def on_mount(self) -> None:
        """Up/Down and PgUp/PgDn scroll the paper; the title says so when it is longer."""
        paper = self.query_one("#receipt-paper", VerticalScroll)
        paper.border_title = "Receipt"
        paper.border_subtitle = "Up/Down scroll"
        paper.focus()

    def action_close(self) -> None:
        """Back to the register."""
        self.dismiss(None)
