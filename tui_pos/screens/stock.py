"""The stock menu (Ctrl+G): receive a delivery, count stock, adjust, low stock, and hand
over online orders waiting for collection."""

from __future__ import annotations

from collections.abc import Awaitable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui_pos.domain.errors import DomainError, StorageError
from tui_pos.domain.quantity import format_quantity
from tui_pos.domain.staff import Action, Approval
from tui_pos.domain.stock import ScanTally
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.screens.dialogs import FLOW_GROUP, ConfirmScreen, PromptScreen, ask
from tui_pos.screens.list_screen import ListScreen, list_table, right
from tui_pos.screens.returns import StoreServices
from tui_pos.services.stock import StockLevel
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.plain import plain, plain_row


class StockMenuScreen(ShowsUserErrors, ModalScreen[None]):
    """One key per stock task."""

    BINDINGS = [
        Binding("r", "receive", "Receive", id="stock-receive"),
        Binding("c", "count", "Count", id="stock-count"),
        Binding("a", "adjust", "Adjust", id="stock-adjust"),
        Binding("l", "low", "Low stock", id="stock-low"),
        Binding("o", "orders", "Collections", id="stock-orders"),
        Binding("escape", "close", "Close", id="stock-close"),
    ]

    def __init__(self, services: StoreServices) -> None:
        super().__init__()
        self.services = services

    def compose(self) -> ComposeResult:
        """The menu."""
        with Vertical(classes="dialog"):
            yield Label("Stock", classes="dialog-title")
            yield Static(
                "[b]r[/b] receive a delivery   [b]c[/b] count stock   [b]a[/b] adjust\n"
                "[b]l[/b] low stock   [b]o[/b] online orders to collect   [b]Esc[/b] close",
                classes="dialog-hint",
            )
            yield Static("", id="stock-message", markup=False)
        yield KeysBar()

    def _tally(self, what: str, mode: str) -> None:
        """Receive or count (needs PRODUCT_ADMIN)."""
        self._open_tally(self.services.permit(Action.PRODUCT_ADMIN, what), mode)

    @work(group=FLOW_GROUP)
    async def _open_tally(self, approved: Awaitable[Approval | None], mode: str) -> None:
        approval = await approved
        if approval is not None:
            await self.app.push_screen(TallyScreen(self.services, mode, approval))

    def action_receive(self) -> None:
        """Scan a delivery in."""
        self._tally("receive a delivery", "receive")

    def action_count(self) -> None:
        """Count stock by scanning."""
        self._tally("count stock", "count")

    def action_adjust(self) -> None:
        """Add or remove stock of one item with a reason."""
        self._adjust(self.services.permit(Action.PRODUCT_ADMIN, "adjust stock"))

    @work(group=FLOW_GROUP)
    async def _adjust(self, approved: Awaitable[Approval | None]) -> None:
        approval = await approved
        if approval is None:
            return
        stock = self.services.stock

        def apply(text: str) -> str:
            code, _, rest = text.strip().partition(" ")
            qty, _, reason = rest.strip().partition(" ")
            if not code or not qty:
                raise DomainError("Type: code quantity reason, e.g. 5900000000015 -2 broken")
            level = stock.adjust(code, qty, reason, approval)
            return f"{level.name}: stock now {format_quantity(level.level_milli, level.unit)}"

        message = await self.app.push_screen_wait(
            PromptScreen(
                "Stock adjustment",
                "code quantity reason: 5900000000015 -2 broken (or +3 found)",
                apply,
                scan_aware=False,
            )
        )
        if message:
            self.query_one("#stock-message", Static).update(message)

    def action_low(self) -> None:
        """Products at or below their reorder level."""
        try:
            levels = self.services.stock.levels(low_only=True)
        except StorageError as exc:
            self.query_one("#stock-message", Static).update(str(exc))
            return
        self.app.push_screen(LowStockScreen(levels))

    def action_orders(self) -> None:
        """Online orders waiting for collection."""
        from tui_pos.screens.collection import CollectionScreen  # loaded on first use

        self.app.push_screen(CollectionScreen(self.services))

    def action_close(self) -> None:
        """Back to the sale."""
        self.dismiss(None)


class TallyScreen(ListScreen):
    """Scan items to receive (a delivery) or to count (with the variance shown)."""

    BINDINGS = [
        Binding("f8", "remove", "Remove", id="tally-remove"),
        Binding("f10", "commit", "Book", id="tally-commit"),
        Binding("up", "move(-1)", "Up", show=False, id="tally-up"),
        Binding("down", "move(1)", "Down", show=False, id="tally-down"),
        Binding("escape", "close", "Cancel", id="tally-cancel"),
    ]

    def __init__(self, services: StoreServices, mode: str, approval: Approval) -> None:
        super().__init__()
        self.services = services
        self.mode = mode  # "receive" | "count"
        self.approval = approval  #: collected by the stock menu; the service checks it
        self.tally = ScanTally()

    def compose(self) -> ComposeResult:
        """Scan field, tally table, message line."""
        title = "Receive a delivery" if self.mode == "receive" else "Stock count"
        with Vertical(classes="dialog wide"):
            yield Label(title, classes="dialog-title")
            yield Static(
                "Scan each item (3*code for three, -1*code takes one off). "
                "F10 books it, F8 removes a line, Esc cancels.",
                classes="dialog-hint",
            )
            yield Input(placeholder="Barcode / PLU", id="tally-input")
            yield list_table(self.TABLE_ID)
            yield Static("", id="stock-message", markup=False)
        yield KeysBar()

    def on_mount(self) -> None:
        """Columns; focus the scan field."""
        if self.mode == "count":
            self.table.add_columns(*plain_row(("Item", "Counted", "Ledger", "Variance")))
        else:
            self.table.add_columns(*plain_row(("Item", "Quantity")))
        self.query_one("#tally-input", Input).focus()

    def accept_scan(self, code: str) -> None:
        """A scanner device read a code."""
        self.add(code)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """A scan or a typed code."""
        event.stop()
        event.input.clear()
        if event.value.strip():
            self.add(event.value)

    def add(self, text: str) -> None:
        """Add one scan to the tally."""
        cleaned = text.strip()
        sign = 1
        if cleaned.startswith("-"):
            sign, cleaned = -1, cleaned[1:]
        item = self.services.stock.scanned(cleaned)
        line = self.tally.add(item.product_id, item.name, item.unit, sign * item.qty_milli)
        self.say(f"{line.name}: {format_quantity(line.qty_milli, line.unit)}")
        self.redraw()

    def redraw(self) -> None:
        """Redraw the tally (a count shows the variance against the ledger)."""
        table = self.table
        table.clear()
        if self.mode == "count":
            try:
                lines = self.services.stock.count_preview(self.tally.quantities())
            except StorageError as exc:
                self.say(str(exc), error=True)
                return
            for c in lines:
                variance = format_quantity(c.variance_milli, c.unit)
                table.add_row(
                    plain(c.name),
                    right(format_quantity(c.counted_milli, c.unit)),
                    right(format_quantity(c.ledger_milli, c.unit)),
                    right(("+" if c.variance_milli > 0 else "") + variance),
                )
        else:
            for ln in self.tally.items:
                table.add_row(plain(ln.name), right(format_quantity(ln.qty_milli, ln.unit)))
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)

    def action_remove(self) -> None:
        """Forget the selected line."""
        items = self.tally.items
        if items:
            self.tally.remove(items[self.table.cursor_row].product_id)
            self.redraw()

    def action_commit(self) -> None:
        """Book the delivery (asks its reference) or apply the count (asks to confirm)."""
        quantities = self.tally.quantities()
        if self.mode == "receive":

            def book(reference: str) -> str:
                written = self.services.stock.receive(reference, quantities, self.approval)
                return f"Delivery {reference.strip()} booked: {written} item(s)"

            prompt = PromptScreen(
                "Book the delivery", "Delivery note or invoice reference", book, scan_aware=False
            )
            self._booked(ask(self.app, prompt))
            return
        if not quantities:
            self.say("Nothing counted: scan the items on the shelf first", error=True)
            return
        question = f"Apply the count of {len(quantities)} item(s) to the stock?"
        self._apply_count(ask(self.app, ConfirmScreen(question)), quantities)

    @work(group=FLOW_GROUP)
    async def _booked(self, answer: Awaitable[str | None]) -> None:
        self._closed_with(await answer)

    @work(group=FLOW_GROUP)
    async def _apply_count(self, confirmed: Awaitable[bool], quantities: dict[int, int]) -> None:
        if not await confirmed:
            return
        lines = self.services.stock.apply_count(quantities, approval=self.approval)
        changed = sum(1 for c in lines if c.variance_milli)
        self._closed_with(f"Count applied: {len(lines)} item(s), {changed} corrected")

    def _closed_with(self, message: str | None) -> None:
        if message:
            self.app.notify(message)
            self.dismiss(None)


class LowStockScreen(ListScreen):
    """Products at or below their reorder level."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="low-up"),
        Binding("down", "move(1)", "Down", show=False, id="low-down"),
        Binding("escape", "close", "Close", id="low-close"),
    ]

    def __init__(self, levels: list[StockLevel]) -> None:
        super().__init__()
        self.levels = levels

    def compose(self) -> ComposeResult:
        """The list."""
        with Vertical(classes="dialog wide"):
            yield Label(f"Low stock ({len(self.levels)})", classes="dialog-title")
            yield list_table(self.TABLE_ID)
            yield Static(
                "Nothing is low" if not self.levels else "", id="stock-message", markup=False
            )
        yield KeysBar()

    def on_mount(self) -> None:
        """Fill the table."""
        self.table.add_columns(*plain_row(("Item", "Code", "Stock", "Reorder at")))
        for lv in self.levels:
            self.table.add_row(
                plain(lv.name),
                plain(lv.code),
                right(format_quantity(lv.level_milli, lv.unit)),
                right(format_quantity(lv.reorder_level_milli, lv.unit)),
            )
