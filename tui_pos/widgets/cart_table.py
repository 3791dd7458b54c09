"""The cart as a table: one row per line, the selected row is the one line keys act on."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from tui_pos.domain.cart import Cart, CartTotals
from tui_pos.domain.money import format_money
from tui_pos.domain.quantity import format_quantity


class CartTable(DataTable[str | Text]):
    """Lines of the open sale. Never takes focus: the entry line keeps it."""

    can_focus = False

    def on_mount(self) -> None:
        """Set up the columns."""
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("#", key="n", width=3)
        self.add_column("Item", key="item", width=24)
        self.add_column("Qty", key="qty", width=9)
        self.add_column("Price", key="price", width=8)
        self.add_column("Disc.", key="disc", width=7)
        self.add_column("Amount", key="amount", width=9)

    def show(self, cart: Cart, totals: CartTotals, *, select_last: bool = False) -> None:
        """Redraw from ``cart``; keep the selected row unless told to select the last line."""
        row = self.cursor_row
        self.clear()
        for n, (line, lt) in enumerate(zip(cart.lines, totals.lines, strict=True), start=1):
            discount = lt.line_discount_cents + lt.cart_discount_cents
            self.add_row(
                str(n),
                line.name,
                Text(format_quantity(line.qty_milli, line.unit), justify="right"),
                Text(format_money(line.unit_price_cents), justify="right"),
                Text(format_money(-discount) if discount else "", justify="right"),
                Text(format_money(lt.amount_cents), justify="right", style="bold"),
                key=line.line_id,
            )
        if cart.lines:
            target = len(cart.lines) - 1 if select_last else min(row, len(cart.lines) - 1)
            self.move_cursor(row=max(target, 0))

    @property
    def selected_index(self) -> int:
        """Index of the selected line (-1 when the cart is empty)."""
        return self.cursor_row if self.row_count else -1
