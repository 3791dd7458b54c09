"""Find a customer as you type (phone, name or card) and attach them to the sale.

Enter attaches the highlighted customer, Ctrl+N creates one from ``name, phone``, F4 shows
the profile, F8 takes the customer off the sale, F6 lists the saved segments. Scanning a
loyalty card here attaches its customer.
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from tui_pos.domain.customer import Customer
from tui_pos.domain.errors import DomainError, PosError, StorageError
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.screens.customer_profile import ProfileScreen
from tui_pos.screens.dialogs import FLOW_GROUP, PromptScreen, ask
from tui_pos.screens.segments import SegmentsScreen
from tui_pos.services.customers import Customers
from tui_pos.services.register import Register
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.plain import plain_row, styled
from tui_pos.widgets.scan_aware_input import ScanAwareInput


class CustomerScreen(ShowsUserErrors, ModalScreen[str | None]):
    """Result: a message for the register (attached, created, detached) or None."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="customer-close"),
        Binding("ctrl+n", "new", "New customer", id="customer-new"),
        Binding("f4", "profile", "Profile", id="customer-profile"),
        Binding("f8", "detach", "Take off sale", id="customer-detach"),
        Binding("f6", "segments", "Segments", id="customer-segments"),
        Binding("up", "move(-1)", "Up", show=False, id="customer-up"),
        Binding("down", "move(1)", "Down", show=False, id="customer-down"),
    ]

    def __init__(self, customers: Customers, register: Register, export_dir: Path) -> None:
        super().__init__()
        self.customers = customers
        self.register = register
        self.export_dir = export_dir
        self.results: list[Customer] = []

    def compose(self) -> ComposeResult:
        """Who is attached, the search input, the results."""
        with Vertical(classes="dialog wide"):
            yield Label("Customer (Enter attaches to the sale)", classes="dialog-title")
            yield Static(
                self._attached_text(), id="customer-attached", classes="dialog-hint", markup=False
            )
            yield ScanAwareInput(placeholder="Phone, name or card number", id="customer-input")
            table: DataTable[str] = DataTable(id="customer-results", cursor_type="row")
            table.can_focus = False
            yield table
            yield Static(
                "Ctrl+N new (type: name, phone)  ·  F4 profile  ·  F8 take off  ·  F6 segments",
                id="customer-detail",
                classes="dialog-hint",
                markup=False,
            )
        yield KeysBar()

    def on_mount(self) -> None:
        """Columns of the results."""
        table = self.query_one("#customer-results", DataTable)
        table.add_columns(*plain_row(("Name", "Phone", "Card", "Email")))

    def _attached_text(self) -> str:
        customer_id = self.register.cart.customer_id
        if customer_id is None:
            return "No customer on this sale"
        try:
            return f"On this sale: {self.customers.get(customer_id).name}"
        except PosError:
            return f"On this sale: customer #{customer_id}"

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search again for the latest text."""
        self.search(event.value)

    @work(thread=True, exclusive=True, group="customer-search", exit_on_error=False)
    def search(self, text: str) -> None:
        """Look the text up off the UI thread; the newest search wins."""
        try:
            found = self.customers.search(text)
        except StorageError as exc:
            self.app.call_from_thread(self.say, str(exc), error=True)
            return
        self.app.call_from_thread(self._show, found, bool(text.strip()))

    def _show(self, found: list[Customer], searched: bool) -> None:
        self.results = found
        table = self.query_one("#customer-results", DataTable)
        table.clear()
        for c in found:
            d = c.details
            table.add_row(*plain_row((c.name, d.phone, d.card or "", d.email)))
        if searched:
            self._detail(f"{len(found)} found" if found else "Nobody found: Ctrl+N adds them")

    def _detail(self, text: str | Content) -> None:
        self.query_one("#customer-detail", Static).update(text)

    def say(self, text: str, *, error: bool = False) -> None:
        """The detail line (where a refusal is shown, in red; it rings the bell)."""
        if error:
            self.app.bell()
            self._detail(styled("[red]$text[/red]", text=text))
        else:
            self._detail(text)

    def _selected(self) -> Customer | None:
        table = self.query_one("#customer-results", DataTable)
        if not self.results or not table.row_count:
            return None
        return self.results[table.cursor_row]

    def action_move(self, step: int) -> None:
        """Move the selection while typing."""
        table = self.query_one("#customer-results", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Attach the highlighted customer."""
        event.stop()
        chosen = self._selected()
        if chosen is None:
            self.say("Nobody selected: type a phone, a name or a card number", error=True)
            return
        self._attach_customer(chosen.id)

    def _attach_customer(self, customer_id: int) -> None:
        customer = self.customers.attach(self.register, customer_id)
        self.dismiss(f"Customer: {customer.name}")

    def accept_scan(self, code: str) -> None:
        """A loyalty card scanned here attaches its customer."""
        scanned = self.register.parser.parse(code)
        if scanned.kind != "customer":
            raise DomainError("That is not a loyalty card")
        customer = self.customers.attach_card(self.register, scanned.code)
        self.dismiss(f"Customer: {customer.name}")

    def action_new(self) -> None:
        """Create a customer from ``name, phone`` and attach them."""
        typed = self.query_one("#customer-input", Input).value.strip()
        prompt = PromptScreen(
            "New customer",
            "Name, phone (e.g. Ada Lovelace, 07700 900123); more in the profile later",
            self.customers.create_quick,
            value=typed if not typed.replace(" ", "").isdigit() else f", {typed}",
            scan_aware=False,
        )
        self._attach_created(ask(self.app, prompt))

    @work(group=FLOW_GROUP)
    async def _attach_created(self, created: Awaitable[Customer | None]) -> None:
        customer = await created
        if customer is not None:
            self._attach_customer(customer.id)

    def action_profile(self) -> None:
        """The profile of the highlighted customer, else of the one on the sale."""
        chosen = self._selected()
        customer_id = chosen.id if chosen else self.register.cart.customer_id
        if customer_id is None:
            self.say("Choose a customer first", error=True)
            return
        basket = [ln.product_id for ln in self.register.cart.lines]
        self.app.push_screen(ProfileScreen(self.customers, customer_id, basket))

    def action_detach(self) -> None:
        """Take the customer off the sale."""
        if self.register.cart.customer_id is None:
            self.say("No customer on this sale", error=True)
            return
        self.register.set_customer(None)
        self.dismiss("Customer taken off the sale")

    def action_segments(self) -> None:
        """Saved segments, their counts, and export."""
        self.app.push_screen(SegmentsScreen(self.customers, self.export_dir))

    def action_close(self) -> None:
        """Back to the sale."""
        self.dismiss(None)
