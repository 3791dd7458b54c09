"""The print queue: every receipt owed is a job that stays queued until a printer took it.

A completed sale queues its receipt in the sale's own transaction (see the SaleStore);
printing happens afterwards, in a worker thread, in order. A failed job stays queued,
visible, and is retried on request or when the printer reports ready again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from tui_pos.domain.sale import SaleDocument, format_sale_number
from tui_pos.services.ports import Clock, DeviceError, SaleStore
from tui_pos.services.receipts import Receipts

JobKind = Literal["receipt", "copy"]


@dataclass(frozen=True)
class PrintJob:
    """A receipt to print."""

    id: int
    sale_seq: int
    kind: JobKind
    status: Literal["queued", "printed"]
    attempts: int
    last_error: str
    created_at: datetime

    def label(self, till: str) -> str:
        """``T1-000042`` or ``T1-000042 (copy)``."""
        number = format_sale_number(till, self.sale_seq)
        return number if self.kind == "receipt" else f"{number} (copy)"


@dataclass(frozen=True)
class PrintRun:
    """What one pass over the queue did."""

    printed: tuple[PrintJob, ...]
    failed: PrintJob | None = None
    error: str = ""
    waiting: int = 0


class PrintJobStore(Protocol):
    """Where print jobs live."""

    def queue(self, till: str, sale_seq: int, kind: JobKind, now: datetime) -> PrintJob:
        """Queue a job for a stored sale."""

    def pending(self, till: str) -> list[PrintJob]:
        """Queued jobs, oldest first."""

    def printed(self, job_id: int, now: datetime) -> None:
        """Mark a job printed."""

    def failed(self, job_id: int, error: str) -> None:
        """Count a failed attempt (the job stays queued)."""


class PrintQueue:
    """Runs the queue against the printer. ``run`` blocks: call it from a worker thread."""

    def __init__(
        self,
        jobs: PrintJobStore,
        sales: SaleStore,
        receipts: Receipts,
        till: str,
        clock: Clock,
    ) -> None:
        self.jobs = jobs
        self.sales = sales
        self.receipts = receipts
        self.till = till
        self.clock = clock
        self._lock = threading.Lock()  # one pass at a time: a job is never printed twice

    def pending(self) -> list[PrintJob]:
        """Receipts still owed, oldest first."""
        return self.jobs.pending(self.till)

    def queue_copy(self, doc: SaleDocument) -> PrintJob:
        """Queue a reprint of a stored sale (printed with COPY on it)."""
        if doc.seq is None:
            raise ValueError("only a stored sale can be reprinted")
        return self.jobs.queue(self.till, doc.seq, "copy", self.clock())

    def run(self) -> PrintRun:
        """Print queued jobs in order; stop at the first failure (it stays queued)."""
        with self._lock:
            done: list[PrintJob] = []
            pending = self.jobs.pending(self.till)
            for index, job in enumerate(pending):
                doc = self.sales.sale(self.till, job.sale_seq)
                try:
                    if doc is None:
                        raise DeviceError(f"sale {job.label(self.till)} is not in the database")
                    self.receipts.print_sale(doc, copy=job.kind == "copy")
                except DeviceError as exc:
                    self.jobs.failed(job.id, str(exc))
                    return PrintRun(tuple(done), job, str(exc), len(pending) - index)
                self.jobs.printed(job.id, self.clock())
                done.append(job)
            return PrintRun(tuple(done))


def describe_failure(run: PrintRun, till: str) -> str:
    """A line for the cashier about a failed pass."""
    if run.failed is None:
        return ""
    more = f" ({run.waiting} receipts waiting)" if run.waiting > 1 else ""
    return f"Receipt {run.failed.label(till)} not printed: {run.error}{more}"
