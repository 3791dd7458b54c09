"""A modal with a field, a table and a message line: the stock and collection lists."""

from __future__ import annotations

from rich.text import Text
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tui_pos.safe_app import ShowsUserErrors
from tui_pos.widgets.plain import plain


def list_table(table_id: str) -> DataTable[str | Text]:
    """A row table that leaves the focus to the field (Up/Down move the selection)."""
    table: DataTable[str | Text] = DataTable(id=table_id, cursor_type="row")
    table.can_focus = False  # the field keeps the focus; Up/Down move the selection
    return table


def right(text: str) -> Text:
    """A right-aligned cell, as text."""
    return plain(text, justify="right")


class ListScreen(ShowsUserErrors, ModalScreen[None]):
    """A modal with a field, a table and a message line (shared plumbing)."""

    TABLE_ID = "stock-table"

    def say(self, text: str, *, error: bool = False) -> None:
        """Show a message (errors ring the bell)."""
        message = self.query_one("#stock-message", Static)
        message.update(text)
        message.set_class(error, "error")
        if error:
            self.app.bell()

    @property
    def table(self) -> DataTable[str | Text]:
        """The screen's table."""
        return self.query_one(f"#{self.TABLE_ID}", DataTable)

    def action_move(self, step: int) -> None:
        """Select the row above or below."""
        table = self.table
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_close(self) -> None:
        """Close."""
        self.dismiss(None)
