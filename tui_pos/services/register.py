"""The register: one open sale at a time, from first scan to stored sale.

Every method either does what it says or raises a DomainError and changes nothing; the
screen shows the error's message. The register never prints: printing happens after the
sale is stored (see :mod:`tui_pos.services.receipts`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from tui_pos.domain.barcode import BarcodeParser, ScannedCode
from tui_pos.domain.card_numbers import refuse_card_number
from tui_pos.domain.cart import Cart, CartLine, CartTotals, Discount, Product
from tui_pos.domain.coupons import is_coupon_code
from tui_pos.domain.errors import (
    CartError,
    DomainError,
    QuantityError,
    UnknownProduct,
    WeightNeeded,
)
from tui_pos.domain.money import decimal_to_cents, div_round, parse_money
from tui_pos.domain.promotions import Promotion
from tui_pos.domain.quantity import ONE, QuantityLimits, Unit, check_weight, parse_quantity
from tui_pos.domain.sale import SaleDocument, format_sale_number, sale_document
from tui_pos.domain.staff import Employee
from tui_pos.domain.tax import TaxRate
from tui_pos.domain.tender import (
    DEFAULT_MAX_CHANGE_CENTS,
    Payment,
    Tender,
    TenderKind,
    parse_tendered,
)
from tui_pos.services.ports import (
    Catalog,
    Clock,
    ProductInfo,
    SaleStore,
    StorageError,
    SuspendedCart,
)

_QTY_PREFIX = re.compile(r"^(?P<qty>[0-9]+(?:[.,][0-9]+)?)\s*\*\s*(?P<rest>.*)$")

#: Codes that name no item, and what to do with them instead (the sale screen takes a
#: badge or a receipt scanned on its own; here one came with a quantity, or elsewhere).
_CARD_KINDS = {
    "customer": "a customer card, not an item",
    "employee": "an employee badge, not an item: scan it alone to take over the till",
    "receipt": "a receipt barcode, not an item: scan it alone to return from that sale",
    "coupon": "a coupon, not an item: scan or type the coupon code alone",
}


class OpenSaleLog(Protocol):
    """What follows the open sale for crash recovery (:class:`CartJournal` in production)."""

    def changed(self, cart: Cart, tender: Tender | None, *, wait_ms: int | None = None) -> None:
        """The open sale changed (``wait_ms``: wait at most that long for the database)."""

    def line_added(self, cart: Cart, tender: Tender | None, line: CartLine) -> None:
        """``line`` was appended to the open sale and nothing else changed."""

    def closed(self, uuid: str) -> None:
        """The sale ``uuid`` was stored, and its journal cleared in the same transaction."""


@dataclass(frozen=True)
class RegisterSettings:
    """How this till sells (from the config)."""

    till: str
    taxes: dict[str, TaxRate]
    prices_include_tax: bool = True
    cash_step: int = 1
    limits: QuantityLimits = QuantityLimits()
    max_change_cents: int = DEFAULT_MAX_CHANGE_CENTS
    card_reference_required: bool = True  #: a card payment needs the terminal's reference


@dataclass(frozen=True)
class EntryResult:
    """What the entry line did: a line added, or a quantity set for the next item."""

    message: str
    line: CartLine | None = None


@dataclass(frozen=True)
class TenderState:
    """The payment side of the open sale."""

    total_cents: int
    paid_cents: int
    remaining_cents: int
    cash_due_cents: int
    payments: tuple[Payment, ...]


class Register:
    """The use cases of the sale screen."""

    def __init__(
        self,
        catalog: Catalog,
        store: SaleStore,
        parser: BarcodeParser,
        settings: RegisterSettings,
        clock: Clock,
        journal: OpenSaleLog | None = None,
        promotions: Callable[[], tuple[Promotion, ...]] | None = None,
    ) -> None:
        self.catalog = catalog
        #: The promotions active now (read when a sale starts; applied in the cart).
        self.promotions = promotions or (lambda: ())
        self.store = store
        self.parser = parser
        self.settings = settings
        self.clock = clock
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
        cleaned = text.strip()
        if not cleaned:
            raise CartError("Scan or type a barcode, PLU or quantity*code")
        match = _QTY_PREFIX.match(cleaned)
        qty_text = self.pending_qty
        if match:
            qty_text, cleaned = match.group("qty"), match.group("rest").strip()
            if not cleaned:
                self._check_qty_text(qty_text)
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
        product = self._product_for(scanned)
        try:
            line = self._line_for(product, scanned, qty_text)
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
        line = self._line_for(product, None, self.pending_qty)
        self._change(lambda: self.cart.add(line), added=line)
        self.pending_qty = None
        return EntryResult(f"Added {line.name}", line)

    def add_line(self, line: CartLine) -> None:
        """Add a prepared line (a return line from :mod:`tui_pos.services.returns`)."""
        self._change(lambda: self.cart.add(line), added=line)

    def line_for(self, text: str) -> CartLine:
        """The line ``CODE`` or ``QTY*CODE`` would add, without adding it."""
        cleaned = text.strip()
        match = _QTY_PREFIX.match(cleaned)
        qty_text = None
        if match:
            qty_text, cleaned = match.group("qty"), match.group("rest").strip()
        if not cleaned:
            raise CartError("Scan or type the item's barcode or PLU")
        scanned = self.parser.parse(cleaned)
        return self._line_for(self._product_for(scanned), scanned, qty_text)

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
        product = self._product_for(scanned)
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

    # -- changing lines ------------------------------------------------------------
    def void_line(self, index: int) -> CartLine:
        """Remove one line."""
        removed: list[CartLine] = []
        self._change(lambda: removed.append(self.cart.void_line(index)))
        return removed[0]

    def set_line_discount(self, index: int, text: str) -> None:
        """Discount one line: ``10%`` or ``1.50``; an empty text removes the discount."""
        discount = Discount.parse(text) if text.strip() else None
        self._change(lambda: self.cart.set_line_discount(index, discount))

    def discount_share_bp(self, text: str, index: int | None = None) -> int:
        """How large a discount is, in basis points of what it applies to (line ``index``
        or the whole sale), to check it against the staff limit. Changes nothing."""
        if not text.strip():
            return 0
        discount = Discount.parse(text)
        if discount.kind == "percent":
            return discount.value
        base = (
            self.cart.lines[index].base_cents if index is not None else self.totals().subtotal_cents
        )
        return 10_000 if base <= 0 else div_round(discount.value * 10_000, base)

    def set_line_price(self, index: int, text: str) -> None:
        """Override the unit price of one line (``2.49``; 0 makes it free)."""
        price = parse_money(text)
        self._change(lambda: self.cart.set_line_price(index, price))

    def set_cart_discount(self, text: str) -> None:
        """Discount the whole sale: ``10%`` or ``5.00``; an empty text removes it."""
        if self.cart.coupon:
            raise CartError(
                f"Coupon {self.cart.coupon} is the sale discount: void the sale to drop it"
            )
        discount = Discount.parse(text) if text.strip() else None
        self._change(lambda: self.cart.set_cart_discount(discount))

    def apply_coupon(self, code: str, discount: Discount) -> None:
        """Give the sale a coupon's discount (as its sale discount; one coupon a sale)."""
        if self.cart.coupon:
            raise CartError(f"Coupon {self.cart.coupon} is already on this sale")
        if self.cart.discount is not None:
            raise CartError("The sale has a discount already: remove it to use the coupon")

        def apply() -> None:
            self.cart.set_cart_discount(discount)
            self.cart.coupon = code

        self._change(apply)

    # -- whole sale ----------------------------------------------------------------
    def void_sale(self) -> SaleDocument | None:
        """Abandon the open sale; it is kept as a voided document for the day report."""
        if self.has_payments:
            raise CartError("Payments were taken: remove them in the payment screen first")
        if self.cart.is_empty and not self.cart.voided_lines:
            raise CartError("The sale is empty")
        doc = sale_document(
            self.cart,
            None,
            till=self.settings.till,
            cashier=self.cashier.name if self.cashier else "",
            employee_id=self.cashier.id if self.cashier else None,
            now=self.clock(),
            status="voided",
        )
        stored = self.store.record_sale(doc)
        if self.journal is not None:
            self.journal.closed(stored.uuid)
        self._reset()
        return stored

    def suspend(self, label: str = "") -> int:
        """Park the open sale to serve someone else; returns the parked sale's id."""
        if self.cart.is_empty:
            raise CartError("The sale is empty: nothing to suspend")
        if self.has_payments:
            raise CartError("Payments were taken: finish or remove them before suspending")
        refuse_card_number(label, "label")
        suspended_id = self.store.suspend(
            self.settings.till,
            label.strip()[:40],
            self.cart.to_dict(),
            len(self.cart.lines),
            self.cart.totals().total_cents,
            self.clock(),
        )
        self._reset()
        return suspended_id

    def suspended(self) -> list[SuspendedCart]:
        """Parked sales of this till."""
        return self.store.suspended(self.settings.till)

    def resume(self, suspended_id: int) -> None:
        """Bring a parked sale back as the open sale."""
        if not self.cart.is_empty:
            raise CartError("Finish, suspend or void the current sale before resuming another")
        data = self.store.load_suspended(suspended_id)
        if data is None:
            raise CartError("That suspended sale is gone (resumed at another moment?)")
        cart = Cart.from_dict(
            data, self.settings.taxes, prices_include_tax=self.settings.prices_include_tax
        )
        self.cart = self._priced(cart)
        self.tender = None
        # Journal it as the open sale before it leaves the parked list: a crash between the
        # two then finds it parked still, and the journal copy is dropped at the next start.
        self._notify()
        self.store.drop_suspended(suspended_id)

    # -- payment -------------------------------------------------------------------
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

    def refund(self, kind: TenderKind, reference: str = "") -> SaleDocument | None:
        """Pay out what the customer is owed (a return worth more than what is bought)."""
        self._require_items()
        if self._tender().is_settled:
            return self._store_when_paid()
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
            if doc.coupon and self.reserve_coupon is not None:
                self.reserve_coupon(doc)
            return self.store.record_sale(doc)
        except (StorageError, DomainError):  # (DomainError: points, returns, coupon refused)
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
    def _new_cart(self) -> Cart:
        return self._priced(
            Cart(self.settings.taxes, prices_include_tax=self.settings.prices_include_tax)
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

    def _notify(self, added: CartLine | None = None) -> None:
        if self.journal is None:
            return
        if added is not None:
            self.journal.line_added(self.cart, self.tender, added)
        else:
            self.journal.changed(self.cart, self.tender)

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
                    self.settings.taxes,
                    prices_include_tax=self.settings.prices_include_tax,
                )
            )
            raise CartError("That would make the sale less than what was already paid")
        self._notify(added)

    def _product_for(self, scanned: ScannedCode) -> Product:
        if scanned.kind in _CARD_KINDS:
            raise DomainError(f"That is {_CARD_KINDS[scanned.kind]}")
        if scanned.kind == "plu":
            product = self.catalog.by_plu(scanned.code)
            if product is None:
                raise UnknownProduct(f"Unknown PLU {scanned.raw}")
            return product
        product = self.catalog.by_code(scanned.code)
        if product is None:
            raise UnknownProduct(f"Unknown barcode {_short(scanned.raw)}: nothing added")
        return product

    def _line_for(
        self, product: Product, scanned: ScannedCode | None, qty_text: str | None
    ) -> CartLine:
        price = product.price_cents
        code = scanned.raw if scanned else (product.barcode or product.plu or "")
        limits = self.settings.limits
        if scanned is not None and scanned.kind in ("price", "weight"):
            if qty_text is not None:
                raise QuantityError("A priced or weighed label carries its own quantity")
            assert scanned.value is not None
            if scanned.kind == "price":
                price = decimal_to_cents(scanned.value)
                return self._make_line(product, "each", price, ONE, code)
            if product.unit != "kg":
                raise QuantityError(f"{product.name} is not sold by weight")
            grams = check_weight(int(scanned.value * 1000), limits)
            return self._make_line(product, "kg", price, grams, code)
        if product.unit == "kg" and qty_text is None:
            raise WeightNeeded(
                f"{product.name} is sold by weight: type the kg like 0.350* first",
                product.name,
                code,
            )
        qty = parse_quantity(qty_text, product.unit, limits) if qty_text else ONE
        return self._make_line(product, product.unit, price, qty, code)

    def _make_line(self, product: Product, unit: str, price: int, qty: int, code: str) -> CartLine:
        return CartLine(
            product_id=product.id,
            name=product.name,
            unit="kg" if unit == "kg" else "each",
            unit_price_cents=price,
            qty_milli=qty,
            tax_code=product.tax_code,
            code=code,
            category_id=product.category_id,
        )

    def _check_qty_text(self, qty_text: str) -> None:
        # Validate as pieces unless it has decimals (then it may be a weight).
        unit: Unit = "kg" if any(c in qty_text for c in ".,") else "each"
        parse_quantity(qty_text, unit, self.settings.limits)


def _short(code: str) -> str:
    return code if len(code) <= 29 else code[:28] + "…"
