"""The ports: what the services need from storage and hardware, as Protocols.

``tui_pos.models`` implements the storage ports with Peewee, ``tui_pos.drivers`` the
hardware ports; tests may use either, or fakes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tui_pos.domain.cart import Product
from tui_pos.domain.receipt import Receipt
from tui_pos.domain.sale import SaleDocument

Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime."""


class StorageError(Exception):
    """The database could not do what was asked (disk full, locked, read-only...).

    The message is for the user; the work in progress (the cart) is kept.
    """


class DeviceError(Exception):
    """A device (printer, drawer, scanner) failed; the message is for the user."""


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


class ReceiptPrinter(Protocol):
    """Something that puts receipts on paper or in a file. Blocking; has timeouts."""

    def print_receipt(self, receipt: Receipt) -> None:
        """Output one receipt; raises DeviceError on failure."""
