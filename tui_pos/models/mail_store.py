"""The mail outbox on SQLite (``mail_outbox``): a queue whose rows change state
(queued -> sent | failed | dropped); the rows are the send log."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from peewee import Database

from tui_pos.domain.mail import OutgoingMail
from tui_pos.models.errors import storage_errors
from tui_pos.models.times import stamp
from tui_pos.services.mail import QueuedMail, SendLogEntry


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC)


def insert_mail(db: Database, mail: QueuedMail, now: datetime) -> int:
    """Queue one mail (inside the caller's transaction); its outbox id."""
    headers = {}
    if mail.unsubscribe_token:
        headers["X-Unsubscribe-Token"] = mail.unsubscribe_token
    cursor = db.execute_sql(
        "INSERT INTO mail_outbox (uuid, kind, customer_id, campaign_id, sale_uuid, recipient,"
        " subject, body_text, body_html, headers_json, status, attempts, next_attempt_at,"
        " last_error, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,'queued',0,?,'',?)",
        (
            uuid.uuid4().hex,
            mail.kind,
            mail.customer_id,
            mail.campaign_id,
            mail.sale_uuid,
            mail.recipient,
            mail.subject,
            mail.text,
            mail.html,
            json.dumps(headers, sort_keys=True),
            stamp(now),
            stamp(now),
        ),
    )
    return int(cursor.lastrowid)


def forget_customer_mail(db: Database, customer_id: int) -> None:
    """Erasure: drop the customer's unsent mail, blank the address and bodies of the sent
    (inside the erasing transaction)."""
    db.execute_sql(
        "DELETE FROM mail_outbox WHERE customer_id = ? AND status = 'queued'", (customer_id,)
    )
    db.execute_sql(
        "UPDATE mail_outbox SET recipient = '', subject = '', body_text = '', body_html = '',"
        " headers_json = '{}' WHERE customer_id = ?",
        (customer_id,),
    )


class SqliteMailOutbox:
    """Implements :class:`tui_pos.services.mail.MailOutboxStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def queue(self, mail: QueuedMail, now: datetime) -> int:
        """Queue one mail in its own transaction; its outbox id."""
        with storage_errors(), self.db.atomic():
            return insert_mail(self.db, mail, now)

    def due(self, now: datetime, limit: int) -> list[OutgoingMail]:
        """Due mail, oldest first, after dropping campaign mail nobody consents to now."""
        if limit <= 0:
            return []
        with storage_errors(), self.db.atomic():
            self.db.execute_sql(
                "UPDATE mail_outbox SET status = 'dropped', last_error = 'no marketing consent'"
                " WHERE status = 'queued' AND kind = 'campaign' AND customer_id IN"
                " (SELECT id FROM customer WHERE marketing_consent = 0 OR erased_at IS NOT NULL)"
            )
            rows = self.db.execute_sql(
                "SELECT id, recipient, subject, body_text, body_html, headers_json, uuid,"
                " attempts FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= ?"
                " ORDER BY next_attempt_at, id LIMIT ?",
                (stamp(now), limit),
            ).fetchall()
        return [
            OutgoingMail(
                outbox_id=int(oid),
                recipient=str(to),
                subject=str(subject),
                text=str(text),
                html=str(markup),
                headers=json.loads(headers),
                message_id=str(code),
                attempts=int(attempts),
            )
            for oid, to, subject, text, markup, headers, code, attempts in rows
        ]

    def sent_since(self, moment: datetime) -> int:
        """Mails sent after ``moment``."""
        with storage_errors():
            row = self.db.execute_sql(
                "SELECT COUNT(*) FROM mail_outbox WHERE status = 'sent' AND sent_at > ?",
                (stamp(moment),),
            ).fetchone()
        return int(row[0])

    def mark_sent(self, outbox_id: int, now: datetime) -> None:
        """Sent: kept as the send log."""
        with storage_errors(), self.db.atomic():
            self.db.execute_sql(
                "UPDATE mail_outbox SET status = 'sent', sent_at = ?, last_error = '' WHERE id = ?",
                (stamp(now), outbox_id),
            )

    def mark_failed(
        self, outbox_id: int, error: str, retry_at: datetime | None, max_attempts: int
    ) -> str:
        """One more failed attempt; queued again at ``retry_at`` unless given up."""
        with storage_errors(), self.db.atomic():
            row = self.db.execute_sql(
                "SELECT attempts FROM mail_outbox WHERE id = ?", (outbox_id,)
            ).fetchone()
            attempts = int(row[0]) + 1
            status = "failed" if retry_at is None or attempts >= max_attempts else "queued"
            self.db.execute_sql(
                "UPDATE mail_outbox SET status = ?, attempts = ?, last_error = ?,"
                " next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?",
                (status, attempts, error[:500], stamp(retry_at) if retry_at else None, outbox_id),
            )
        return status

    def waiting(self) -> int:
        """Mails still queued."""
        with storage_errors():
            row = self.db.execute_sql(
                "SELECT COUNT(*) FROM mail_outbox WHERE status = 'queued'"
            ).fetchone()
        return int(row[0])

    def log(self, limit: int) -> list[SendLogEntry]:
        """The newest rows first."""
        with storage_errors():
            rows = self.db.execute_sql(
                "SELECT id, kind, recipient, subject, status, attempts, last_error, created_at,"
                " sent_at FROM mail_outbox ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            SendLogEntry(
                int(r[0]),
                str(r[1]),
                str(r[2]),
                str(r[3]),
                str(r[4]),
                int(r[5]),
                str(r[6]),
                _time(r[7]) or datetime.min.replace(tzinfo=UTC),
                _time(r[8]),
            )
            for r in rows
        ]
