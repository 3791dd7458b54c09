"""Producing receipts for stored sales: preview, print, reprint.

A receipt is only ever produced from a stored sale, after its transaction committed.
"""

from __future__ import annotations

from tui_pos.domain.errors import CartError
from tui_pos.domain.receipt import Receipt, ReceiptStyle, build_receipt, render_receipt
from tui_pos.domain.sale import SaleDocument
from tui_pos.services.ports import ReceiptPrinter, SaleStore, SendHook


class Receipts:
    """Receipt use cases of one till. ``print_*`` block: call them from a worker thread."""

    def __init__(
        self, store: SaleStore, printer: ReceiptPrinter, style: ReceiptStyle, till: str
    ) -> None:
        self.store = store
        self.printer = printer
        self.style = style
        self.till = till

    def lines(self, doc: SaleDocument, *, copy: bool = False) -> list[str]:
        """The receipt of ``doc`` as text lines."""
        return render_receipt(doc, self.style, copy=copy)

    def receipt(self, doc: SaleDocument, *, copy: bool = False) -> Receipt:
        """The receipt of ``doc`` laid out for a printer."""
        return build_receipt(doc, self.style, copy=copy)

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
