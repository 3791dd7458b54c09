"""The PrintJobStore port on SQLite."""

from __future__ import annotations

import uuid
from datetime import datetime

from peewee import Database

from tui_pos.models.errors import storage_errors
from tui_pos.models.sales import PrintJobRow, SaleRow
from tui_pos.models.times import from_utc_naive, to_utc_naive
from tui_pos.services.printing import JobKind, JobStatus, PrintJob

_STATUSES: dict[str, JobStatus] = {"queued": "queued", "sending": "sending", "printed": "printed"}


def _job(row: PrintJobRow, seq: int) -> PrintJob:
    return PrintJob(
        id=row.id,
        sale_seq=seq,
        kind="copy" if row.kind == "copy" else "receipt",
        status=_STATUSES.get(row.status, "queued"),
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=from_utc_naive(row.created_at),
        mark=row.sent_mark,
        as_copy=bool(row.as_copy),
    )


class SqlitePrintJobStore:
    """Implements :class:`tui_pos.services.printing.PrintJobStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def queue(self, till: str, sale_seq: int, kind: JobKind, now: datetime) -> PrintJob:
        """Queue a job for the stored sale ``sale_seq`` of ``till``."""
        with storage_errors(), self.db.atomic():
            sale = SaleRow.get((SaleRow.till == till) & (SaleRow.seq == sale_seq))
            row = PrintJobRow.create(
                uuid=uuid.uuid4().hex,
                till=till,
                sale=sale,
                kind=kind,
                status="queued",
                created_at=to_utc_naive(now),
            )
        return _job(row, sale_seq)

    def pending(self, till: str) -> list[PrintJob]:
        """Jobs of ``till`` not printed yet (queued or sending), oldest first."""
        with storage_errors():
            rows = (
                PrintJobRow.select(PrintJobRow, SaleRow.seq.alias("sale_seq"))
                .join(SaleRow)
                .where((PrintJobRow.till == till) & PrintJobRow.status.in_(("queued", "sending")))
                .order_by(PrintJobRow.id)
                .objects()
            )
            return [_job(r, r.sale_seq) for r in rows]  # type: ignore[attr-defined]

    def sending(self, job_id: int, mark: str, as_copy: bool) -> None:
        """Record that the job's bytes are about to go out, with the printer's mark."""
        with storage_errors(), self.db.atomic():
            PrintJobRow.update(status="sending", sent_mark=mark, as_copy=as_copy).where(
                PrintJobRow.id == job_id
            ).execute()

    def requeue(self, job_id: int, as_copy: bool) -> None:
        """Queue a ``sending`` job again (``as_copy``: its next print is marked COPY)."""
        with storage_errors(), self.db.atomic():
            PrintJobRow.update(status="queued", sent_mark="", as_copy=as_copy).where(
                PrintJobRow.id == job_id
            ).execute()

    def printed(self, job_id: int, now: datetime) -> None:
        """Mark a job printed (the printer confirmed it)."""
        with storage_errors(), self.db.atomic():
            PrintJobRow.update(
                status="printed",
                printed_at=to_utc_naive(now),
                attempts=PrintJobRow.attempts + 1,
                last_error="",
            ).where(PrintJobRow.id == job_id).execute()

    def failed(self, job_id: int, error: str) -> None:
        """Count a failed attempt; the job keeps its state (queued, or sending)."""
        with storage_errors(), self.db.atomic():
            PrintJobRow.update(attempts=PrintJobRow.attempts + 1, last_error=error[:200]).where(
                PrintJobRow.id == job_id
            ).execute()
