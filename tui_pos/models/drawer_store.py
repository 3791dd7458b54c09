"""The DrawerEventStore port on SQLite."""

from __future__ import annotations

import uuid
from datetime import datetime

from peewee import Database

from tui_pos.models.base import next_seq
from tui_pos.models.sales import DrawerEventRow, SaleRow
from tui_pos.models.times import to_utc_naive
from tui_pos.models.unit_of_work import writing
from tui_pos.services.drawer import DrawerReason


class SqliteDrawerEventStore:
    """Implements :class:`tui_pos.services.drawer.DrawerEventStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        till: str,
        reason: DrawerReason,
        sale_seq: int | None,
        sent: bool,
        error: str,
        now: datetime,
    ) -> None:
        """Record one drawer opening with the next per-till number."""
        with writing(self.db, till):
            sale = (
                SaleRow.get_or_none((SaleRow.till == till) & (SaleRow.seq == sale_seq))
                if sale_seq is not None
                else None
            )
            DrawerEventRow.create(
                uuid=uuid.uuid4().hex,
                till=till,
                seq=next_seq(DrawerEventRow, till),
                reason=reason,
                sale=sale,
                created_at=to_utc_naive(now),
                sent=sent,
                error=error[:200],
            )
