"""Pick a suspended sale to resume."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from tui_pos.domain.money import format_money
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.services.ports import SuspendedCart
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.plain import plain, plain_row


class ResumeScreen(ShowsUserErrors, ModalScreen[int | None]):
    """Up/Down choose, Enter resumes, Esc closes. Result: the suspended sale's id."""

    BINDINGS = [
        Binding("enter", "resume", "Resume", id="resume-pick"),
        Binding("escape", "close", "Close", id="resume-close"),
    ]

    def __init__(self, parked: list[SuspendedCart]) -> None:
        super().__init__()
        self.parked = parked

    def compose(self) -> ComposeResult:
        """The list of parked sales."""
        with Vertical(classes="dialog wide"):
            yield Label("Suspended sales (Enter resumes)", classes="dialog-title")
            yield DataTable(id="resume-table", cursor_type="row")
            yield Static("Up/Down to choose, Enter to resume, Esc to close", classes="dialog-hint")
        yield KeysBar()

    def on_mount(self) -> None:
        """Fill and focus the table."""
        table: DataTable[str | Text] = self.query_one("#resume-table", DataTable)
        table.add_columns(*plain_row(("Parked at", "Label", "Lines", "Total")))
        for p in self.parked:
            table.add_row(
                plain(p.created_at.astimezone().strftime("%H:%M")),
                plain(p.label or "-"),
                plain(p.item_count),
                Text(format_money(p.total_cents), justify="right"),
                key=str(p.id),
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Resume the chosen sale."""
        event.stop()
        self.dismiss(int(str(event.row_key.value)))

    def action_resume(self) -> None:
        """Resume the sale the cursor is on."""
        table = self.query_one("#resume-table", DataTable)
        if table.row_count:
            self.dismiss(self.parked[table.cursor_row].id)

    def action_close(self) -> None:
        """Close without resuming."""
        self.dismiss(None)
