"""The cash and staff menu (Ctrl+K) and its screens: the blind count, the Z check, the
audit log and hours worked. The app runs the flows (it owns printing and the services)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from tui_pos.domain.cash import Denomination, count_total, parse_pieces
from tui_pos.domain.errors import DomainError
from tui_pos.domain.money import format_money
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.widgets.entry_line import EntryLine
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.plain import plain, plain_row, styled

#: The menu's entries: key, binding id, label.
MENU: tuple[tuple[str, str, str], ...] = (
    ("f", "cash-float", "Opening float"),
    ("i", "cash-in", "Cash in"),
    ("o", "cash-out", "Cash out"),
    ("x", "cash-x-report", "X report"),
    ("z", "cash-z-close", "Z close (blind count)"),
    ("c", "clock-in-out", "Clock in / out"),
    ("h", "staff-hours", "Hours worked (this week)"),
    ("a", "audit-log", "Audit log (today)"),
)


class CashMenuScreen(ShowsUserErrors, ModalScreen[str | None]):
    """Pick a cash or staff action by its letter; the result is the action's id."""

    BINDINGS = [
        *(Binding(key, f"pick('{ident}')", label, id=ident) for key, ident, label in MENU),
        Binding("escape", "pick('')", "Close", id="cash-menu-close"),
    ]

    def __init__(self, who: str) -> None:
        super().__init__()
        self.who = who

    def compose(self) -> ComposeResult:
        """The entries with their keys."""
        with Vertical(classes="dialog"):
            yield Label(f"Cash and staff  ·  {self.who}", classes="dialog-title", markup=False)
            yield Static(
                "\n".join(f"[b]{key.upper()}[/b]  {label}" for key, _, label in MENU)
                + "\n\n[b]Esc[/b] back to the sale",
            )
        yield KeysBar()

    def action_pick(self, ident: str) -> None:
        """Close with the chosen action."""
        self.dismiss(ident or None)


class CountScreen(ShowsUserErrors, ModalScreen[int | None]):
    """The blind count: pieces per note and coin; the expected cash is not shown.

    One entry line takes the counts in order (Enter = next kind; an empty Enter keeps the
    kind's count), so a fast typist's keys never land on the wrong kind. Up/Down move the
    marker; F10 finishes with the counted total.
    """

    BINDINGS = [
        Binding("f10", "done", "Counted", id="count-done"),
        Binding("up", "move(-1)", "Previous", id="count-up"),
        Binding("down", "move(1)", "Next", id="count-down"),
        Binding("escape", "cancel", "Cancel", id="count-cancel"),
    ]

    def __init__(
        self,
        denominations: Sequence[Denomination],
        currency: str,
        counts: list[int] | None = None,
    ) -> None:
        super().__init__()
        self.denominations = tuple(denominations)
        self.currency = currency
        #: pieces per kind; a recount passes the list of the count before (kept as typed)
        self.counts = counts if counts is not None else [0] * len(self.denominations)
        if len(self.counts) != len(self.denominations):
            self.counts[:] = [0] * len(self.denominations)
        self.index = 0

    def compose(self) -> ComposeResult:
        """The kinds with their counts, the running total and the entry line."""
        with Vertical(classes="dialog", id="count-dialog"):
            yield Label("Z close: count the drawer", classes="dialog-title")
            yield Static(
                "Type how many of the marked kind, Enter (next). "
                "Up/Down move, F10 when done, Esc cancels.",
                classes="dialog-hint",
            )
            with VerticalScroll(id="count-scroll"):  # the kinds scroll; the rest is pinned
                yield Static("", id="count-rows")
            yield Static("", id="count-total")
            yield EntryLine(placeholder="pieces", id="count-entry", restrict=r"[0-9]*")
            yield Static("", id="count-error", classes="error", markup=False)
        yield KeysBar()

    def on_mount(self) -> None:
        """Start at the largest note."""
        self.query_one("#count-entry", EntryLine).focus()
        self._show()

    def counted(self) -> int:
        """The counted total so far."""
        return count_total(dict(zip(self.denominations, self.counts, strict=True)))

    def _show(self) -> None:
        lines = []
        for i, (d, pieces) in enumerate(zip(self.denominations, self.counts, strict=True)):
            amount = format_money(d.cents * pieces) if pieces else ""
            mark = ">" if i == self.index else " "  # labels come from config: plain text
            row = f"{mark}{d.label:>8} x {pieces or '':>5}  {amount:>10} "
            lines.append(plain(row, style="reverse" if i == self.index else ""))
        self.query_one("#count-rows", Static).update(Text("\n").join(lines))
        self.query_one("#count-total", Static).update(
            styled("Counted: [b]$total[/b]", total=format_money(self.counted(), self.currency))
        )
        # keep the marked kind in view (the list scrolls at 80x24; the total does not)
        scroll = self.query_one("#count-scroll", VerticalScroll)
        scroll.scroll_to(y=max(self.index - scroll.size.height // 2, 0), animate=False)

    def on_entry_line_code_entered(self, event: EntryLine.CodeEntered) -> None:
        """A count for the marked kind (empty keeps it); then the next kind."""
        event.stop()
        if not self._take(event.text):
            return
        self.index = min(self.index + 1, len(self.denominations) - 1)
        self._show()

    def _take(self, text: str) -> bool:
        error = self.query_one("#count-error", Static)
        if text.strip():
            try:
                self.counts[self.index] = parse_pieces(text)
            except DomainError as exc:
                self.app.bell()
                error.update(str(exc))
                return False
        error.update("")
        return True

    def action_move(self, step: int) -> None:
        """Mark the previous or next kind."""
        self.index = min(max(self.index + step, 0), len(self.denominations) - 1)
        self._show()

    def action_done(self) -> None:
        """Finish with the counted total (a count still in the entry line counts)."""
        entry = self.query_one("#count-entry", EntryLine)
        if not self._take(entry.value):
            return
        entry.value = ""
        self.dismiss(self.counted())

    def action_cancel(self) -> None:
        """Do not close the day."""
        self.dismiss(None)


class TableScreen(ShowsUserErrors, ModalScreen[None]):
    """A read-only table (audit log, hours). Esc or Enter closes."""

    BINDINGS = [Binding("escape,enter", "close", "Close", id="table-close")]

    def __init__(
        self, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], empty: str
    ) -> None:
        super().__init__()
        self.title_text = title
        self.columns = tuple(columns)
        self.rows = [tuple(r) for r in rows]
        self.empty = empty

    def compose(self) -> ComposeResult:
        """The title and the table (or a line saying there is nothing)."""
        with Vertical(classes="dialog wide"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            if not self.rows:
                yield Static(self.empty, classes="dialog-hint", markup=False)
            else:
                table: DataTable[str] = DataTable(id="table-rows", zebra_stripes=True)
                table.can_focus = True
                yield table
        yield KeysBar()

    def on_mount(self) -> None:
        """Fill the table."""
        if not self.rows:
            return
        table = self.query_one("#table-rows", DataTable)
        table.add_columns(*plain_row(self.columns))
        table.add_rows(plain_row(row) for row in self.rows)
        table.focus()

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)
