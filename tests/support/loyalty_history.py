"""A loyalty history written straight into a migrated till database: customers, sale
documents (only the columns the analytics read matter) and points ledger rows, so tests
can state the answers they expect by hand."""

from __future__ import annotations

import uuid
from datetime import datetime

from peewee import Database

from tui_pos.models.times import stamp


class History:
    """Appends rows with consecutive sequence numbers of till ``H1``."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.seq = 0

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def customer(self, created: datetime, consent: bool = True, email: str = "") -> int:
        """A customer who joined at ``created``; their id."""
        n = self._next()
        cursor = self.db.execute_sql(
            "INSERT INTO customer (uuid, card, name, phone, phone_digits, email, birthday,"
            " notes, preferences, marketing_consent, created_at, updated_at)"
            " VALUES (?, NULL, ?, '', '', ?, NULL, '', '', ?, ?, ?)",
            (
                uuid.uuid4().hex,
                f"Customer {n}",
                email,
                int(consent),
                stamp(created),
                stamp(created),
            ),
        )
        return int(cursor.lastrowid)

    def sale(
        self, at: datetime, total_cents: int, customer: int | None = None, status: str = "completed"
    ) -> str:
        """A sale document (a return when the total is negative); its uuid."""
        code = uuid.uuid4().hex
        self.db.execute_sql(
            "INSERT INTO sale (uuid, till, seq, status, created_at, cashier, subtotal_cents,"
            " discount_cents, tax_cents, total_cents, rounding_cents, change_cents, voided_lines,"
            " customer_id) VALUES (?, 'H1', ?, ?, ?, 'Ann', ?, 0, 0, ?, 0, 0, 0, ?)",
            (code, self._next(), status, stamp(at), total_cents, total_cents, customer),
        )
        return code

    def points(self, customer: int, points: int, kind: str, at: datetime) -> None:
        """A points ledger row."""
        self.db.execute_sql(
            "INSERT INTO loyalty_entry (uuid, till, seq, customer_id, points, kind, sale_id,"
            " note, created_at) VALUES (?, 'H1', ?, ?, ?, ?, NULL, '', ?)",
            (uuid.uuid4().hex, self._next(), customer, points, kind, stamp(at)),
        )
