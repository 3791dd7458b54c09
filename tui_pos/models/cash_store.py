"""The CashStore port on SQLite."""

from __future__ import annotations

import uuid
from datetime import datetime

from peewee import Database

from tui_pos.domain.cash import CashKind
from tui_pos.domain.staff import Employee
from tui_pos.models.base import next_seq
from tui_pos.models.errors import storage_errors
from tui_pos.models.staff import CashMovementRow
from tui_pos.models.times import to_utc_naive
from tui_pos.models.unit_of_work import writing


class SqliteCashStore:
    """Implements :class:`tui_pos.services.cash.CashStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        till: str,
        kind: CashKind,
        amount_cents: int,
        reason: str,
        employee: Employee | None,
        approver: str,
        now: datetime,
    ) -> None:
        """Record one movement with the till's next number."""
        with writing(self.db, till):
            CashMovementRow.create(
                uuid=uuid.uuid4().hex,
                till=till,
                seq=next_seq(CashMovementRow, till),
                kind=kind,
                amount_cents=amount_cents,
                reason=reason,
                employee_id=employee.id if employee else None,
                employee_name=employee.name if employee else "",
                approver_name=approver,
                created_at=to_utc_naive(now),
            )

    def float_recorded(self, till: str) -> bool:
        """True when a float movement follows the last Z close's movements."""
        with storage_errors():
            row = self.db.execute_sql(
                "SELECT COUNT(*) FROM cash_movement WHERE till = ? AND kind = 'float' AND seq > "
                "COALESCE((SELECT last_cash_seq FROM z_close WHERE till = ? "
                "ORDER BY z_number DESC LIMIT 1), 0)",
                (till, till),
            ).fetchone()
        return bool(row[0])
