"""Paying and storing: the payment screen, the paid sale stored off the UI thread (the
screen stays live, the sale cannot change meanwhile), then the receipt by e-mail."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from concurrent.futures import Future
from functools import partial

from textual import work

from tui_pos.domain.errors import DomainError, PosError
from tui_pos.domain.money import format_money
from tui_pos.domain.receipt import sale_number
from tui_pos.domain.sale import SaleDocument
from tui_pos.messages import PaymentStarted, SaleCompleted
from tui_pos.screens.dialogs import FLOW_GROUP, ask
from tui_pos.screens.sale_view import SaleView
from tui_pos.services.sale_writer import SaleWriter


class SaleStoring(SaleView):
    """F10: payment, then the sale stored in the sale writer's thread."""

    def action_tender(self) -> None:
        """Take payment (or pay out a refund)."""
        if self.selling_blocked:
            self.say(self.selling_blocked, error=True)
            return
        from tui_pos.screens.tender import TenderScreen  # loaded on first use

        tender = TenderScreen(
            self.register,
            self.settings.currency,
            self.settings.quick_cash,
            services=self.services,
            customers=self.customers,
            receipt_mail=self.receipt_mail,
        )
        self._paid(ask(self.app, tender))
        self.post_message(PaymentStarted(self.register.tender_state().remaining_cents))

    @work(group=FLOW_GROUP)
    async def _paid(self, payment: Awaitable[SaleDocument | None]) -> None:
        """The payment screen closed: the sale it left paid is stored here (or it was
        stored there: the stored sale is shown)."""
        doc = await payment
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
            self._last_sale_panel.update(
                "[b reverse] Storing... [/b reverse]\nThe database is busy"
                f"\n(another program): waiting\nup to {timeout_ms / 1000:g} s"
            )

    async def _await_stored(self, future: Future[SaleDocument]) -> None:
        try:
            stored = await asyncio.wrap_future(future)
        except PosError as exc:
            self._set_storing(False)
            # The way out first: the message line may be cut at the screen's edge.
            self.say(f"NOT stored, kept with its payments: F10, Enter retries. {exc}", error=True)
            self._last_sale_panel.update(
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
            self._last_sale_panel.update("[b reverse] Storing... [/b reverse]")
        else:
            self._last_sale_panel.update("")
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
        self.post_message(SaleCompleted(doc))
        to = self.receipt_mail.take(doc) if self.receipt_mail is not None else ""
        if to:
            self.run_worker(partial(self._mail_receipt, doc, to), thread=True, group="receipt-mail")

    def _mail_receipt(self, doc: SaleDocument, to: str) -> None:
        """Queue the e-mail receipt (a thread: a busy database never holds the till)."""
        assert self.receipt_mail is not None
        try:
            self.receipt_mail.send(doc, to)
        except PosError as exc:
            self.app.call_from_thread(
                self.say, f"The e-mail receipt to {to} was NOT queued: {exc}", error=True
            )
            return
        self.app.call_from_thread(self.say, f"Sale {sale_number(doc)}: receipt e-mailed to {to}")
