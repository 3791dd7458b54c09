"""Producing receipts for stored sales: preview, print, reprint.

A receipt is only ever produced from a stored sale, after its transaction committed.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from tui_pos.domain.coupons import Coupon
from tui_pos.domain.errors import CartError, StorageError
from tui_pos.domain.receipt import (
    Receipt,
    ReceiptStyle,
    StampCard,
    build_receipt,
    render_receipt,
)
from tui_pos.domain.sale import SaleDocument
from tui_pos.services.ports import ReceiptPrinter, SaleStore, SendHook


class OpenCoupons(Protocol):
    """The personal coupons a customer can still use (``models/coupon_store``)."""

    def open_coupons(self, customer_id: int, day: date) -> list[Coupon]:
        """Unredeemed coupons of the customer valid on ``day``, oldest first."""


class StampCards(Protocol):
    """The stamp cards a sale stamped (``models/stamp_store``)."""

    def cards(self, doc: SaleDocument, day: date) -> list[StampCard]:
        """Each card the sale stamped, with its stamps after the sale."""


class Receipts:
    """Receipt use cases of one till. ``print_*`` block: call them from a worker thread."""

    def __init__(
        self,
        store: SaleStore,
        printer: ReceiptPrinter,
        style: ReceiptStyle,
        till: str,
        coupons: OpenCoupons | None = None,
        stamps: StampCards | None = None,
    ) -> None:
        self.stamps = stamps  #: stamp cards print their stamps
        self.coupons = coupons  #: the customer's coupons print on the receipt
        self.store = store
        self.printer = printer
        self.style = style
        self.till = till

    def lines(self, doc: SaleDocument, *, copy: bool = False) -> list[str]:
        """The receipt of ``doc`` as text lines."""
        coupons, stamps = self._extras(doc, copy)
        return render_receipt(doc, self.style, copy=copy, coupons=coupons, stamps=stamps)

    def receipt(self, doc: SaleDocument, *, copy: bool = False) -> Receipt:
        """The receipt of ``doc`` laid out for a printer."""
        coupons, stamps = self._extras(doc, copy)
        return build_receipt(doc, self.style, copy=copy, coupons=coupons, stamps=stamps)

    def _extras(self, doc: SaleDocument, copy: bool) -> tuple[list[Coupon], list[StampCard]]:
        """The sale customer's open personal coupons (not on a copy) and the stamp cards
        the sale stamped; none for a guest, a return or a voided sale; a database that
        cannot answer prints the receipt without them."""
        if doc.customer_id is None or doc.total_cents < 0 or doc.status != "completed":
            return [], []
        day = doc.created_at.astimezone().date()
        try:
            coupons = (
                self.coupons.open_coupons(doc.customer_id, day)
                if self.coupons is not None and not copy
                else []
            )
            stamps = self.stamps.cards(doc, day) if self.stamps is not None else []
        except StorageError:
            return [], []
        return coupons, stamps

    def print_sale(
        self, doc: SaleDocument, *, copy: bool = False, before_send: SendHook | None = None
    ) -> None:
        """Print the receipt and return once the printer confirmed it; raises DeviceError
        (see ``ReceiptPrinter.print_receipt`` for ``before_send``)."""
        self.printer.print_receipt(self.receipt(doc, copy=copy), before_send)

    def last(self) -> SaleDocument:
        """The last completed sale of this till (for preview and reprint)."""
        doc = self.store.last_sale(self.till)
        if doc is None:
            raise CartError("No sale yet on this till")
        return doc
