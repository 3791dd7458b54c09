"""Saved customer segments with their counts; Enter lists the members, F5 exports a CSV."""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from tui_pos.domain.errors import DomainError, PosError, StorageError
from tui_pos.domain.money import format_money
from tui_pos.domain.staff import Action, Approval
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.screens.authorize import approval_for
from tui_pos.screens.dialogs import FLOW_GROUP
from tui_pos.services.customer_export import export_segment_file
from tui_pos.services.customer_views import SegmentMember, SegmentView
from tui_pos.services.customers import Customers
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.plain import plain, plain_row, styled


class SegmentsScreen(ShowsUserErrors, ModalScreen[None]):
    """Up/Down choose a segment, Enter shows who is in it, F5 exports it, Esc closes."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="segments-close"),
        Binding("f5", "export", "Export CSV", id="segments-export"),
    ]

    def __init__(self, customers: Customers, export_dir: Path) -> None:
        super().__init__()
        self.customers = customers
        self.export_dir = export_dir
        self.segments: list[SegmentView] = []

    def compose(self) -> ComposeResult:
        """Segments table, members, a message line."""
        with Vertical(classes="dialog wide"):
            yield Label("Customer segments", classes="dialog-title")
            yield DataTable(id="segments-table", cursor_type="row")
            yield Static("Counting...", id="segments-members", markup=False)
            yield Static(
                "Enter = who is in it  ·  F5 = export CSV  ·  Esc = close  ·  "
                "CLI: tui-pos export customers --segment NAME",
                classes="dialog-hint",
            )
        yield KeysBar()

    def on_mount(self) -> None:
        """Columns; count in a worker."""
        table: DataTable[str | Text] = self.query_one("#segments-table", DataTable)
        table.add_columns(*plain_row(("Segment", "Who", "Customers")))
        table.focus()
        self.count()

    @work(thread=True, exclusive=True, group="segments", exit_on_error=False)
    def count(self) -> None:
        """Evaluate every saved segment off the UI thread."""
        try:
            views = self.customers.segments()
        except PosError as exc:
            self.app.call_from_thread(self._say, styled("[red]$error[/red]", error=exc))
            return
        self.app.call_from_thread(self._show, views)

    def _show(self, views: list[SegmentView]) -> None:
        self.segments = views
        table = self.query_one("#segments-table", DataTable)
        table.clear()
        for v in views:
            count = Text(str(v.count), justify="right")
            table.add_row(plain(v.name), plain(v.rule.describe()), count)
        self._say(f"{len(views)} saved segments")

    def _say(self, text: str | Content) -> None:
        self.query_one("#segments-members", Static).update(text)

    def _chosen(self) -> SegmentView | None:
        table = self.query_one("#segments-table", DataTable)
        return self.segments[table.cursor_row] if self.segments and table.row_count else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """List the members of the chosen segment."""
        event.stop()
        chosen = self._chosen()
        if chosen is not None:
            self.members(chosen)

    @work(thread=True, exclusive=True, group="segment-members", exit_on_error=False)
    def members(self, view: SegmentView) -> None:
        """Who is in a segment (off the UI thread)."""
        try:
            found = self.customers.members(view.rule)
        except PosError as exc:
            self.app.call_from_thread(self._say, styled("[red]$error[/red]", error=exc))
            return
        self.app.call_from_thread(self._say, _members_text(view.name, found))

    def action_export(self) -> None:
        """Export the chosen segment to a CSV file next to the database."""
        chosen = self._chosen()
        if chosen is None:
            self.app.bell()
            return
        # The file holds personal data: a customer-data admin exports it (or approves).
        what = f"export customer segment {chosen.name}"
        self._export_approved(approval_for(self, Action.CUSTOMER_ADMIN, what), chosen.name)

    @work(group=FLOW_GROUP)
    async def _export_approved(self, approved: Awaitable[Approval | None], name: str) -> None:
        approval = await approved
        if approval is not None:
            self.export(name, approval)

    @work(thread=True, group="segments-export", exit_on_error=False)
    def export(self, name: str, approval: Approval) -> None:
        """Write the file off the UI thread."""
        try:
            path = export_segment_file(
                self.customers, name, self.export_dir, self.customers.clock(), approval
            )
        except (DomainError, StorageError, OSError) as exc:
            self.app.call_from_thread(
                self._say, styled("[red]Export failed: $error[/red]", error=exc)
            )
            return
        self.app.call_from_thread(self._say, f"Exported {name} to {path}")

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)


def _members_text(name: str, members: list[SegmentMember]) -> str | Content:
    if not members:
        return f"Nobody is in {name} now"
    shown = [
        f"{m.customer.name}  {m.tier or '-'}  {m.stats.visits} visits  "
        f"{format_money(m.stats.spend_cents)}"
        for m in members[:8]
    ]
    more = f"\n... and {len(members) - 8} more" if len(members) > 8 else ""
    listed = "\n".join(shown) + more
    return styled(f"[b]$name[/b]: {len(members)}\n$listed", name=name, listed=listed)
