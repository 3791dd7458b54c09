"""The ports: what the services need from storage and hardware, as Protocols.

``tui_pos.models`` implements the storage ports with Peewee, ``tui_pos.drivers`` the
hardware ports; tests may use either, or fakes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # annotations only: a service that needs the Clock loads no cart
    from tui_pos.domain.cart_lines import Product
    from tui_pos.domain.customer import (
        Customer,
        CustomerDetails,
        CustomerStats,
        LedgerRow,
        VisitSummary,
    )
    from tui_pos.domain.loyalty import PointsKind, PointsSummary, Tier
    from tui_pos.domain.promotions import Promotion, StampTally
    from tui_pos.domain.receipt import Receipt
    from tui_pos.domain.sale import SaleDocument
    from tui_pos.domain.segments import SegmentRule

Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime."""


@dataclass(frozen=True)
class ProductInfo:
    """A product with its current stock level (thousandths of the unit)."""

    product: Product
    stock_milli: int
    category: str = ""


@dataclass(frozen=True)
class SuspendedCart:
    """A parked sale as listed for resuming."""

    id: int
    created_at: datetime
    label: str
    item_count: int
    total_cents: int


class Catalog(Protocol):
    """Finding products. Lookups must be fast on a catalog of a million items."""

    def by_code(self, code: str) -> Product | None:
        """The product with this normalised barcode or internal code."""

    def by_plu(self, plu: str) -> Product | None:
        """The product with this PLU (leading zeros stripped)."""

    def by_id(self, product_id: int) -> Product | None:
        """The product with this id."""

    def info(self, product_id: int) -> ProductInfo | None:
        """The product with its stock level and category."""

    def search(self, text: str, limit: int) -> list[ProductInfo]:
        """Products whose name words start with the words of ``text``, best first."""

    def count(self) -> int:
        """How many active products there are."""


class SaleStore(Protocol):
    """Where finished sales and parked carts live."""

    def record_sale(self, doc: SaleDocument) -> SaleDocument:
        """Store ``doc`` with its lines, payments and stock movements in one transaction.

        Idempotent by ``doc.uuid``: a retry returns the stored sale. Returns the document
        with its ``seq`` set. Raises StorageError when it cannot be stored.
        """

    def sale(self, till: str, seq: int) -> SaleDocument | None:
        """A stored sale by its number."""

    def last_sale(self, till: str) -> SaleDocument | None:
        """The most recent completed sale of ``till``."""

    def suspend(
        self,
        till: str,
        label: str,
        cart: dict[str, object],
        item_count: int,
        total_cents: int,
        now: datetime,
    ) -> int:
        """Park a cart snapshot (see ``Cart.to_dict``); returns its id."""

    def suspended(self, till: str) -> list[SuspendedCart]:
        """Parked carts of ``till``, oldest first."""

    def load_suspended(self, suspended_id: int) -> dict[str, object] | None:
        """The cart snapshot of a parked cart."""

    def drop_suspended(self, suspended_id: int) -> None:
        """Forget a parked cart once it is resumed."""


SendHook = Callable[[str], None]
"""Called by a printer with its delivery mark just before the first byte of a job goes out."""


class ReceiptPrinter(Protocol):
    """Something that puts receipts on paper or in a file. Blocking; has timeouts."""

    def print_receipt(self, receipt: Receipt, before_send: SendHook | None = None) -> None:
        """Output one receipt and return only once the printer confirmed it (a status read
        back after the data, or the transport's own acknowledgement such as an fsync).

        ``before_send(mark)`` is called once, when the printer is found ready, just before
        the first byte goes out (if it raises, nothing is sent). Raises DeviceError: before
        ``before_send`` was called nothing was sent; after it, the outcome is unknown.
        """

    def delivered(self, mark: str) -> bool | None:
        """Whether the job sent with ``mark`` arrived whole (True), not at all (False), or
        cannot be told (None), e.g. after a crash between the send and its confirmation."""

    def abort(self) -> None:
        """From another thread: make a job in progress fail now (the app is quitting)."""


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer says about itself (from ESC/POS ``DLE EOT``), or that it is silent."""

    online: bool
    paper_out: bool = False
    paper_low: bool = False
    cover_open: bool = False
    detail: str = ""  #: a short text for the screen, e.g. "no answer in 2 s"

    @property
    def ready(self) -> bool:
        """True when a receipt can be printed now."""
        return self.online and not self.paper_out and not self.cover_open

    @property
    def label(self) -> str:
        """One or two words for the status bar."""
        if not self.online:
            return "printer offline" + (f" ({self.detail})" if self.detail else "")
        if self.cover_open:
            return "printer cover open"
        if self.paper_out:
            return "printer out of paper"
        return "printer paper low" if self.paper_low else "printer ready"


class StatusPrinter(ReceiptPrinter, Protocol):
    """A receipt printer that can report its status. Blocking, with a timeout."""

    def status(self) -> PrinterStatus:
        """Ask the printer; never raises: an unreachable printer is ``online=False``."""


class CashDrawer(Protocol):
    """A cash drawer (usually kicked through the receipt printer). Blocking, with a timeout."""

    def kick(self, pin: int, pulse_ms: int) -> None:
        """Open the drawer; raises DeviceError if the kick could not be sent."""


class CustomerDisplay(Protocol):
    """A customer-facing pole display (two lines of ~20 characters). Blocking, with a timeout."""

    def show(self, top: str, bottom: str) -> None:
        """Show two lines (longer text is cut, unprintable characters are folded)."""

    def clear(self) -> None:
        """Blank the display."""


class ScannerSource(Protocol):
    """A barcode scanner read by a long-lived thread (evdev, serial...)."""

    name: str  #: e.g. "evdev:/dev/input/event3" or "serial:/dev/ttyACM0"

    def run(
        self,
        on_code: Callable[[str], None],
        on_status: Callable[[str, bool], None],
        stop: threading.Event,
    ) -> None:
        """Read until ``stop`` is set: ``on_code(code)`` per complete scan,
        ``on_status(message, ok)`` when the device goes away or comes back (it reconnects
        by itself). Never raises for device trouble; returns when ``stop`` is set."""


class CustomerStore(Protocol):
    """Customer profiles. Every method raises StorageError when the database fails."""

    def get(self, customer_id: int) -> Customer | None:
        """A profile by id (erased ones too)."""

    def by_card(self, card: str) -> Customer | None:
        """The profile holding this loyalty card."""

    def search(self, text: str, limit: int) -> list[Customer]:
        """Profiles (not erased) by card, phone digits or name words."""

    def create(self, details: CustomerDetails, now: datetime) -> Customer:
        """Store a new profile (CustomerError if the card is taken)."""

    def update(self, customer_id: int, details: CustomerDetails, now: datetime) -> Customer:
        """Replace a profile's editable fields."""

    def online_orders(self, customer_id: int) -> list[dict[str, Any]]:
        """The online orders held for the customer, with the contact each one gave."""

    def erase(self, customer_id: int, note: str, now: datetime) -> None:
        """Clear a profile's personal data, keep its id; record the erasure."""

    def record_event(self, customer_id: int, kind: str, note: str, now: datetime) -> None:
        """Record something done with a profile (``exported``...)."""

    def events(self, customer_id: int) -> list[tuple[str, str, str]]:
        """(time, kind, note) of what was done with a profile."""

    def all_customers(self) -> list[Customer]:
        """Every profile."""

    def import_customers(
        self, records: Sequence[tuple[int, CustomerDetails]], now: datetime, dry_run: bool
    ) -> tuple[int, int]:
        """Create or update (by card, else phone) in one transaction; (created, updated)."""

    def segments(self) -> list[tuple[str, SegmentRule]]:
        """Saved segments by name."""

    def save_segment(self, name: str, rule: SegmentRule, now: datetime) -> None:
        """Save or replace a segment."""


class CustomerHistory(Protocol):
    """What the stored sales say about customers."""

    def stats(self, customer_ids: Sequence[int] | None, now: datetime) -> list[CustomerStats]:
        """Visits, spend, last visit, 12-month spend and points (all customers if None)."""

    def visits(self, customer_id: int, limit: int) -> list[VisitSummary]:
        """Latest sales of a customer, newest first."""

    def baskets(self, customer_id: int, limit: int) -> list[frozenset[int]]:
        """Product ids of each of the customer's latest visits."""

    def pair_counts(
        self, product_ids: Sequence[int], limit: int = 20
    ) -> tuple[dict[int, dict[int, int]], dict[int, int]]:
        """Products often sold with each of ``product_ids``, and their sale counts."""

    def product_names(self, product_ids: Sequence[int]) -> dict[int, str]:
        """Product names by id."""

    def ledger(self, customer_id: int) -> list[LedgerRow]:
        """The customer's points ledger, newest first."""

    def sales_detail(self, customer_id: int) -> list[dict[str, Any]]:
        """Every sale of the customer with lines and payments (for a data export)."""

    def stamp_tally(self, customer_id: int, promo: Promotion) -> StampTally:
        """The customer's stamped visits (net of returns) for the stamp card ``promo``."""


class SalePoints(Protocol):
    """A sale's loyalty points, written inside the sale's own unit of work (the sale store
    calls it with the stored sale's row id)."""

    def record_sale_points(self, doc: SaleDocument, sale_id: int) -> PointsSummary | None:
        """Write the earned and redeemed points of the sale just stored (LoyaltyError when
        the redeemed points are not there: the whole sale is then rolled back)."""

    def sale_points(self, sale_id: int, customer_id: int | None) -> PointsSummary | None:
        """The points summary of a stored sale, or None if it had none."""


class LoyaltyLedger(Protocol):
    """The points ledger (the sale's own points are written by ``record_sale``)."""

    def categories(self, product_ids: list[int]) -> dict[int, str]:
        """Each product's category name (for the per-category multipliers)."""

    def balance(self, customer_id: int) -> int:
        """The sum of the customer's ledger rows."""

    def tier(self, customer_id: int, now: datetime) -> Tier | None:
        """The tier the rolling 12 months of spend give at ``now``."""

    def has_entry(self, customer_id: int, kind: PointsKind, note: str) -> bool:
        """True if a row of ``kind`` with ``note`` exists."""

    def grant_once(
        self, customer_id: int, kind: PointsKind, points: int, note: str, till: str, now: datetime
    ) -> bool:
        """Add points unless a row of ``kind`` with ``note`` exists; True if added."""

    def adjust(self, customer_id: int, points: int, note: str, till: str, now: datetime) -> int:
        """A manual correction; returns the new balance."""
