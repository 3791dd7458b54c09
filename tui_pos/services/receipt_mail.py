"""E-mail receipts: the payment screen asks for one, the stored sale's receipt is queued in
the mail outbox (a short database write, run in a thread by the app) and delivered with
the rest of the customer mail."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tui_pos.domain.customer import Customer
from tui_pos.domain.receipt import sale_number
from tui_pos.domain.receipt_mail import (
    check_receipt_address,
    receipt_mail_parts,
    wants_email_receipts,
)
from tui_pos.domain.sale import SaleDocument
from tui_pos.services.mail import QueuedMail
from tui_pos.services.ports import Clock
from tui_pos.services.receipts import Receipts


class MailQueue(Protocol):
    """Where a mail is queued (``models/mail_store.SqliteMailOutbox``)."""

    def queue(self, mail: QueuedMail, now: datetime) -> int:
        """Queue one mail in its own transaction; its outbox id."""


class ReceiptMailer:
    """Queues the receipts customers asked to get by e-mail."""

    def __init__(self, queue: MailQueue, receipts: Receipts, clock: Clock) -> None:
        self.queue = queue
        self.receipts = receipts
        self.clock = clock
        self._wanted: tuple[str, str] | None = None  #: (sale uuid, address) asked for

    def request(self, sale_uuid: str, address: str) -> str:
        """Mail the receipt of the sale ``sale_uuid`` to ``address`` once it is stored (the
        checked address; MailError for a bad one, and nothing is asked)."""
        to = check_receipt_address(address)
        self._wanted = (sale_uuid, to)
        return to

    def requested(self, sale_uuid: str) -> str:
        """The address the receipt of this sale goes to ('' when none was asked for)."""
        wanted = self._wanted
        return wanted[1] if wanted is not None and wanted[0] == sale_uuid else ""

    def take(self, doc: SaleDocument) -> str:
        """The address asked for the stored sale ``doc`` (forgotten now), or ''."""
        to = self.requested(doc.uuid)
        if to:
            self._wanted = None
        return to

    @staticmethod
    def suggested_address(customer: Customer | None) -> str:
        """The attached customer's address when they asked for e-mail receipts, else ''."""
        if customer is None or customer.erased:
            return ""
        details = customer.details
        return details.email if wants_email_receipts(details.preferences) else ""

    def send(self, doc: SaleDocument, address: str) -> int:
        """Queue the receipt of the stored sale ``doc`` to ``address``; the outbox id."""
        to = check_receipt_address(address)
        subject, text, markup = receipt_mail_parts(
            self.receipts.style.store_name, sale_number(doc), self.receipts.lines(doc)
        )
        mail = QueuedMail(
            kind="receipt",
            recipient=to,
            subject=subject,
            text=text,
            html=markup,
            customer_id=doc.customer_id,
            sale_uuid=doc.uuid,
        )
        return self.queue.queue(mail, self.clock())
