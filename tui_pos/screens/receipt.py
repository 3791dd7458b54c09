"""On-screen receipt preview."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class ReceiptScreen(ModalScreen[None]):
    """Shows receipt lines as the printer would print them. Esc or Enter closes."""

    BINDINGS = [Binding("escape,enter,f11", "close", "Close", id="receipt-close")]

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__()
        self.lines = list(lines)

    def compose(self) -> ComposeResult:
        """The paper."""
        with VerticalScroll(id="receipt-paper"):
            yield Static("\n".join(self.lines), id="receipt-text", markup=False)

    def action_close(self) -> None:
        """Back to the register."""
        self.dismiss(None)
