"""The cart as a table: one row per line, the selected row is the one line keys act on."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from tui_pos.domain.cart import Cart, CartTotals
from tui_pos.domain.money import format_money
from tui_pos.domain.quantity import format_quantity

#: (key, label, width); the item column takes whatever width is left.
_FIXED = (("qty", "Qty", 9), ("price", "Price", 8), ("disc", "Disc.", 7))
_AMOUNT = ("amount", "Amount", 9)
_CELL_PADDING = 2  # DataTable pads each cell by one on both sides
_CHROME = 4  # border and scrollbar


class CartTable(DataTable[str | Text]):
    """Lines of the open sale. Never takes focus: the entry line keeps it."""

    can_focus = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._item_width = 0
        self._shown: tuple[Cart, CartTotals] | None = None

    def _layout_columns(self) -> None:
        """Give the item name all the width the other columns do not need."""
        fixed = sum(w for _, _, w in _FIXED) + _AMOUNT[2]
        padding = _CELL_PADDING * (len(_FIXED) + 2)
        width = max(12, self.size.width - fixed - padding - _CHROME)
        if width == self._item_width and self.columns:
            return
        self._item_width = width
        self.clear(columns=True)
        self.add_column("Item", key="item", width=width)
        for key, label, w in (*_FIXED, _AMOUNT):
            self.add_column(label, key=key, width=w)

    def on_resize(self, _event: events.Resize) -> None:
        """Re-fit the columns to the new width."""
        self._item_width = 0
        if self._shown is not None:
            self.show(*self._shown)
        else:
            self._layout_columns()

    def show(self, cart: Cart, totals: CartTotals, *, select_last: bool = False) -> None:
        """Redraw from ``cart``; keep the selected row unless told to select the last line."""
        self._shown = (cart, totals)
        row = self.cursor_row
        self._layout_columns()
        self.clear()
        for line, lt in zip(cart.lines, totals.lines, strict=True):
            discount = lt.line_discount_cents + lt.cart_discount_cents
            self.add_row(
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
