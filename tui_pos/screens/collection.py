"""Online orders waiting for collection (Ctrl+G, o): find one, hand it over."""

from __future__ import annotations

from collections.abc import Awaitable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from tui_pos.domain.errors import StorageError
from tui_pos.domain.money import format_money
from tui_pos.screens.dialogs import FLOW_GROUP, ConfirmScreen, ask
from tui_pos.screens.list_screen import ListScreen, list_table, right
from tui_pos.screens.returns import StoreServices
from tui_pos.services.online_orders import CollectionOrder
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.plain import plain, plain_row


class CollectionScreen(ListScreen):
    """Online orders for collection: find by order id or name, Enter hands one over."""

    BINDINGS = [
        Binding("f10", "hand_over", "Hand over", id="collection-hand-over"),
        Binding("up", "move(-1)", "Up", show=False, id="collection-up"),
        Binding("down", "move(1)", "Down", show=False, id="collection-down"),
        Binding("escape", "close", "Close", id="collection-close"),
    ]

    def __init__(self, services: StoreServices) -> None:
        super().__init__()
        self.services = services
        self.orders: list[CollectionOrder] = []

    def compose(self) -> ComposeResult:
        """Search field, orders, message line."""
        with Vertical(classes="dialog wide"):
            yield Label("Online orders to collect", classes="dialog-title")
            yield Static(
                "Type an order id or the customer's name, Enter searches; F10 hands over",
                classes="dialog-hint",
            )
            yield Input(placeholder="Order id or name", id="collection-input")
            yield list_table(self.TABLE_ID)
            yield Static("", id="stock-message", markup=False)
        yield KeysBar()

    def on_mount(self) -> None:
        """List every waiting order."""
        self.table.add_columns(*plain_row(("Order", "Customer", "Items", "Total", "Since")))
        self.query_one("#collection-input", Input).focus()
        self.search("")

    def search(self, text: str) -> None:
        """Show the waiting orders matching ``text``."""
        try:
            self.orders = self.services.online_orders.find_for_collection(text)
        except StorageError as exc:
            self.say(str(exc), error=True)
            return
        self.table.clear()
        for o in self.orders:
            self.table.add_row(
                plain(o.order_id),
                plain(o.customer_name or "-"),
                right(str(o.item_count)),
                right(format_money(o.total_cents)),
                plain(o.created_at.astimezone().strftime("%d %b %H:%M")),
            )
        self.say(f"{len(self.orders)} order(s) waiting" if self.orders else "No order waiting")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Search."""
        event.stop()
        self.search(event.value)

    def action_hand_over(self) -> None:
        """Mark the selected order as collected (asks first)."""
        if not self.orders:
            self.say("No order selected", error=True)
            return
        order = self.orders[self.table.cursor_row]
        who = f" to {order.customer_name}" if order.customer_name else ""
        question = f"Hand over order {order.order_id}{who}?"
        self._hand_over(ask(self.app, ConfirmScreen(question)), order)

    @work(group=FLOW_GROUP)
    async def _hand_over(self, confirmed: Awaitable[bool], order: CollectionOrder) -> None:
        if not await confirmed:
            return
        cashier = self.services.returns.register.cashier
        self.services.online_orders.hand_over(order, cashier.name if cashier else "")
        self.search(self.query_one("#collection-input", Input).value)
        self.say(f"Order {order.order_id} handed over")
