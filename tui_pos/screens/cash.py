"""The cash and staff menu (Ctrl+K) and its screens: the blind count, the Z check, the
audit log and hours worked. The app runs the flows (it owns printing and the services)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from tui_pos.domain.cash import Denomination, count_total, parse_pieces
from tui_pos.domain.errors import DomainError
from tui_pos.domain.money import format_money

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


class CashMenuScreen(ModalScreen[str | None]):
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
            yield Label(f"Cash and staff  ·  {self.who}", classes="dialog-title")
            yield Static(
                "\n".join(f"[b]{key.upper()}[/b]  {label}" for key, _, label in MENU)
                + "\n\n[b]Esc[/b] back to the sale",
            )

    def action_pick(self, ident: str) -> None:
        """Close with the chosen action."""
        self.dismiss(ident or None)


class CountScreen(ModalScreen[int | None]):
    """The blind count: pieces per note and coin; the expected cash is not shown.

    Enter or Down moves to the next kind, Up back; F10 finishes with the counted total.
    """

    BINDINGS = [
        Binding("f10", "done", "Counted", id="count-done"),
        Binding("up", "move(-1)", "Previous", show=False, id="count-up"),
        Binding("down", "move(1)", "Next", show=False, id="count-down"),
        Binding("escape", "cancel", "Cancel", id="count-cancel"),
    ]

    def __init__(self, denominations: Sequence[Denomination], currency: str) -> None:
        super().__init__()
        self.denominations = tuple(denominations)
        self.currency = currency

    def compose(self) -> ComposeResult:
        """One field per denomination and the running total."""
        with Vertical(classes="dialog", id="count-dialog"):
            yield Label("Z close: count the drawer", classes="dialog-title")
            yield Static(
                "Type how many of each (Enter = next). F10 when done, Esc cancels.",
                classes="dialog-hint",
            )
            with VerticalScroll(id="count-rows"):
                for index, d in enumerate(self.denominations):
                    yield Input(
                        placeholder=f"{d.label:>8}  x pieces",
                        id=f"count-{index}",
                        restrict=r"[0-9]*",
                        max_length=6,
                        classes="count-field",
                    )
            yield Static("", id="count-total")
            yield Static("", id="count-error", classes="error")

    def on_mount(self) -> None:
        """Start at the largest note."""
        self._field(0).focus()
        self._show_total()

    def _field(self, index: int) -> Input:
        return self.query_one(f"#count-{index}", Input)

    def _index(self) -> int:
        focused = self.focused
        if isinstance(focused, Input) and focused.id and focused.id.startswith("count-"):
            return int(focused.id.removeprefix("count-"))
        return 0

    def counted(self) -> int:
        """The total of the fields (raises DomainError for a field that is not a count)."""
        counts = {d: parse_pieces(self._field(i).value) for i, d in enumerate(self.denominations)}
        return count_total(counts)

    def _show_total(self) -> None:
        error = self.query_one("#count-error", Static)
        try:
            total = self.counted()
        except DomainError as exc:
            error.update(str(exc))
            return
        error.update("")
        self.query_one("#count-total", Static).update(
            f"Counted: [b]{format_money(total, self.currency)}[/b]"
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        """Keep the counted total up to date."""
        event.stop()
        self._show_total()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves on; on the last field it finishes."""
        event.stop()
        if self._index() == len(self.denominations) - 1:
            self.action_done()
        else:
            self.action_move(1)

    def action_move(self, step: int) -> None:
        """Move between the fields."""
        index = min(max(self._index() + step, 0), len(self.denominations) - 1)
        self._field(index).focus()

    def action_done(self) -> None:
        """Finish with the counted total."""
        try:
            total = self.counted()
        except DomainError as exc:
            self.app.bell()
            self.query_one("#count-error", Static).update(str(exc))
            return
        self.dismiss(total)

    def action_cancel(self) -> None:
        """Do not close the day."""
        self.dismiss(None)


class TableScreen(ModalScreen[None]):
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
            yield Label(self.title_text, classes="dialog-title")
            if not self.rows:
                yield Static(self.empty, classes="dialog-hint")
                return
            table: DataTable[str] = DataTable(id="table-rows", zebra_stripes=True)
            table.can_focus = True
            yield table

    def on_mount(self) -> None:
        """Fill the table."""
        if not self.rows:
            return
        table = self.query_one("#table-rows", DataTable)
        table.add_columns(*self.columns)
        table.add_rows(self.rows)
        table.focus()

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)
