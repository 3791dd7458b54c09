"""Find a product by name as you type (to add it, or just to check its price)."""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from tui_pos.domain.barcode import display_gtin
from tui_pos.domain.errors import PosError, StorageError
from tui_pos.domain.money import format_money
from tui_pos.domain.quantity import format_quantity
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.services.ports import ProductInfo
from tui_pos.services.register import Register
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.plain import plain, plain_row, styled
from tui_pos.widgets.scan_aware_input import ScanAwareInput

SearchMode = Literal["add", "price"]


def product_code(info: ProductInfo) -> str:
    """The code a person reads: the usual GTIN form, an internal code, or the PLU."""
    p = info.product
    if p.barcode:
        return (
            display_gtin(p.barcode) if len(p.barcode) == 14 and p.barcode.isdigit() else p.barcode
        )
    return f"PLU {p.plu}" if p.plu else ""


def describe(info: ProductInfo, currency: str) -> Content:
    """One product as the price check shows it (its name and codes as text)."""
    p = info.product
    per = "/kg" if p.unit == "kg" else ""
    return styled(
        "[b]$name[/b]   $price $currency$per   tax $tax   stock $stock   $category   $code",
        name=p.name,
        price=format_money(p.price_cents),
        currency=currency,
        per=per,
        tax=p.tax_code,
        stock=format_quantity(info.stock_milli, p.unit),
        category=info.category,
        code=product_code(info),
    )


class SearchScreen(ShowsUserErrors, ModalScreen[int | None]):
    """Type words of a name (or scan a code in price mode); Enter picks, Esc closes.

    In ``add`` mode the result is the chosen product id; in ``price`` mode nothing is
    added: Enter shows the product's price and stock.
    """

    BINDINGS = [
        Binding("enter", "pick", "Pick", id="search-pick"),
        Binding("escape", "close", "Close", id="search-close"),
        Binding("up", "move(-1)", "Up", show=False, id="search-up"),
        Binding("down", "move(1)", "Down", show=False, id="search-down"),
    ]

    def __init__(
        self, register: Register, mode: SearchMode, currency: str, initial: str = ""
    ) -> None:
        super().__init__()
        self.initial = initial
        self.register = register
        self.mode = mode
        self.currency = currency
        self.results: list[ProductInfo] = []

    def compose(self) -> ComposeResult:
        """Input, results, details."""
        title = "Find product (Enter adds it)" if self.mode == "add" else "Price check"
        hint = "Type part of the name" + (" or scan a code" if self.mode == "price" else "")
        with Vertical(classes="dialog wide"):
            yield Label(title, classes="dialog-title")
            yield ScanAwareInput(value=self.initial, placeholder=hint, id="search-input")
            table: DataTable[str | Text] = DataTable(id="search-results", cursor_type="row")
            table.can_focus = False
            yield table
            yield Static("", id="search-detail", markup=False)
        yield KeysBar()

    async def action_pick(self) -> None:
        """Add the selected product (price check: show it); Enter in the field does it."""
        await self.query_one("#search-input", Input).action_submit()

    def on_mount(self) -> None:
        """Columns of the result table."""
        table = self.query_one("#search-results", DataTable)
        table.add_columns(*plain_row(("Name", "Price", "Stock", "Code")))

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search again for the latest text (older searches are cancelled)."""
        self.search(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def search(self, text: str) -> None:
        """Look the text up off the UI thread; the newest search wins."""
        try:
            found = self.register.search(text)
        except StorageError as exc:
            self.app.call_from_thread(self._show_detail, styled("[red]$error[/red]", error=exc))
            return
        self.app.call_from_thread(self._show_results, found, bool(text.strip()))

    def _show_results(self, found: list[ProductInfo], searched: bool) -> None:
        self.results = found
        table = self.query_one("#search-results", DataTable)
        table.clear()
        for info in found:
            p = info.product
            table.add_row(
                plain(p.name),
                Text(format_money(p.price_cents) + ("/kg" if p.unit == "kg" else ""), "bold"),
                plain(format_quantity(info.stock_milli, p.unit)),
                plain(product_code(info)),
            )
        if searched:  # an emptied input keeps the last price check on show
            self._show_detail(f"{len(found)} found" if found else "Nothing found")

    def _show_detail(self, text: str | Content) -> None:
        self.query_one("#search-detail", Static).update(text)

    def action_move(self, step: int) -> None:
        """Move the selection while typing."""
        table = self.query_one("#search-results", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Pick the selected product (or, in price mode, check a scanned code)."""
        event.stop()
        text = event.value.strip()
        if self.mode == "price" and text and not any(c.isspace() for c in text):
            try:
                info = self.register.price_check(text)
            except PosError as exc:
                if not self.results:
                    self.app.bell()
                    self._show_detail(styled("[red]$error[/red]", error=exc))
                    return
            else:
                self._show_detail(describe(info, self.currency))
                event.input.clear()
                return
        table = self.query_one("#search-results", DataTable)
        if not self.results or not table.row_count:
            self.app.bell()
            self._show_detail("Nothing selected: type part of a name")
            return
        chosen = self.results[table.cursor_row]
        if self.mode == "add":
            self.dismiss(chosen.product.id)
        else:
            self._show_detail(describe(chosen, self.currency))

    def accept_scan(self, code: str) -> None:
        """A scan here: in price mode show the item; in add mode add it and close."""
        try:
            info = self.register.price_check(code)
        except PosError as exc:
            self.app.bell()
            self._show_detail(styled("[red]$error[/red]", error=exc))
            return
        if self.mode == "add":
            self.dismiss(info.product.id)
        else:
            self._show_detail(describe(info, self.currency))

    def action_close(self) -> None:
        """Close without adding anything."""
        self.dismiss(None)
