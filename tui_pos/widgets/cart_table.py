"""The cart as a table: one row per line, the selected row is the one line keys act on."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from tui_pos.domain.cart import Cart
from tui_pos.domain.cart_lines import CartLine
from tui_pos.domain.cart_totals import CartTotals, LineTotals
from tui_pos.domain.money import format_money
from tui_pos.domain.quantity import format_quantity
from tui_pos.widgets.plain import plain

#: (key, label, width); the item column takes whatever width is left.
_FIXED = (("qty", "Qty", 9), ("price", "Price", 8), ("disc", "Disc.", 7))
_AMOUNT = ("amount", "Amount", 9)
_CELL_PADDING = 2  # DataTable pads each cell by one on both sides
_CHROME = 4  # border and scrollbar


_COLUMN_KEYS = ("item", "qty", "price", "disc", "amount")


def _cells(line: CartLine, lt: LineTotals) -> tuple[str, ...]:
    """The texts of one line's row."""
    discount = lt.line_discount_cents + lt.cart_discount_cents
    name = line.name
    if line.is_return:
        name = f"RETURN {name}" + ("" if line.to_stock else " (damaged)")
    elif lt.promotion:
        name = f"{name} · {lt.promotion}"
    return (
        name,
        format_quantity(line.qty_milli, line.unit),
        format_money(line.unit_price_cents),
        format_money(-discount) if discount else "",
        format_money(lt.amount_cents),
    )


def _render(cells: tuple[str, ...], start: int = 0) -> list[str | Text]:
    """Cells as shown (the name as text, never markup): numbers right-aligned, the amount
    bold."""
    out: list[str | Text] = []
    for index, text in enumerate(cells, start=start):
        if index == 0:
            out.append(plain(text))
        else:
            out.append(Text(text, justify="right", style="bold" if index == 4 else ""))
    return out


class CartTable(DataTable[str | Text]):
    """Lines of the open sale. Never takes focus: the entry line keeps it."""

    can_focus = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._item_width = 0
        self._shown: tuple[Cart, CartTotals] | None = None
        self._cells: dict[str, tuple[str, ...]] = {}  #: what each shown row holds, by line

    def _layout_columns(self) -> bool:
        """Give the item name all the width the other columns do not need (True: redone)."""
        fixed = sum(w for _, _, w in _FIXED) + _AMOUNT[2]
        padding = _CELL_PADDING * (len(_FIXED) + 2)
        width = max(12, self.size.width - fixed - padding - _CHROME)
        if width == self._item_width and self.columns:
            return False
        self._item_width = width
        self.clear(columns=True)
        self._cells = {}
        self.add_column(plain("Item"), key="item", width=width)
        for key, label, w in (*_FIXED, _AMOUNT):
            self.add_column(plain(label), key=key, width=w)
        return True

    def on_resize(self, _event: events.Resize) -> None:
        """Re-fit the columns to the new width."""
        self._item_width = 0
        if self._shown is not None:
            self.show(*self._shown)
        else:
            self._layout_columns()

    def show(self, cart: Cart, totals: CartTotals, *, select_last: bool = False) -> None:
        """Redraw from ``cart``; keep the selected row unless told to select the last line.

        Only what changed is redrawn (a scan adds one row), so a long sale stays fast.
        """
        self._shown = (cart, totals)
        row = self.cursor_row
        relaid = self._layout_columns()
        wanted = [
            (line.line_id, _cells(line, lt))
            for line, lt in zip(cart.lines, totals.lines, strict=True)
        ]
        keys = [key for key, _ in wanted]
        if relaid or keys[: len(self._cells)] != list(self._cells):
            self.clear()
            self._cells = {}
        for key, cells in wanted:
            before = self._cells.get(key)
            if before is None:
                self.add_row(*_render(cells), key=key)
            elif before != cells:
                for column, old, new in zip(_COLUMN_KEYS, before, cells, strict=True):
                    if old != new:
                        self.update_cell(
                            key, column, _render((new,), start=_COLUMN_KEYS.index(column))[0]
                        )
            self._cells[key] = cells
        if cart.lines:
            target = len(cart.lines) - 1 if select_last else min(row, len(cart.lines) - 1)
            self.move_cursor(row=max(target, 0))

    @property
    def selected_index(self) -> int:
        """Index of the selected line (-1 when the cart is empty)."""
        return self.cursor_row if self.row_count else -1
