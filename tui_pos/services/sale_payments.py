"""Paying the open sale and storing it: the register's payment use cases.

A mixin of :class:`tui_pos.services.register.Register` (the sale's state lives there): a
part payment is journaled at once; the payment that settles the sale stores it, in one
unit of work, or leaves it to the screen to store off the UI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tui_pos.domain.cart import Cart
from tui_pos.domain.errors import CartError, PosError
from tui_pos.domain.money import format_money
from tui_pos.domain.sale import SaleDocument, sale_document
from tui_pos.domain.staff import Action, Approval, Employee
from tui_pos.domain.tender import Payment, Tender, TenderKind, parse_tendered
from tui_pos.services.open_sale import OpenSaleLog, RegisterSettings, TenderState
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import Clock, SaleStore
from tui_pos.services.unit_of_work import UnitOfWork


class SalePayments:
    """Payments, refunds and storing of the open sale (mixed into the Register)."""

    # The register's state, set by its constructor.
    cart: Cart
    tender: Tender | None
    settings: RegisterSettings
    store: SaleStore
    uow: UnitOfWork
    auth: Authorizer
    journal: OpenSaleLog | None
    clock: Clock
    cashier: Employee | None
    last_sale: SaleDocument | None
    defer_storing: bool
    reserve_coupon: Callable[[SaleDocument], None] | None
    _deferred: bool
    _reset: Callable[[], None]
    _notify: Callable[..., None]
    tender_state: Callable[[], TenderState]

    def pay_cash(self, text: str) -> SaleDocument | None:
        """Take cash (empty text = exact cash). Returns the stored sale once it is paid."""
        self._require_items()
        if self._tender().is_settled:  # nothing left to pay, or a failed store to retry
            return self._store_when_paid()
        tendered = parse_tendered(text) if text.strip() else None
        self._tender().pay_cash(tendered)
        return self._after_payment()

    def pay_card(self, amount_text: str, reference: str) -> SaleDocument | None:
        """Record a card payment made on the terminal (empty amount = all that is due)."""
        self._require_items()
        if self._tender().is_settled:  # paid, but storing it failed before: store it now
            return self._store_when_paid()
        amount = parse_tendered(amount_text) if amount_text.strip() else None
        self._tender().pay_card(amount, reference)
        return self._after_payment()

    def refund(
        self, kind: TenderKind, reference: str = "", approval: Approval | None = None
    ) -> SaleDocument | None:
        """Pay out what the customer is owed (a return worth more than what is bought);
        ``approval`` must cover REFUND (PermissionDenied otherwise)."""
        self._require_items()
        if self._tender().is_settled:
            return self._store_when_paid()
        owed = format_money(-self.tender_state().remaining_cents)
        self.auth.authorize(Action.REFUND, approval, f"refund {owed} ({kind})")
        self._tender().refund(kind, reference)
        return self._after_payment()

    def pay_store_credit(
        self, code: str, amount_text: str, balance_cents: int
    ) -> SaleDocument | None:
        """Redeem a credit note holding ``balance_cents`` (empty amount = all it can pay)."""
        self._require_items()
        if self._tender().is_settled:
            return self._store_when_paid()
        amount = parse_tendered(amount_text) if amount_text.strip() else None
        self._tender().pay_store_credit(amount, code, balance_cents)
        return self._after_payment()

    def pay_points(self, points: int, amount_cents: int) -> SaleDocument | None:
        """Record loyalty points redeemed (the loyalty rules checked the limits)."""
        self._require_items()
        if self.cart.customer_id is None:
            raise CartError("No customer on this sale")
        self._tender().pay_points(amount_cents, points)
        return self._after_payment()

    def remove_last_payment(self) -> Payment:
        """Take back the last payment of the open sale."""
        payment = self._tender().remove_last()
        self._notify()
        return payment

    def complete(self) -> SaleDocument:
        """Store the paid sale (sale, lines, payments, stock in one transaction).

        On a storage failure the cart and payments are kept so the cashier can retry;
        the retry carries the same UUID, so it can never store the sale twice.
        """
        return self.finish_sale(self.store_sale(self.sale_to_store()))

    def sale_to_store(self) -> SaleDocument:
        """The document of the paid open sale, ready to store (changes nothing)."""
        self._require_items()
        tender = self._tender()
        if not tender.is_settled:
            raise CartError("The sale is not fully paid")
        return sale_document(
            self.cart,
            tender,
            till=self.settings.till,
            cashier=self.cashier.name if self.cashier else "",
            employee_id=self.cashier.id if self.cashier else None,
            now=self.clock(),
        )

    def store_sale(self, doc: SaleDocument, *, deadline: float | None = None) -> SaleDocument:
        """Store ``doc`` in one durable transaction, which also clears the open sale's
        crash journal: a sale costs one fsync'd commit.

        The payment that settled the sale was not journaled before (the sale's own commit
        keeps it). When storing fails it is journaled now, so that a payment the screen
        reports as kept survives a crash; then the error is raised. ``deadline``
        (``time.monotonic()``) bounds the wait for that journal write, so that both
        writes together wait no longer than one busy timeout. May run in a worker thread
        while the screen refuses every change of the open sale (and reads nothing else).
        """
        try:
            if doc.coupon and self.reserve_coupon is not None:  # (may ask the server: not
                self.reserve_coupon(doc)  # inside the sale's transaction)
            with self.uow:
                return self.store.record_sale(doc)
        except PosError:  # (DomainError: points or returns refused)
            wait_ms = None
            if deadline is not None:
                wait_ms = max(0, int((deadline - time.monotonic()) * 1000))
            if self.journal is not None:
                self.journal.changed(self.cart, self.tender, wait_ms=wait_ms)
            raise

    def finish_sale(self, stored: SaleDocument) -> SaleDocument:
        """Start the next sale once ``stored`` (the open sale) is stored."""
        self.last_sale = stored
        if self.journal is not None:
            self.journal.closed(stored.uuid)
        self._reset()
        return stored

    # -- internals -----------------------------------------------------------------
    def _tender(self) -> Tender:
        total = self.cart.totals().total_cents
        if self.tender is None:
            self.tender = Tender(
                total,
                cash_step=self.settings.cash_step,
                max_change_cents=self.settings.max_change_cents,
            )
            self.tender.card_reference_required = self.settings.card_reference_required
        self.tender.total_cents = total
        return self.tender

    def _require_items(self) -> None:
        if self.cart.is_empty:
            raise CartError("The sale is empty")

    def _after_payment(self) -> SaleDocument | None:
        """A part payment is journaled at once; the one that settles the sale is stored
        with it (and journaled only if that fails: see :meth:`store_sale`)."""
        if not self._tender().is_settled:
            self._notify()
            return None
        return self._store_when_paid()

    def _store_when_paid(self) -> SaleDocument | None:
        """Store the paid sale now, or leave it to the screen (``defer_storing``)."""
        if self.defer_storing:
            self._deferred = True
            return None
        return self.complete()
