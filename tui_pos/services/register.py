"""The register: one open sale at a time, from first scan to stored sale.

Every method either does what it says or raises a DomainError and changes nothing; the
screen shows the error's message. The register never prints: printing happens after the
sale is stored (see :mod:`tui_pos.services.receipts`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tui_pos.domain.barcode import BarcodeParser
from tui_pos.domain.cart import Cart
from tui_pos.domain.cart_lines import CartLine
from tui_pos.domain.cart_totals import CartTotals
from tui_pos.domain.coupons import is_coupon_code
from tui_pos.domain.errors import (
    CartError,
    QuantityError,
    UnknownProduct,
)
from tui_pos.domain.money import format_money
from tui_pos.domain.promotions import Promotion
from tui_pos.domain.sale import SaleDocument, format_sale_number, sale_document
from tui_pos.domain.staff import Action, Approval, Employee
from tui_pos.domain.tax import TaxRate
from tui_pos.domain.tender import (
    Payment,
    Tender,
)
from tui_pos.services.item_entry import ItemLines, split_quantity
from tui_pos.services.line_changes import LineChanges
from tui_pos.services.open_sale import OpenSaleLog, RegisterSettings, TenderState
from tui_pos.services.parked_sales import ParkedSales
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import Catalog, Clock, ProductInfo, SaleStore
from tui_pos.services.sale_payments import SalePayments
from tui_pos.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class EntryResult:
    """What the entry line did: a line added, or a quantity set for the next item."""

    message: str
    line: CartLine | None = None


class Register(LineChanges, SalePayments, ParkedSales):
    """The use cases of the sale screen."""

    def __init__(
        self,
        catalog: Catalog,
        store: SaleStore,
        parser: BarcodeParser,
        settings: RegisterSettings,
        clock: Clock,
        *,
        uow: UnitOfWork,
        auth: Authorizer,
        journal: OpenSaleLog | None = None,
        promotions: Callable[[], tuple[Promotion, ...]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.items = ItemLines(catalog, settings.limits)  #: codes -> cart lines
        self.uow = uow  #: a sale and every row it writes: one transaction, one chain entry
        self.auth = auth  #: refuses the gated use cases (void sale) to roles that may not
        #: The promotions active now (read when a sale starts; applied in the cart).
        self.promotions = promotions or (lambda: ())
        self.store = store
        self.parser = parser
        self.settings = settings
        self.clock = clock
        #: The tax rates in force, read as each sale starts (a cart keeps its own).
        self.tax_rates: Callable[[], dict[str, TaxRate]] = lambda: settings.taxes
        self.pending_qty: str | None = None
        self.cart = self._new_cart()
        self.tender: Tender | None = None
        self.last_sale: SaleDocument | None = None
        self.journal = journal
        #: Set by the app: a settled payment does not store the sale at once; the screen
        #: stores it off the UI thread (``sale_to_store``, ``store_sale``, ``finish_sale``).
        self.defer_storing = False
        self._deferred = False  #: the paid sale was left to the screen to store
        #: Who is logged in: their name and id go on each sale (set by the staff log-in).
        self.cashier: Employee | None = None
        #: Attaches the customer of a scanned loyalty card; returns the message to show.
        self.on_customer_card: Callable[[str], str] | None = None
        #: Redeems a scanned or typed personal coupon code (set by the bootstrap).
        self.on_coupon: Callable[[str], str] | None = None
        #: Reserves a sale's coupon at the store server before it is stored (may block:
        #: runs where the sale is stored; raises CouponError when the server refuses).
        self.reserve_coupon: Callable[[SaleDocument], None] | None = None
        #: Told the store server claims of return lines that left the sale unstored (a
        #: voided line or sale), to release them; the app runs it in a thread worker.
        self.on_claims_dropped: Callable[[tuple[str, ...]], None] | None = None

    # -- reading -------------------------------------------------------------------
    def totals(self) -> CartTotals:
        """Totals of the open sale."""
        return self.cart.totals()

    def tender_state(self) -> TenderState:
        """Payments taken so far against the open sale."""
        tender = self._tender()
        return TenderState(
            total_cents=tender.total_cents,
            paid_cents=tender.paid_cents,
            remaining_cents=tender.remaining_cents,
            cash_due_cents=tender.cash_due_cents,
            payments=tuple(tender.payments),
        )

    def last_completed(self) -> SaleDocument:
        """The last completed sale of this till (also one from before a restart)."""
        if self.last_sale is None:
            self.last_sale = self.store.last_sale(self.settings.till)
        if self.last_sale is None:
            raise CartError("No sale yet on this till")
        return self.last_sale

    def find_sale(self, text: str) -> SaleDocument:
        """A stored sale of this till: empty text = the last one; ``42`` or ``T1-000042``."""
        cleaned = text.strip().upper()
        if not cleaned:
            return self.last_completed()
        till = self.settings.till.upper()
        number = cleaned.removeprefix(f"{till}-")
        if not re.fullmatch(r"[0-9]{1,9}", number):
            raise CartError(f"Not a sale number of till {self.settings.till}: {text.strip()!r}")
        doc = self.store.sale(self.settings.till, int(number))
        if doc is None:
            raise CartError(
                f"There is no sale {format_sale_number(self.settings.till, int(number))}"
            )
        return doc

    @property
    def awaiting_storage(self) -> bool:
        """True when the open sale is paid in full but not stored yet (deferred, or the
        last attempt to store it failed)."""
        return self._deferred and not self.cart.is_empty and self._tender().is_settled

    @property
    def has_payments(self) -> bool:
        """True once a payment has been taken on the open sale."""
        return bool(self.tender and self.tender.payments)

    # -- adding items --------------------------------------------------------------
    def enter(self, text: str) -> EntryResult:
        """Handle the entry line: ``CODE``, ``QTY*CODE``, or ``QTY*`` for the next item."""
        if not text.strip():
            raise CartError("Scan or type a barcode, PLU or quantity*code")
        typed_qty, cleaned = split_quantity(text)
        qty_text = self.pending_qty
        if typed_qty is not None:
            qty_text = typed_qty
            if not cleaned:
                self.items.check_qty_text(qty_text)
                self.pending_qty = qty_text
                return EntryResult(f"Quantity {qty_text} for the next item")
        return self.scan(cleaned, qty_text=qty_text)

    def scan(self, code: str, *, qty_text: str | None = None) -> EntryResult:
        """Add the item a barcode or PLU names; ``qty_text`` defaults to the pending one."""
        if qty_text is None:
            qty_text = self.pending_qty
        if self.on_coupon is not None and is_coupon_code(code):
            if qty_text is not None and qty_text != self.pending_qty:
                raise QuantityError("A coupon takes no quantity")
            return EntryResult(self.on_coupon(code.strip().upper()))
        scanned = self.parser.parse(code)
        if scanned.kind == "customer" and self.on_customer_card is not None:
            if qty_text is not None and qty_text != self.pending_qty:
                raise QuantityError("A loyalty card takes no quantity")
            # A quantity typed before (3*) stays for the next item.
            return EntryResult(self.on_customer_card(scanned.code))
        product = self.items.product_for(scanned)
        try:
            line = self.items.line_for(product, scanned, qty_text)
        except QuantityError as exc:
            if qty_text is not None and qty_text == self.pending_qty:
                raise QuantityError(f"{exc} (Esc clears the quantity {qty_text}*)") from exc
            raise
        self._change(lambda: self.cart.add(line), added=line)
        self.pending_qty = None
        return EntryResult(f"Added {line.name}", line)

    def add_product(self, product_id: int) -> EntryResult:
        """Add a product picked from the search list, with the pending quantity."""
        product = self.catalog.by_id(product_id)
        if product is None:
            raise UnknownProduct("That product is no longer in the catalog")
        line = self.items.line_for(product, None, self.pending_qty)
        self._change(lambda: self.cart.add(line), added=line)
        self.pending_qty = None
        return EntryResult(f"Added {line.name}", line)

    def add_line(self, line: CartLine) -> None:
        """Add a prepared line (a return line from :mod:`tui_pos.services.returns`)."""
        self._change(lambda: self.cart.add(line), added=line)

    def line_for(self, text: str) -> CartLine:
        """The line ``CODE`` or ``QTY*CODE`` would add, without adding it."""
        qty_text, cleaned = split_quantity(text)
        if not cleaned:
            raise CartError("Scan or type the item's barcode or PLU")
        scanned = self.parser.parse(cleaned)
        return self.items.line_for(self.items.product_for(scanned), scanned, qty_text)

    def refresh_promotions(self) -> None:
        """Read the active promotions again into the open sale (they are otherwise read
        when a sale starts)."""
        self._priced(self.cart)
        self._notify()

    def clear_pending_quantity(self) -> None:
        """Forget a ``QTY*`` typed for the next item."""
        self.pending_qty = None

    def price_check(self, code: str) -> ProductInfo:
        """Look an item up by code without adding it."""
        scanned = self.parser.parse(code)
        product = self.items.product_for(scanned)
        info = self.catalog.info(product.id)
        if info is None:
            raise UnknownProduct("That product is no longer in the catalog")
        return info

    def search(self, text: str, limit: int = 50) -> list[ProductInfo]:
        """Products by name as the cashier types (words are prefixes)."""
        if not text.strip():
            return []
        return self.catalog.search(text, limit)

    # -- the customer ---------------------------------------------------------------
    def set_customer(
        self, customer_id: int | None, audiences: frozenset[str] = frozenset()
    ) -> None:
        """Attach a customer to the open sale, or detach it (None). It is kept with the sale
        through suspend/resume and the crash journal. ``audiences`` (their tier and saved
        segments) decide which targeted promotions apply."""
        if (
            customer_id is None
            and self.tender
            and any(p.kind == "points" for p in self.tender.payments)
        ):
            raise CartError("Points were redeemed: remove that payment before the customer")
        self.cart.customer_id = customer_id
        reached = audiences if customer_id is not None else frozenset()

        def target() -> None:
            self.cart.audiences = reached

        self._change(target)

    # -- whole sale ----------------------------------------------------------------
    def void_sale(self, approval: Approval | None = None) -> SaleDocument | None:
        """Abandon the open sale; it is kept as a voided document for the day report.
        ``approval`` must cover VOID_SALE (PermissionDenied otherwise)."""
        if self.has_payments:
            raise CartError("Payments were taken: remove them in the payment screen first")
        if self.cart.is_empty and not self.cart.voided_lines:
            raise CartError("The sale is empty")
        total = format_money(self.cart.totals().total_cents)
        self.auth.authorize(Action.VOID_SALE, approval, f"void the sale of {total}")
        doc = sale_document(
            self.cart,
            None,
            till=self.settings.till,
            cashier=self.cashier.name if self.cashier else "",
            employee_id=self.cashier.id if self.cashier else None,
            now=self.clock(),
            status="voided",
        )
        with self.uow:
            stored = self.store.record_sale(doc)
        if self.journal is not None:
            self.journal.closed(stored.uuid)
        self._drop_claims(self.cart.lines)
        self._reset()
        return stored

    def restore_open_sale(
        self, cart: Cart, payments: Sequence[Payment] = (), rounding_cents: int = 0
    ) -> None:
        """Make a sale journaled before a crash the open sale again, with its payments.

        Only on an empty register (at start). Does not notify: the journal holds it already.
        """
        if not self.cart.is_empty or self.has_payments:
            raise CartError("Finish, suspend or void the current sale before restoring another")
        self.cart = self._priced(cart)
        self.tender = None
        self.pending_qty = None
        if payments:
            tender = self._tender()
            tender.payments = list(payments)
            tender.rounding_cents = rounding_cents

    # -- internals -----------------------------------------------------------------
    def _new_cart(self) -> Cart:
        return self._priced(
            Cart(self.tax_rates(), prices_include_tax=self.settings.prices_include_tax)
        )

    def _priced(self, cart: Cart) -> Cart:
        cart.promotions = self.promotions()
        return cart

    def _reset(self) -> None:
        self.cart = self._new_cart()
        self.tender = None
        self.pending_qty = None
        self._deferred = False
        self._notify()

    def _drop_claims(self, lines: Sequence[CartLine]) -> None:
        """Return lines of documents sold elsewhere left the sale unstored: release them."""
        claims = tuple(ln.claim for ln in lines if ln.claim)
        if claims and self.on_claims_dropped is not None:
            self.on_claims_dropped(claims)

    def _notify(self, added: CartLine | None = None) -> None:
        if self.journal is None:
            return
        if added is not None:
            self.journal.line_added(self.cart, self.tender, added)
        else:
            self.journal.changed(self.cart, self.tender)

    def _change(self, mutate: Callable[[], object], added: CartLine | None = None) -> None:
        """Apply a cart change; undo it if it would leave less due than already paid."""
        if not self.has_payments:
            mutate()
            self._notify(added)
            return
        assert self.tender is not None
        snapshot = self.cart.to_dict()
        mutate()
        if self.cart.totals().total_cents < self.tender.paid_cents:
            self.cart = self._priced(
                Cart.from_dict(
                    snapshot,
                    self.cart.taxes,
                    prices_include_tax=self.settings.prices_include_tax,
                )
            )
            raise CartError("That would make the sale less than what was already paid")
        self._notify(added)
