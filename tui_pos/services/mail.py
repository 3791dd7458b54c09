"""The mail outbox: queue now, deliver later, through a transport port (SMTP in
``drivers/smtp_mail.py``), with retries and a rate limit.

Queueing is a short database write; delivery runs in a thread (the till's mail worker,
or ``tui-pos mail flush``), so the till never waits on a mail server. A mail stays queued
while the server is down or refuses it for now (4xx), and is tried again later with a
doubling delay; a permanent refusal (5xx) or ``max_attempts`` failures gives it up.
Campaign mail is checked again just before sending: a customer who unsubscribed or was
erased meanwhile gets nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from tui_pos.domain.mail import OutgoingMail, next_attempt
from tui_pos.services.ports import Clock


class MailSendError(Exception):
    """The transport could not hand the mail over; ``permanent`` when retrying is futile."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class MailTransport(Protocol):
    """Hands messages to a mail server (blocking: run it in a thread)."""

    def send(self, mail: OutgoingMail) -> None:
        """Send one message; MailSendError when it was not accepted."""


@dataclass(frozen=True)
class QueuedMail:
    """A mail to put in the outbox."""

    kind: str  #: "campaign" or "receipt"
    recipient: str
    subject: str
    text: str
    html: str
    customer_id: int | None = None
    campaign_id: int | None = None
    sale_uuid: str | None = None
    unsubscribe_token: str | None = None


@dataclass(frozen=True)
class SendLogEntry:
    """One outbox row as the send log shows it."""

    id: int
    kind: str
    recipient: str
    subject: str
    status: str  #: queued, sent, failed, dropped
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class DeliveryResult:
    """What one delivery pass did."""

    sent: int = 0
    retry_later: int = 0
    failed: int = 0
    waiting: int = 0  #: still queued after the pass (rate limit, retry time, failures)


class MailOutboxStore(Protocol):
    """The outbox table."""

    def due(self, now: datetime, limit: int) -> list[OutgoingMail]:
        """Queued mail whose time has come, oldest first; campaign mail to a customer who
        no longer consents (or was erased) is marked dropped and not returned."""

    def sent_since(self, moment: datetime) -> int:
        """How many mails were sent after ``moment`` (the rate limit's window)."""

    def mark_sent(self, outbox_id: int, now: datetime) -> None:
        """The server accepted the mail."""

    def mark_failed(
        self, outbox_id: int, error: str, retry_at: datetime | None, max_attempts: int
    ) -> str:
        """Record a failed attempt; the row's new status (queued, or failed when
        ``retry_at`` is None or the attempts are used up)."""

    def waiting(self) -> int:
        """Mails still queued."""

    def log(self, limit: int) -> list[SendLogEntry]:
        """The newest outbox rows (the send log)."""


@dataclass(frozen=True)
class MailPolicy:
    """Rate limit and retries (``[mail]``)."""

    rate_per_minute: int = 30
    max_attempts: int = 8
    retry_seconds: int = 60


class Outbox:
    """Delivers the queued mail of this database."""

    def __init__(
        self,
        store: MailOutboxStore,
        transport: MailTransport | None,
        policy: MailPolicy,
        clock: Clock,
    ) -> None:
        self.store = store
        self.transport = transport
        self.policy = policy
        self.clock = clock
        self._delivering = threading.Lock()  #: one delivery pass at a time (never twice)

    @property
    def configured(self) -> bool:
        """Whether a mail server is configured (without one mail waits in the outbox)."""
        return self.transport is not None

    def deliver_due(self) -> DeliveryResult:
        """Send what is due, at most the rate limit allows this minute (blocking; a pass
        already running in another thread makes this one return at once)."""
        if self.transport is None or not self._delivering.acquire(blocking=False):
            return DeliveryResult(waiting=self.store.waiting())
        try:
            return self._deliver(self.transport)
        finally:
            self._delivering.release()

    def _deliver(self, transport: MailTransport) -> DeliveryResult:
        now = self.clock()
        allowance = self.policy.rate_per_minute - self.store.sent_since(now - timedelta(minutes=1))
        sent = retry = failed = 0
        for mail in self.store.due(now, max(allowance, 0)):
            try:
                transport.send(mail)
            except MailSendError as exc:
                when = (
                    None
                    if exc.permanent
                    else next_attempt(self.clock(), mail.attempts + 1, self.policy.retry_seconds)
                )
                status = self.store.mark_failed(
                    mail.outbox_id, str(exc), when, self.policy.max_attempts
                )
                if status == "failed":
                    failed += 1
                else:
                    retry += 1
                continue
            self.store.mark_sent(mail.outbox_id, self.clock())
            sent += 1
        return DeliveryResult(sent, retry, failed, self.store.waiting())

    def log(self, limit: int = 50) -> Sequence[SendLogEntry]:
        """The send log: what went (or waits to go) to whom."""
        return self.store.log(limit)
