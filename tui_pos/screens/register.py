"""The sale screen: entry line (always focused), cart, totals, and a key for every action.

What it shows is in ``sale_view.py``, the keys that change the sale in ``sale_edits.py``,
paying and storing in ``sale_storing.py``. Everything beyond the sale (devices, cash,
log-in) is the App's: this screen posts a message (``messages.py``) and the App routes it.
"""

from __future__ import annotations

from collections.abc import Awaitable

from textual import work
from textual.binding import Binding

from tui_pos.domain.errors import DomainError
from tui_pos.domain.receipt import sale_number
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action, Approval
from tui_pos.messages import BadgeScanned, FlowRequested, ReprintRequested
from tui_pos.screens.authorize import approval_for
from tui_pos.screens.dialogs import FLOW_GROUP, PromptScreen, ask
from tui_pos.screens.returns import ReturnScreen, StoreServices
from tui_pos.screens.sale_edits import SaleEdits
from tui_pos.screens.sale_storing import SaleStoring
from tui_pos.screens.sale_view import ScreenSettings
from tui_pos.widgets.entry_line import EntryLine

__all__ = ["RegisterScreen", "ScreenSettings"]

#: Actions that need lines in the cart.
_NEEDS_LINES = {
    "void_line",
    "void_sale",
    "line_discount",
    "cart_discount",
    "suspend",
    "tender",
    "price_override",
}

#: What still works while a paid sale is being stored (nothing that changes the sale).
_WHILE_STORING = {"move", "clear_entry", "price_check", "print_queue", "receipt", "reprint"}


class RegisterScreen(SaleEdits, SaleStoring):
    """Sell: scan or type into the entry line; every other action is a function key."""

    BINDINGS = [
        Binding("f2", "search", "Find", id="search"),
        Binding("f3", "price_check", "Price", id="price-check"),
        Binding("f4", "line_discount", "Disc", id="discount-line"),
        Binding("f5", "cart_discount", "Sale%", id="discount-cart"),
        Binding("f6", "suspend", "Park", id="suspend-sale"),
        Binding("f7", "resume", "Unpark", id="resume-sale"),
        Binding("f8", "void_line", "Void", id="void-line"),
        Binding("f9", "void_sale", "Void all", id="void-sale"),
        Binding("f10", "tender", "Pay", id="tender"),
        Binding("f11", "receipt", "Rcpt", id="receipt-preview"),
        Binding("f12", "reprint", "Reprint", id="reprint"),
        Binding("ctrl+o", "no_sale", "No sale", id="no-sale"),
        Binding("ctrl+p", "print_queue", "Print queue", id="print-queue"),
        # Priority: the entry line (an Input) would take these keys for its own editing.
        Binding("ctrl+e", "price_override", "Set price", id="price-override", priority=True),
        Binding("ctrl+k", "cash_menu", "Cash/staff", id="cash-menu", priority=True),
        Binding("ctrl+l", "lock", "Lock", id="lock", priority=True),
        Binding("ctrl+r", "reports", "Reports", id="reports"),
        Binding("ctrl+b", "returns", "Return", id="returns", priority=True),
        Binding("ctrl+g", "stock", "Stock", id="stock", priority=True),
        # priority: the entry line would take ctrl+u as "delete to the start" otherwise
        Binding("ctrl+u", "customer", "Customer", id="customer", priority=True),
        Binding("up", "move(-1)", "Line up", show=False, id="line-up"),
        Binding("down", "move(1)", "Line down", show=False, id="line-down"),
        Binding("escape", "clear_entry", "Clear", show=False, id="clear-entry"),
    ]

    def accept_scan(self, code: str) -> None:
        """A code from a scanner device (evdev, serial): like typing it and Enter.

        A quantity typed in the entry line (``3*``) applies to it.
        """
        if self._refused_while_storing(code):
            return
        if self._is_badge(code) or self._open_receipt(code):
            return
        typed = self.entry.value.strip()
        prefix = typed if typed.endswith("*") else ""
        if prefix:
            self.entry.clear()
        self._sell(prefix + code)

    def _is_badge(self, code: str) -> bool:
        """An employee badge scanned at the sale hands the till to that employee."""
        try:
            scanned = self.register.parser.parse(code.strip())
        except DomainError:
            return False
        if scanned.kind != "employee":
            return False
        self.post_message(BadgeScanned(code.strip()))
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out keys that do not apply to the sale as it is."""
        if self.storing and action not in _WHILE_STORING:
            return None
        if action == "customer" and self.customers is None:
            return None
        if action in _NEEDS_LINES and self.register.cart.is_empty:
            return None
        if action == "resume" and not self.register.cart.is_empty:
            return None
        return True

    # -- entry line -----------------------------------------------------------------
    def on_entry_line_code_entered(self, event: EntryLine.CodeEntered) -> None:
        """Scanned or typed code: add a line (or refuse it; the entry is already clear)."""
        event.stop()
        if not event.text.strip():
            return  # a stray Enter (e.g. pressed just before a dialog opened) does nothing
        if self._refused_while_storing(event.text):
            return
        if self._is_badge(event.text) or self._open_receipt(event.text):
            return
        if self._is_words(event.text):
            self._search_for(event.text.strip())  # a name, not a code: find it
            return
        self._sell(event.text)

    def _is_words(self, text: str) -> bool:
        """Typed text that is no code (it has letters and the barcode rules do not read
        it): the start of a product's name."""
        cleaned = text.strip()
        if "*" in cleaned or not any(c.isalpha() for c in cleaned):
            return False
        try:
            self.register.parser.parse(cleaned)
        except DomainError:
            return True
        return False

    def action_clear_entry(self) -> None:
        """Clear the entry line and any pending quantity."""
        self.entry.clear()
        self.register.clear_pending_quantity()
        self.say("Cleared")
        self.refresh_sale()

    def action_move(self, step: int) -> None:
        """Select the line above or below."""
        table = self.cart_table
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    # -- dialogs --------------------------------------------------------------------
    def _take_entry(self) -> str | None:
        """What is typed in the entry line, for a dialog about to open.

        ``3*`` becomes the quantity of the next item (so ``3*`` F2 adds three of what is
        found); other text is returned to start the search with. None: the quantity was bad.
        """
        text = self.entry.value.strip()
        self.entry.clear()
        if text.endswith("*"):
            ok = self.attempt(lambda: self.register.enter(text).message)
            return "" if ok else None
        return text

    def action_search(self) -> None:
        """Find a product by name and add it."""
        initial = self._take_entry()
        if initial is None:
            return
        self._search_for(initial)

    def _search_for(self, initial: str) -> None:
        """The find dialog, starting with ``initial``; the product picked is added."""
        from tui_pos.screens.search import SearchScreen  # loaded on first use

        search = SearchScreen(self.register, "add", self.settings.currency, initial)
        self._add_found(ask(self.app, search))

    @work(group=FLOW_GROUP)
    async def _add_found(self, found: Awaitable[int | None]) -> None:
        product_id = await found
        if product_id is not None:
            self.attempt(lambda: self.register.add_product(product_id).message, select_last=True)

    def action_price_check(self) -> None:
        """Look up a price without adding anything."""
        initial = self._take_entry()
        from tui_pos.screens.search import SearchScreen  # loaded on first use

        self.app.push_screen(
            SearchScreen(self.register, "price", self.settings.currency, initial or "")
        )

    def _open_receipt(self, code: str) -> bool:
        """A scanned or typed receipt barcode opens the return of its sale."""
        if self.services is None or self.services.returns.receipt_number(code) is None:
            return False
        self._return(self.services, code)
        return True

    def action_returns(self) -> None:
        """Return or exchange: find the sale by its receipt, pick the lines."""
        if self.services is None:
            return
        initial = self.entry.value.strip()
        self.entry.clear()
        self._return(self.services, initial)

    def _return(self, services: StoreServices, initial: str) -> None:
        self._returned(ask(self.app, ReturnScreen(services, initial)))

    @work(group=FLOW_GROUP)
    async def _returned(self, closed: Awaitable[None]) -> None:
        """The return screen closed (its lines are in the open sale): the sale again."""
        await closed
        self.refresh_sale(select_last=True)
        if any(ln.is_return for ln in self.register.cart.lines):
            self.say("Return lines added: scan new items for an exchange, F10 to settle")

    def action_stock(self) -> None:
        """Stock: receive, count, adjust, low stock, online orders to collect."""
        if self.services is not None:
            from tui_pos.screens.stock import StockMenuScreen  # loaded on first use

            self.app.push_screen(StockMenuScreen(self.services))

    def action_customer(self) -> None:
        """Find, create, attach or take off the sale's customer (Ctrl+U)."""
        if self.customers is None:
            return
        from tui_pos.screens.customer import CustomerScreen  # loaded on first use

        self._said(ask(self.app, CustomerScreen(self.customers, self.register, self.export_dir)))

    def action_receipt(self) -> None:
        """Show the last receipt on screen."""
        from tui_pos.screens.receipt import ReceiptScreen  # loaded on first use (cold start)

        if self.receipts is None:
            return
        lines = self.receipts.lines(self.register.last_completed())
        self.app.push_screen(ReceiptScreen(lines))

    def action_reprint(self) -> None:
        """Print a receipt again, marked as a copy: the last one, or any by its number."""
        prompt = PromptScreen(
            "Reprint a receipt",
            "Enter = the last sale, or type its number (42 or T1-000042)",
            self.register.find_sale,
            scan_aware=False,
        )
        self._reprint(ask(self.app, prompt))

    @work(group=FLOW_GROUP)
    async def _reprint(self, found: Awaitable[SaleDocument | None]) -> None:
        doc = await found
        if doc is not None:
            self.post_message(ReprintRequested(doc))
            self.say(f"Reprinting {sale_number(doc)}")

    def action_no_sale(self) -> None:
        """Open the cash drawer without a sale (recorded)."""
        if not self.register.cart.is_empty:
            self.say("Finish or park the sale before a no-sale", error=True)
            return
        self.post_message(FlowRequested("no-sale"))

    def action_print_queue(self) -> None:
        """See and retry receipts waiting for the printer."""
        self.post_message(FlowRequested("print-queue"))

    def action_cash_menu(self) -> None:
        """Cash in/out, X report, Z close, clock in/out, audit log."""
        self.post_message(FlowRequested("cash-menu"))

    def action_lock(self) -> None:
        """Log out; the next cashier logs in (the open sale stays)."""
        self.post_message(FlowRequested("lock"))

    def action_reports(self) -> None:
        """Open the reports screen (needs REPORTS)."""
        self._reports(approval_for(self, Action.REPORTS, "Reports"))

    @work(group=FLOW_GROUP)
    async def _reports(self, approved: Awaitable[Approval | None]) -> None:
        if await approved is not None:
            self.post_message(FlowRequested("reports"))
