"""What the sale screen shows: store bar, cart, totals, customer row, message line, the
last sale; and the one way a register action is tried (``attempt``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from tui_pos.domain.cart_totals import CartTotals
from tui_pos.domain.errors import PosError
from tui_pos.domain.money import format_money
from tui_pos.domain.receipt import sale_number
from tui_pos.domain.sale import SaleDocument
from tui_pos.messages import SaleChanged
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.screens.dialogs import FLOW_GROUP, ConfirmScreen, ask
from tui_pos.screens.returns import StoreServices
from tui_pos.services.customer_views import CustomerBadge
from tui_pos.services.customers import Customers
from tui_pos.services.receipt_mail import ReceiptMailer
from tui_pos.services.receipts import Receipts
from tui_pos.services.register import Register
from tui_pos.services.sale_writer import SaleWriter
from tui_pos.widgets.cart_table import CartTable
from tui_pos.widgets.entry_line import EntryLine
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.sale_info import sale_info
from tui_pos.widgets.store_bar import StoreBar
from tui_pos.widgets.totals_panel import TotalsPanel, totals_compact, totals_renderable


@dataclass(frozen=True)
class ScreenSettings:
    """What the register screen shows besides the sale."""

    store_name: str
    till: str
    currency: str
    quick_cash: tuple[int, ...]
    printer_note: str


#: Below this many columns the totals panel moves under the cart.
NARROW = 110


class SaleView(ShowsUserErrors, Screen[None]):
    """The sale as the cashier sees it (the keys are in :class:`RegisterScreen`)."""

    def __init__(
        self,
        register: Register,
        settings: ScreenSettings,
        services: StoreServices | None = None,
        customers: Customers | None = None,
        export_dir: Path | None = None,
        writer: SaleWriter | None = None,
        receipt_mail: ReceiptMailer | None = None,
        receipts: Receipts | None = None,
    ) -> None:
        super().__init__()
        self.receipt_mail = receipt_mail  #: e-mail receipts (F10 on the payment screen)
        self.receipts = receipts  #: the receipt of a sale, for F11
        self.register = register
        #: Stores paid sales off the UI thread; None: the tender screen stores them.
        self.writer = writer
        register.defer_storing = writer is not None
        self.storing = False  #: a paid sale is being stored: the sale cannot change
        self.settings = settings
        self.services = services  #: returns, stock and online orders
        self.customers = customers
        self.export_dir = export_dir or Path("exports")
        self._badge: CustomerBadge | None = None
        self._badge_problem = ""
        self._last_sale: SaleDocument | None = None
        #: Why payment is refused now (the store server's head check), "" when it is not.
        self.selling_blocked = ""
        # The widgets this screen updates, held from the start: a lookup by id on every
        # scan would also fill Textual's query cache with keys that go stale whenever a
        # widget is shown or hidden (its memory grew sale by sale: bench/README.md).
        self.store_bar = StoreBar(
            settings.store_name, settings.till, settings.printer_note, id="store-bar"
        )
        #: Customer, promotions, quantity: one row above the cart (hidden when empty).
        self._info_row = Static("", id="customer-badge", markup=False)
        self.cart_table = CartTable(id="cart")
        self._totals_panel = TotalsPanel(id="totals")
        self._last_sale_panel = Static("", id="last-sale")
        self._message_line = Static(
            "Ready: scan or type a barcode or PLU", id="message", markup=False
        )
        self.entry = EntryLine(
            placeholder="Barcode / PLU  ·  3*code = quantity  ·  0.350*PLU = weight",
            id="entry",
        )

    def compose(self) -> ComposeResult:
        """Store bar, cart and totals side by side, message line, entry line, footer."""
        yield self.store_bar
        yield self._info_row
        with Horizontal(id="sale"):
            yield self.cart_table
            with Vertical(id="side"):
                yield self._totals_panel
                yield self._last_sale_panel
        yield self._message_line
        yield self.entry
        yield KeysBar()

    def on_mount(self) -> None:
        """Show the (possibly restored) sale and put the cursor in the entry line."""
        self.refresh_sale()
        self.entry.focus()
        if not self.register.cart.is_empty:
            paid = " (with the payments already taken)" if self.register.has_payments else ""
            self.say(f"The sale open when the till stopped is back{paid}: finish or void it")

    def on_resize(self, event: events.Resize) -> None:
        """Below 110 columns the totals go under the cart, in two rows, so the cart keeps
        its width and at least 8 lines at 80x24."""
        narrow = event.size.width < NARROW
        if narrow != self.has_class("narrow"):
            self.set_class(narrow, "narrow")
            self.refresh_sale()
            self._show_last_sale()

    # -- showing -------------------------------------------------------------------
    def refresh_sale(self, *, select_last: bool = False) -> None:
        """Redraw cart and totals from the register; update which keys apply."""
        reg = self.register
        totals = reg.totals()
        self.cart_table.show(reg.cart, totals, select_last=select_last)
        paid = reg.tender_state().paid_cents if reg.has_payments else 0
        include = reg.settings.prices_include_tax
        currency = self.settings.currency
        self._totals_panel.update(
            totals_compact(totals, prices_include_tax=include, currency=currency, paid_cents=paid)
            if self.has_class("narrow")
            else totals_renderable(
                totals,
                reg.cart.taxes,
                prices_include_tax=include,
                currency=currency,
                paid_cents=paid,
            )
        )
        self._show_customer()
        self._show_info(totals)
        self.refresh_bindings()
        self.post_message(SaleChanged())

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
        except PosError as exc:
            self._badge_problem = f"Customer #{customer_id} ({exc})"
            return
        changed = self._badge is None or self._badge.customer_id != customer_id
        self._badge = badge
        if changed and badge.birthday_offer:
            self._offer_birthday(badge)

    def _show_info(self, totals: CartTotals) -> None:
        """The one-row summary above the cart (hidden when there is nothing to say)."""
        info = sale_info(self._badge, totals, self.register.pending_qty, self._badge_problem)
        self._info_row.update(info or "")
        self._info_row.display = info is not None

    def _offer_birthday(self, badge: CustomerBadge) -> None:
        """Ask whether to give the attached customer's birthday reward, then give it."""
        customers = self.customers
        assert customers is not None
        when = badge.birthday_offer.strftime("%d %b") if badge.birthday_offer else ""
        points = customers.rules.birthday_points
        question = f"{badge.name}: birthday {when}. Give {points} points?"
        self._give_birthday(ask(self.app, ConfirmScreen(question)), customers, badge)

    @work(group=FLOW_GROUP)
    async def _give_birthday(
        self, confirmed: Awaitable[bool], customers: Customers, badge: CustomerBadge
    ) -> None:
        if not await confirmed:
            return
        self.attempt(
            lambda: f"Birthday reward: {customers.grant_birthday(badge.customer_id)} points added"
        )
        self._show_customer(reload=True)
        self._show_info(self.register.totals())

    def say(self, text: str, *, error: bool = False) -> None:
        """Show a message on the message line (errors ring the bell)."""
        self._message_line.update(text)
        self._message_line.set_class(error, "error")
        if error:
            self.app.bell()

    def set_sync_status(self, text: str, blocked: str = "") -> None:
        """Show the store server link's state on the top bar; ``blocked`` says why this
        till may not take payment now (a restored backup), said once when it starts."""
        self.store_bar.set_sync_status(text)
        if blocked and not self.selling_blocked:
            self.say(blocked, error=True)
        self.selling_blocked = blocked

    def attempt(self, action: Callable[[], str | None], *, select_last: bool = False) -> bool:
        """Run a register action; show its message or its refusal. True if it worked."""
        try:
            text = action()
        except PosError as exc:
            self.say(str(exc), error=True)
            self.refresh_sale()
            return False
        if text:
            self.say(text)
        self.refresh_sale(select_last=select_last)
        return True

    @work(group=FLOW_GROUP)
    async def _said(self, answer: Awaitable[str | None]) -> None:
        """A dialog's answer (a message; None when cancelled), said when it comes."""
        self._after_prompt(await answer)

    def _after_prompt(self, message: str | None, *, select_last: bool = False) -> None:
        """A dialog's answer: say it (None: cancelled, nothing to say) and redraw."""
        if message:
            self.say(message)
        self.refresh_sale(select_last=select_last)

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
        self._last_sale_panel.update(Text("\n").join([head, change]))
