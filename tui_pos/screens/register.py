"""The sale screen: entry line (always focused), cart, totals, and a key for every action."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from tui_pos.domain.cart import CartTotals
from tui_pos.domain.errors import DomainError, WeightNeeded
from tui_pos.domain.money import format_money
from tui_pos.domain.receipt import sale_number
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action, Approval
from tui_pos.screens.authorize import staff_of, with_permission
from tui_pos.screens.dialogs import ConfirmScreen, PromptScreen
from tui_pos.screens.returns import ReturnScreen, StoreServices
from tui_pos.services.customers import CustomerBadge, Customers
from tui_pos.services.ports import StorageError
from tui_pos.services.receipt_mail import ReceiptMailer
from tui_pos.services.register import Register
from tui_pos.services.sale_writer import SaleWriter
from tui_pos.widgets.cart_table import CartTable
from tui_pos.widgets.entry_line import EntryLine
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.sale_info import sale_info
from tui_pos.widgets.totals_panel import TotalsPanel, totals_compact, totals_renderable


@dataclass(frozen=True)
class RegisterActions:
    """What the register screen asks of the app (devices and printing run there)."""

    after_sale: Callable[[SaleDocument], None]  #: drawer, receipt, display after a sale
    reprint: Callable[[SaleDocument], None]
    preview: Callable[[SaleDocument], None]
    no_sale: Callable[[], None]
    print_queue: Callable[[], None]
    sale_changed: Callable[[], None]  #: the customer display follows the sale
    payment_started: Callable[[], None]  #: the customer display shows the total
    lock: Callable[[], None]  #: log the cashier out (Ctrl+L)
    cash_menu: Callable[[], None]  #: cash in/out, X, Z, clock, audit (Ctrl+K)
    switch_cashier: Callable[[str], None]  #: an employee badge was scanned
    reports: Callable[[], None]  #: the reports screen


@dataclass(frozen=True)
class ScreenSettings:
    """What the register screen shows besides the sale."""

    store_name: str
    till: str
    currency: str
    quick_cash: tuple[int, ...]
    printer_note: str


@dataclass(frozen=True)
class _OverLimit:
    """A discount above the limit: it needs an approval before it is given."""

    text: str


#: Below this many columns the totals panel moves under the cart.
NARROW = 110

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


class RegisterScreen(Screen[None]):
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

    def __init__(
        self,
        register: Register,
        settings: ScreenSettings,
        actions: RegisterActions,
        services: StoreServices | None = None,
        customers: Customers | None = None,
        export_dir: Path | None = None,
        writer: SaleWriter | None = None,
        receipt_mail: ReceiptMailer | None = None,
    ) -> None:
        super().__init__()
        self.receipt_mail = receipt_mail  #: e-mail receipts (F10 on the payment screen)
        self.register = register
        #: Stores paid sales off the UI thread; None: the tender screen stores them.
        self.writer = writer
        register.defer_storing = writer is not None
        self.storing = False  #: a paid sale is being stored: the sale cannot change
        self.settings = settings
        self.actions = actions
        self.services = services  #: returns, stock and online orders
        self.device_status: str | Text = ""
        self.device_fault = False
        self.sync_status = ""
        #: Why payment is refused now (the store server's head check), "" when it is not.
        self.selling_blocked = ""
        self.cashier = ""
        self.customers = customers
        self.export_dir = export_dir or Path("exports")
        self._badge: CustomerBadge | None = None
        self._badge_problem = ""
        self._last_sale: SaleDocument | None = None

    def compose(self) -> ComposeResult:
        """Store bar, cart and totals side by side, message line, entry line, footer."""
        yield Static(self._store_bar(), id="store-bar")
        yield Static(
            "", id="customer-badge", markup=False
        )  # customer, promotions, quantity: one row
        with Horizontal(id="sale"):
            yield CartTable(id="cart")
            with Vertical(id="side"):
                yield TotalsPanel(id="totals")
                yield Static("", id="last-sale")
        yield Static("Ready: scan or type a barcode or PLU", id="message", markup=False)
        yield EntryLine(
            placeholder="Barcode / PLU  ·  3*code = quantity  ·  0.350*PLU = weight",
            id="entry",
        )
        yield KeysBar()

    def on_mount(self) -> None:
        """Show the (possibly restored) sale and put the cursor in the entry line."""
        self.refresh_sale()
        self.entry.focus()
        if not self.register.cart.is_empty:
            paid = " (with the payments already taken)" if self.register.has_payments else ""
            self.say(f"The sale open when the till stopped is back{paid}: finish or void it")

    def _store_bar(self) -> Text:
        """Store, till, cashier and the devices in one row; a device fault comes first
        (it stays there until the device works again), so 80 columns never hide it."""
        s = self.settings
        # Once the printer has reported, its state says more than where it is.
        status = self.device_status
        devices = Text(status) if isinstance(status, str) else status
        if not devices.plain:
            devices = Text(s.printer_note)
        parts = [Text(s.store_name, style="bold"), Text(f"till {s.till}")]
        if self.cashier:
            parts.append(Text(self.cashier, style="bold"))
        if self.device_fault:
            parts.insert(0, devices)
        else:
            parts.append(devices)
        if self.sync_status:
            parts.append(Text(self.sync_status))
        bar = Text("  ·  ").join(parts)
        bar.no_wrap = True
        bar.overflow = "ellipsis"
        return bar

    def set_cashier(self, text: str) -> None:
        """Show who is logged in, in the top bar."""
        self.cashier = text
        if self.is_mounted:
            self.query_one("#store-bar", Static).update(self._store_bar())

    def set_sync_status(self, text: str, blocked: str = "") -> None:
        """Show the store server link's state (online / N waiting / offline / conflict);
        ``blocked`` says why this till may not take payment now (a restored backup)."""
        self.sync_status = text
        if blocked and not self.selling_blocked:
            self.say(blocked, error=True)
        self.selling_blocked = blocked
        self.query_one("#store-bar", Static).update(self._store_bar())

    def set_device_status(self, text: str | Text, *, fault: bool = False) -> None:
        """Show the devices' state (a fault, the printer's state, receipts waiting) in the
        top bar."""
        self.device_status = text
        self.device_fault = fault
        self.query_one("#store-bar", Static).update(self._store_bar())

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
        self.actions.switch_cashier(code.strip())
        return True

    def on_resize(self, event: events.Resize) -> None:
        """Below 110 columns the totals go under the cart, in two rows, so the cart keeps
        its width and at least 8 lines at 80x24."""
        narrow = event.size.width < NARROW
        if narrow != self.has_class("narrow"):
            self.set_class(narrow, "narrow")
            self.refresh_sale()
            self._show_last_sale()

    @property
    def entry(self) -> EntryLine:
        """The entry line."""
        return self.query_one("#entry", EntryLine)

    @property
    def cart_table(self) -> CartTable:
        """The cart table."""
        return self.query_one("#cart", CartTable)

    # -- showing -------------------------------------------------------------------
    def refresh_sale(self, *, select_last: bool = False) -> None:
        """Redraw cart and totals from the register; update which keys apply."""
        reg = self.register
        totals = reg.totals()
        self.cart_table.show(reg.cart, totals, select_last=select_last)
        paid = reg.tender_state().paid_cents if reg.has_payments else 0
        include = reg.settings.prices_include_tax
        currency = self.settings.currency
        self.query_one("#totals", TotalsPanel).update(
            totals_compact(totals, prices_include_tax=include, currency=currency, paid_cents=paid)
            if self.has_class("narrow")
            else totals_renderable(
                totals,
                reg.settings.taxes,
                prices_include_tax=include,
                currency=currency,
                paid_cents=paid,
            )
        )
        self._show_customer()
        self._show_info(totals)
        self.refresh_bindings()
        self.actions.sale_changed()

    def _show_customer(self, *, reload: bool = False) -> None:
        """The attached customer's name, tier, points and birthday badge (read only when
        the customer changes, not on every scan)."""
        customer_id = self.register.cart.customer_id
        self._badge_problem = ""
        if customer_id is None or self.customers is None:
            self._badge = None
            return
        if not reload and self._badge is not None and self._badge.customer_id == customer_id:
            return
        try:
            badge = self.customers.badge(customer_id)
        except (DomainError, StorageError) as exc:
            self._badge_problem = f"Customer #{customer_id} ({exc})"
            return
        changed = self._badge is None or self._badge.customer_id != customer_id
        self._badge = badge
        if changed and badge.birthday_offer:
            self._offer_birthday(badge)

    def _show_info(self, totals: CartTotals) -> None:
        """The one-row summary above the cart (hidden when there is nothing to say)."""
        info = sale_info(self._badge, totals, self.register.pending_qty, self._badge_problem)
        widget = self.query_one("#customer-badge", Static)
        widget.update(info or "")
        widget.display = info is not None

    def _offer_birthday(self, badge: CustomerBadge) -> None:
        customers = self.customers
        assert customers is not None

        def answered(yes: bool | None) -> None:
            if yes:
                self.attempt(
                    lambda: (
                        f"Birthday reward: {customers.grant_birthday(badge.customer_id)}"
                        " points added"
                    )
                )
                self._show_customer(reload=True)
                self._show_info(self.register.totals())

        when = badge.birthday_offer.strftime("%d %b") if badge.birthday_offer else ""
        points = customers.rules.birthday_points
        self.app.push_screen(
            ConfirmScreen(f"{badge.name}: birthday {when}. Give {points} points?"), answered
        )

    def say(self, text: str, *, error: bool = False) -> None:
        """Show a message on the message line (errors ring the bell)."""
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(error, "error")
        if error:
            self.app.bell()

    def attempt(self, action: Callable[[], str | None], *, select_last: bool = False) -> bool:
        """Run a register action; show its message or its refusal. True if it worked."""
        try:
            text = action()
        except (DomainError, StorageError) as exc:
            self.say(str(exc), error=True)
            self.refresh_sale()
            return False
        if text:
            self.say(text)
        self.refresh_sale(select_last=select_last)
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

    def _sell(self, text: str) -> None:
        """Add the item; one sold by weight without a weight asks for it."""

        def add() -> str:
            try:
                return self.register.enter(text).message
            except WeightNeeded as need:
                self.call_after_refresh(self._ask_weight, need)
                return f"{need.name} is sold by weight: type the weight"

        self.attempt(add, select_last=True)

    def _ask_weight(self, need: WeightNeeded) -> None:
        """The weight of an item sold by weight (its PLU was typed without one)."""

        def apply(text: str) -> str:
            return self.register.enter(f"{text.strip()}*{need.code}").message

        def after(message: str | None) -> None:
            if message:
                self.say(message)
            self.refresh_sale(select_last=True)

        self.app.push_screen(
            PromptScreen(
                f"Weight of {need.name}",
                "In kg, e.g. 0.350 (Esc: nothing is added)",
                apply,
                scan_aware=False,
            ),
            after,
        )

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

        def picked(product_id: int | None) -> None:
            if product_id is not None:
                self.attempt(
                    lambda: self.register.add_product(product_id).message, select_last=True
                )

        from tui_pos.screens.search import SearchScreen  # loaded on first use

        self.app.push_screen(
            SearchScreen(self.register, "add", self.settings.currency, initial), picked
        )

    def action_price_check(self) -> None:
        """Look up a price without adding anything."""
        initial = self._take_entry()
        from tui_pos.screens.search import SearchScreen  # loaded on first use

        self.app.push_screen(
            SearchScreen(self.register, "price", self.settings.currency, initial or "")
        )

    def action_line_discount(self) -> None:
        """Discount the selected line."""
        index = self.cart_table.selected_index
        if index < 0:
            return
        name = self.register.cart.lines[index].name

        def give(text: str) -> str:
            self.register.set_line_discount(index, text)
            return f"Discount on {name}: {text.strip() or 'removed'}"

        self._ask_discount(f"Discount on {name}", "10% or 1.50 (empty removes it)", index, give)

    def action_cart_discount(self) -> None:
        """Discount the whole sale."""

        def give(text: str) -> str:
            self.register.set_cart_discount(text)
            return f"Sale discount: {text.strip() or 'removed'}"

        self._ask_discount(
            "Discount on the whole sale", "10% or 5.00 (empty removes it)", None, give
        )

    def _ask_discount(
        self, title: str, hint: str, index: int | None, give: Callable[[str], str]
    ) -> None:
        """A discount up to the limit is given at once; above it, someone who may approves
        it first (the prompt closes, the approval modal opens, then it is applied)."""
        staff = staff_of(self)

        def apply(text: str) -> str | _OverLimit:
            share = self.register.discount_share_bp(text, index)
            if staff.discount_needs_approval(share):
                return _OverLimit(text)
            return give(text)

        def after(result: str | _OverLimit | None) -> None:
            if isinstance(result, _OverLimit):
                what = f"{title}: {result.text.strip()}"
                with_permission(
                    self,
                    Action.DISCOUNT_OVER_LIMIT,
                    what,
                    lambda _a: self.attempt(lambda: give(result.text)),
                )
                return
            self._after_prompt(result)

        self.app.push_screen(PromptScreen(title, hint, apply), after)

    def action_price_override(self) -> None:
        """Change the selected line's unit price (needs PRICE_OVERRIDE)."""
        index = self.cart_table.selected_index
        if index < 0:
            return
        line = self.register.cart.lines[index]

        def allowed(_approval: Approval) -> None:
            def apply(text: str) -> str:
                self.register.set_line_price(index, text)
                return f"Price of {line.name} set to {text.strip()}"

            self.app.push_screen(
                PromptScreen(
                    f"New price for {line.name}",
                    f"Now {format_money(line.unit_price_cents)} per {line.unit}",
                    apply,
                    scan_aware=False,
                ),
                self._after_prompt,
            )

        with_permission(self, Action.PRICE_OVERRIDE, f"Price of {line.name}", allowed)

    def _after_prompt(self, message: str | None) -> None:
        if message:
            self.say(message)
        self.refresh_sale()

    def action_void_line(self) -> None:
        """Remove the selected line."""
        index = self.cart_table.selected_index
        if index < 0:
            return
        name = self.register.cart.lines[index].name
        with_permission(
            self,
            Action.VOID_LINE,
            f"Void {name}",
            lambda _a: self.attempt(lambda: f"Voided {self.register.void_line(index).name}"),
        )

    def action_void_sale(self) -> None:
        """Abandon the whole sale (asks first)."""

        def answered(yes: bool | None) -> None:
            if yes:
                total = format_money(self.register.totals().total_cents)
                with_permission(
                    self,
                    Action.VOID_SALE,
                    f"Void the sale of {total}",
                    lambda _a: self.attempt(self._void_sale),
                )

        self.app.push_screen(ConfirmScreen("Void the whole sale?"), answered)

    def _void_sale(self) -> str:
        doc = self.register.void_sale()
        return f"Sale voided ({sale_number(doc)})" if doc else "Sale voided"

    def action_suspend(self) -> None:
        """Park the sale, optionally with a label."""

        def apply(label: str) -> str:
            number = self.register.suspend(label)
            return f"Sale suspended (#{number}): F7 resumes it"

        self.app.push_screen(
            PromptScreen(
                "Suspend this sale", "A label, e.g. the customer's name (optional)", apply
            ),
            self._after_prompt,
        )

    def action_resume(self) -> None:
        """Pick a parked sale and bring it back."""
        try:
            parked = self.register.suspended()
        except StorageError as exc:
            self.say(str(exc), error=True)
            return
        if not parked:
            self.say("No suspended sales", error=True)
            return

        def chosen(suspended_id: int | None) -> None:
            if suspended_id is not None:
                self.attempt(lambda: self._resume(suspended_id), select_last=True)

        from tui_pos.screens.resume import ResumeScreen  # loaded on first use

        self.app.push_screen(ResumeScreen(parked), chosen)

    def _resume(self, suspended_id: int) -> str:
        self.register.resume(suspended_id)
        return "Sale resumed"

    def _open_receipt(self, code: str) -> bool:
        """A scanned or typed receipt barcode opens the return of its sale."""
        if self.services is None or self.services.returns.receipt_number(code) is None:
            return False
        self.app.push_screen(ReturnScreen(self.services, code), self._after_returns)
        return True

    def action_returns(self) -> None:
        """Return or exchange: find the sale by its receipt, pick the lines."""
        if self.services is None:
            return
        initial = self.entry.value.strip()
        self.entry.clear()
        self.app.push_screen(ReturnScreen(self.services, initial), self._after_returns)

    def _after_returns(self, _result: None) -> None:
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

        self.app.push_screen(
            CustomerScreen(self.customers, self.register, self.export_dir), self._after_prompt
        )

    def action_tender(self) -> None:
        """Take payment (or pay out a refund)."""
        from tui_pos.screens.tender import TenderScreen  # loaded on first use

        if self.selling_blocked:
            self.say(self.selling_blocked, error=True)
            return
        self.app.push_screen(
            TenderScreen(
                self.register,
                self.settings.currency,
                self.settings.quick_cash,
                services=self.services,
                customers=self.customers,
                receipt_mail=self.receipt_mail,
            ),
            self._after_tender,
        )
        self.actions.payment_started()

    def _after_tender(self, doc: SaleDocument | None) -> None:
        if doc is None and self.writer is not None and self.register.awaiting_storage:
            self._store_sale(self.writer)
            return
        self.refresh_sale()
        self.entry.focus()
        if doc is not None:
            self._show_stored(doc)

    # -- storing a paid sale off the UI thread ------------------------------------------
    def _store_sale(self, writer: SaleWriter) -> None:
        """Store the paid sale in the writer's thread; the screen stays live meanwhile."""
        try:
            future = writer.submit()
        except DomainError as exc:
            self.say(str(exc), error=True)
            return
        self._set_storing(True)
        self.set_timer(1.0, lambda: self._still_storing(writer.timeout_ms))
        self.run_worker(self._await_stored(future), group="store-sale")

    def _still_storing(self, timeout_ms: int) -> None:
        """A store that takes this long is waiting for a database someone else holds."""
        if self.storing:  # (in the side panel: the message line may hold a refusal)
            self.query_one("#last-sale", Static).update(
                "[b reverse] Storing... [/b reverse]\nThe database is busy"
                f"\n(another program): waiting\nup to {timeout_ms / 1000:g} s"
            )

    async def _await_stored(self, future: Future[SaleDocument]) -> None:
        try:
            stored = await asyncio.wrap_future(future)
        except (DomainError, StorageError) as exc:
            self._set_storing(False)
            # The way out first: the message line may be cut at the screen's edge.
            self.say(f"NOT stored, kept with its payments: F10, Enter retries. {exc}", error=True)
            self.query_one("#last-sale", Static).update(
                "[b reverse] NOT STORED [/b reverse]\nF10, Enter: store it"
            )
            self.refresh_sale()
            return
        self.register.finish_sale(stored)
        self._set_storing(False)
        self.refresh_sale()
        self._show_stored(stored)

    def _set_storing(self, storing: bool) -> None:
        self.storing = storing
        self.set_class(storing, "storing")
        if storing:
            self.say("Storing the sale...")
            self.query_one("#last-sale", Static).update("[b reverse] Storing... [/b reverse]")
        else:
            self.query_one("#last-sale", Static).update("")
        self.refresh_bindings()
        self.entry.focus()

    def _refused_while_storing(self, _code: str) -> bool:
        """A scan or an entry while the sale is being stored is refused (it would change a
        paid sale, or start the next one before this one is stored)."""
        if not self.storing:
            return False
        self.entry.clear()
        self.say(
            "Storing the sale: that entry was NOT added. Scan or type it again once the sale"
            " is stored",
            error=True,
        )
        return True

    def _show_stored(self, doc: SaleDocument) -> None:
        change = f"  ·  CHANGE {format_money(doc.change_cents)}" if doc.change_cents else ""
        if doc.total_cents < 0:
            change = f"  ·  REFUND {format_money(-doc.paid_cents)}"
        points = ""
        if doc.points is not None:
            points = f"  ·  points {doc.points.earned:+,}, balance {doc.points.balance:,}"
        self.say(f"Sale {sale_number(doc)} stored{change}{points}")
        self._last_sale = doc
        self._show_last_sale()
        self.actions.after_sale(doc)
        to = self.receipt_mail.take(doc) if self.receipt_mail is not None else ""
        if to:
            self.run_worker(partial(self._mail_receipt, doc, to), thread=True, group="receipt-mail")

    def _mail_receipt(self, doc: SaleDocument, to: str) -> None:
        """Queue the e-mail receipt (a thread: a busy database never holds the till)."""
        assert self.receipt_mail is not None
        try:
            self.receipt_mail.send(doc, to)
        except (DomainError, StorageError) as exc:
            self.app.call_from_thread(
                self.say, f"The e-mail receipt to {to} was NOT queued: {exc}", error=True
            )
            return
        self.app.call_from_thread(self.say, f"Sale {sale_number(doc)}: receipt e-mailed to {to}")

    def _show_last_sale(self) -> None:
        """The last sale's total and change, beside the totals (two rows when narrow)."""
        doc = self._last_sale
        if doc is None:
            return
        head = Text(f"Last {sale_number(doc)}", style="bold")
        head.append(f"{'  ' if self.has_class('narrow') else chr(10)}Total ")
        head.append(format_money(doc.total_cents))
        word = "REFUND" if doc.total_cents < 0 else "CHANGE"
        amount = -doc.paid_cents if doc.total_cents < 0 else doc.change_cents
        change = Text(f" {word} {format_money(amount)} ", style="bold reverse")
        self.query_one("#last-sale", Static).update(Text("\n").join([head, change]))

    def action_receipt(self) -> None:
        """Show the last receipt on screen."""
        try:
            self.actions.preview(self.register.last_completed())
        except (DomainError, StorageError) as exc:
            self.say(str(exc), error=True)

    def action_reprint(self) -> None:
        """Print a receipt again, marked as a copy: the last one, or any by its number."""

        def chosen(doc: SaleDocument | None) -> None:
            if doc is not None:
                self.actions.reprint(doc)
                self.say(f"Reprinting {sale_number(doc)}")

        self.app.push_screen(
            PromptScreen(
                "Reprint a receipt",
                "Enter = the last sale, or type its number (42 or T1-000042)",
                self.register.find_sale,
                scan_aware=False,
            ),
            chosen,
        )

    def action_no_sale(self) -> None:
        """Open the cash drawer without a sale (recorded)."""
        if not self.register.cart.is_empty:
            self.say("Finish or park the sale before a no-sale", error=True)
            return
        self.actions.no_sale()

    def action_print_queue(self) -> None:
        """See and retry receipts waiting for the printer."""
        self.actions.print_queue()

    def action_cash_menu(self) -> None:
        """Cash in/out, X report, Z close, clock in/out, audit log."""
        self.actions.cash_menu()

    def action_lock(self) -> None:
        """Log out; the next cashier logs in (the open sale stays)."""
        self.actions.lock()

    def action_reports(self) -> None:
        """Open the reports screen (needs REPORTS)."""
        with_permission(self, Action.REPORTS, "Reports", lambda _a: self.actions.reports())
