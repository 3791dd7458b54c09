"""Taking payment: cash (exact, typed or quick-cash keys), card with a reference, split."""

from __future__ import annotations

from collections.abc import Awaitable

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui_pos.domain.errors import DomainError, PosError, StorageError
from tui_pos.domain.money import format_money
from tui_pos.domain.receipt import TENDER_LABELS
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action, Approval
from tui_pos.domain.tender import TenderKind, check_card_reference
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.screens.dialogs import FLOW_GROUP, PromptScreen, ask
from tui_pos.screens.returns import StoreServices, permit_all
from tui_pos.services.customers import Customers
from tui_pos.services.receipt_mail import ReceiptMailer
from tui_pos.services.register import Register
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.plain import plain
from tui_pos.widgets.scan_aware_input import ScanAwareInput

QUICK_KEYS = ("f5", "f6", "f7", "f8")


class TenderScreen(ShowsUserErrors, ModalScreen[SaleDocument | None]):
    """Result: the stored sale once fully paid, or None when the cashier goes back."""

    BINDINGS = [
        Binding("f2", "card", "Card", id="tender-card"),
        Binding("f3", "store_credit", "Credit note", id="tender-store-credit"),
        Binding("f4", "points", "Points", id="tender-points"),
        Binding("f9", "remove_payment", "Undo payment", id="tender-remove"),
        Binding("f10", "email_receipt", "E-mail receipt", id="tender-email-receipt"),
        Binding("escape", "back", "Back to sale", id="tender-back"),
    ]

    def __init__(
        self,
        register: Register,
        currency: str,
        quick_cash: tuple[int, ...],
        *,
        services: StoreServices | None = None,
        customers: Customers | None = None,
        receipt_mail: ReceiptMailer | None = None,
    ) -> None:
        super().__init__()
        self.receipt_mail = receipt_mail
        self.register = register
        self.services = services  #: returns (refunds, credit notes); None: sales only
        self.customers = customers
        self.currency = currency
        self.quick_cash = quick_cash[: len(QUICK_KEYS)]
        for key, amount in zip(QUICK_KEYS, self.quick_cash, strict=False):
            self._bindings.bind(
                key, f"quick_cash({amount})", f"Cash {format_money(amount)}", show=True
            )

    def compose(self) -> ComposeResult:
        """Amounts, payments, the amount input and an error line."""
        with Vertical(classes="dialog wide"):
            yield Label("Payment", classes="dialog-title")
            yield Static(id="tender-summary")
            yield Static(
                "Enter = cash (empty = exact)   F2 card   F3 credit note   F4 points   "
                "quick cash F5-F8   F10 e-mail receipt   Esc back",
                classes="dialog-hint",
            )
            yield ScanAwareInput(
                placeholder="Amount handed over, e.g. 20 or 12.50", id="tender-input"
            )
            yield Static("", id="tender-error", classes="error", markup=False)
        yield KeysBar()

    def on_mount(self) -> None:
        """Show what is due."""
        self.refresh_summary()

    def refresh_summary(self) -> None:
        """Redraw total, payments and what is still due."""
        state = self.register.tender_state()
        grid = Table.grid(expand=True, padding=(0, 2))
        grid.add_column()
        grid.add_column(justify="right")
        grid.add_row(plain("Total"), plain(format_money(state.total_cents)))
        for p in state.payments:
            label = TENDER_LABELS.get(p.kind, p.kind)
            if p.reference:
                label += f" ({p.reference})"
            grid.add_row(plain(label), plain(format_money(p.amount_cents)))
        if state.remaining_cents < 0:
            grid.add_row(
                Text.assemble(("REFUND due", "bold")),
                Text.assemble((f" {format_money(-state.remaining_cents)} ", "bold reverse")),
            )
            original = self.services.returns.original_tenders if self.services else ()
            if original:
                grid.add_row(
                    plain("Paid originally by"), plain(", ".join(_label(k) for k in original))
                )
            required = self.services.returns.required_refund() if self.services else None
            if required is None:
                grid.add_row(
                    plain("Refund as"),
                    plain("Enter = cash   F2 = card   F3 = store credit (credit note)"),
                )
            elif required[0] == "card":
                grid.add_row(plain("Refund as"), plain(f"F2 = card, not present ({required[1]})"))
            else:
                grid.add_row(
                    plain("Refund as"), plain("F3 = store credit (credit note), as for web orders")
                )
        else:
            grid.add_row(
                Text.assemble(("Due", "bold")),
                Text.assemble((format_money(state.remaining_cents), "bold")),
            )
        if state.cash_due_cents != state.remaining_cents:
            grid.add_row(plain("Due in cash (rounded)"), plain(format_money(state.cash_due_cents)))
        mail_to = self.receipt_mail.requested(self.register.cart.uuid) if self.receipt_mail else ""
        if mail_to:
            grid.add_row(plain("Receipt by e-mail to"), plain(mail_to))
        self.query_one("#tender-summary", Static).update(grid)

    def say(self, text: str, *, error: bool = False) -> None:
        """The tender's message line (where a refusal is shown; it rings the bell)."""
        if error:
            self.app.bell()
        self.query_one("#tender-error", Static).update(text)

    def _settle(self, pay: object) -> None:
        """Show the new state, or close once it is paid: with the stored sale, or with
        None when the register screen stores it (``Register.defer_storing``)."""
        if isinstance(pay, SaleDocument):
            self.dismiss(pay)
            return
        if self.register.awaiting_storage:
            self.dismiss(None)
            return
        self.query_one("#tender-error", Static).update("")
        self.query_one("#tender-input", Input).clear()
        self.refresh_summary()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Cash: the typed amount, or exact cash when empty (a refund due: cash refund)."""
        event.stop()
        if self._refund_due:
            event.input.clear()
            self._refund("cash")
            return
        try:
            result = self.register.pay_cash(event.value)
        except DomainError as exc:
            event.input.clear()
            self.say(str(exc), error=True)
            return
        except StorageError as exc:
            event.input.clear()
            self.say(
                f"{exc}. The payments are kept: Enter tries to store the sale again.", error=True
            )
            return
        self._settle(result)

    def action_quick_cash(self, amount: int) -> None:
        """Cash of a preset amount."""
        self._settle(self.register.pay_cash(format_money(amount).replace(",", "")))

    @property
    def _refund_due(self) -> bool:
        return self.register.tender_state().remaining_cents < 0

    def _refund(self, kind: TenderKind, reference: str = "") -> None:
        """Pay out the refund (asks for the REFUND permission first)."""
        permit = self.services.permit if self.services else permit_all
        owed = format_money(-self.register.tender_state().remaining_cents)
        self._pay_refund(permit(Action.REFUND, f"refund {owed}"), kind, reference)

    @work(group=FLOW_GROUP)
    async def _pay_refund(
        self, approved: Awaitable[Approval | None], kind: TenderKind, reference: str
    ) -> None:
        approval = await approved
        if approval is None:
            return
        if self.services is not None:
            result = self.services.returns.refund(kind, reference, approval)
        else:
            result = self.register.refund(kind, reference, approval)
        self._settle(result)

    def action_store_credit(self) -> None:
        """A refund due: issue a credit note. Otherwise: pay with a credit note."""
        if self.services is None:
            self.say("Store credit is not available here", error=True)
            return
        if self._refund_due:
            self._refund("store_credit")
            return
        returns = self.services.returns
        amount_text = self.query_one("#tender-input", Input).value

        def apply(code: str) -> SaleDocument | bool:
            doc = returns.pay_store_credit(code, amount_text)
            return doc if doc is not None else True

        self._settle_with(
            PromptScreen(
                "Pay with a credit note",
                "Scan or type the credit note code (CR...); "
                + (f"amount {amount_text}" if amount_text.strip() else "up to all that is due"),
                apply,
                scan_aware=False,
            )
        )

    def _settle_with(self, dialog: PromptScreen[SaleDocument | bool]) -> None:
        """A payment taken in ``dialog`` (opened now): then the new state."""
        self._settled(ask(self.app, dialog))

    @work(group=FLOW_GROUP)
    async def _settled(self, paid: Awaitable[SaleDocument | bool | None]) -> None:
        """The new state (or the sale stored); nothing when the dialog was cancelled."""
        result = await paid
        if result is not None:
            self._settle(result)

    def action_card(self) -> None:
        """Card on the external terminal: amount typed (or all due), then its reference."""
        if self._refund_due and self.services and self.services.returns.required_refund():
            self._refund("card")  # a web order's: to its payment, the reference is the order
            return
        if self._refund_due:
            owed = format_money(-self.register.tender_state().remaining_cents)
            prompt = PromptScreen(
                f"Card refund of {owed}",
                "Refund on the terminal, then type its reference (from the slip)",
                self._card_reference,
                scan_aware=False,
            )
            self._card_refund(ask(self.app, prompt))
            return
        amount_text = self.query_one("#tender-input", Input).value
        due = self.register.tender_state().remaining_cents
        shown = amount_text.strip() or format_money(due)

        def apply(reference: str) -> SaleDocument | bool:
            doc = self.register.pay_card(amount_text, reference)
            return doc if doc is not None else True

        self._settle_with(
            PromptScreen(
                f"Card payment of {shown}",
                "Take the card on the terminal, then type its reference (from the slip)"
                + ("" if self.register.settings.card_reference_required else "; Enter = none"),
                apply,
                scan_aware=False,
            )
        )

    @work(group=FLOW_GROUP)
    async def _card_refund(self, typed: Awaitable[str | None]) -> None:
        reference = await typed
        if reference is not None:
            self._refund("card", reference)

    def _card_reference(self, reference: str) -> str:
        """The card terminal's reference, checked as the settings require."""
        required = self.register.settings.card_reference_required
        check_card_reference(reference.strip(), required=required)
        return reference.strip()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Points only with a customer on the sale and loyalty on."""
        if action == "email_receipt":
            return True if self.receipt_mail is not None and not self._refund_due else None
        if action == "points":
            ok = self.customers is not None and self.customers.rules.enabled
            return True if ok and self.register.cart.customer_id is not None else None
        return True

    def action_points(self) -> None:
        """Pay with the attached customer's loyalty points (within the store's limits)."""
        customers = self.customers
        if customers is None:
            return

        def ask() -> None:  # (worker thread) may ask the store server for the balance
            try:
                balance = customers.redeem_balance(self.register)
            except PosError as exc:
                self.app.call_from_thread(self.say, str(exc), error=True)
                return
            self.app.call_from_thread(self._ask_points, customers, balance)

        self.query_one("#tender-error", Static).update("Checking the points balance...")
        self.app.run_worker(ask, thread=True, group="points")

    def _ask_points(self, customers: Customers, balance: int) -> None:
        """The points prompt for a balance the store server (or the offline rule) gave."""
        if not self.is_attached:
            return
        self.query_one("#tender-error", Static).update("")
        try:
            hint = customers.redeem_hint(self.register, balance)
        except PosError as exc:
            self.say(str(exc), error=True)
            return

        def apply(text: str) -> SaleDocument | bool:
            doc = customers.redeem(self.register, text, balance)
            return doc if doc is not None else True

        self._settle_with(PromptScreen("Pay with points", hint, apply, scan_aware=False))

    def action_email_receipt(self) -> None:
        """Send the receipt by e-mail once the sale is stored: to the attached customer who
        asked for e-mail receipts (Enter), or to the address typed."""
        mailer = self.receipt_mail
        if mailer is None:
            return
        uuid = self.register.cart.uuid
        address = mailer.requested(uuid)
        customer_id = self.register.cart.customer_id
        if not address and self.customers is not None and customer_id is not None:
            try:
                address = mailer.suggested_address(self.customers.get(customer_id))
            except PosError:
                address = ""  # typed instead

        prompt = PromptScreen(
            "E-mail receipt",
            "The receipt is queued for e-mail once the sale is stored. Address:",
            lambda text: mailer.request(uuid, text),
            value=address,
            scan_aware=False,
        )
        self._mail_requested(ask(self.app, prompt))

    @work(group=FLOW_GROUP)
    async def _mail_requested(self, typed: Awaitable[str | None]) -> None:
        if await typed is not None:
            self.refresh_summary()
            self.query_one("#tender-input", Input).focus()

    def action_remove_payment(self) -> None:
        """Undo the last payment (before the sale is completed)."""
        self.register.remove_last_payment()
        self.refresh_summary()

    def action_back(self) -> None:
        """Back to the sale; payments taken stay on it."""
        self.dismiss(None)


def _label(kind: str) -> str:
    return TENDER_LABELS.get(kind, kind.replace("_", " "))
