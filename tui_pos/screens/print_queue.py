"""Receipts waiting for the printer: see them, retry them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from tui_pos.safe_app import ShowsUserErrors
from tui_pos.services.printing import PrintJob
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.plain import plain_row


class PrintQueueScreen(ShowsUserErrors, ModalScreen[bool]):
    """Enter retries every waiting receipt (result True); Esc closes (False)."""

    BINDINGS = [
        Binding("enter", "close(True)", "Retry all", id="print-retry"),
        Binding("escape", "close(False)", "Close", id="print-queue-close"),
    ]

    def __init__(self, jobs: list[PrintJob], till: str, printer: str) -> None:
        super().__init__()
        self.jobs = jobs
        self.till = till
        self.printer = printer

    def compose(self) -> ComposeResult:
        """The waiting receipts."""
        with Vertical(classes="dialog wide"):
            yield Label(
                f"Receipts waiting for the printer ({len(self.jobs)})", classes="dialog-title"
            )
            yield Static(self.printer, classes="dialog-hint", markup=False)
            table: DataTable[str | Text] = DataTable(id="print-jobs", cursor_type="row")
            table.can_focus = False  # Enter belongs to the screen: retry
            yield table
            # the last error in full, wrapped: the table cuts it at the dialog edge
            errors = [job.last_error for job in self.jobs if job.last_error]
            if errors:
                yield Static(f"Last error: {errors[-1]}", id="print-error", markup=False)
            yield Static("Enter = retry now   Esc = close", classes="dialog-hint")
        yield KeysBar()

    def on_mount(self) -> None:
        """Fill the table."""
        table: DataTable[str | Text] = self.query_one("#print-jobs", DataTable)
        table.add_columns(*plain_row(("Receipt", "Queued at", "Tries", "Last error")))
        for job in self.jobs:
            table.add_row(
                *plain_row(
                    (
                        job.label(self.till),
                        job.created_at.astimezone().strftime("%H:%M:%S"),
                        str(job.attempts),
                        job.last_error or "-",
                    )
                )
            )

    def action_close(self, retry: bool) -> None:
        """Close, asking for a retry or not."""
        self.dismiss(retry)
