"""The print queue: every receipt owed is a job that stays owed until the printer confirmed it.

A completed sale queues its receipt in the sale's own transaction (see the SaleStore);
printing happens afterwards, in a worker thread, in order. A job is ``queued`` until the
printer is found ready; it is ``sending`` (committed before the first byte goes out) until
the printer confirms it, then ``printed``. A failure before sending leaves it queued; a
failure after (a reset or a stall mid-job, a crash) leaves it ``sending``: the outcome is
unknown. The next pass asks the printer whether that send arrived (a file printer can
tell); if it cannot tell, the receipt is printed again marked COPY, so a sale never gets
two originals.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from tui_pos.domain.errors import DeviceError
from tui_pos.domain.sale import SaleDocument, format_sale_number
from tui_pos.services.ports import Clock, SaleStore
from tui_pos.services.receipts import Receipts

JobKind = Literal["receipt", "copy"]
JobStatus = Literal["queued", "sending", "printed"]


@dataclass(frozen=True)
class PrintJob:
    """A receipt to print."""

    id: int
    sale_seq: int
    kind: JobKind
    status: JobStatus
    attempts: int
    last_error: str
    created_at: datetime
    mark: str = ""  #: the printer's mark of the last send (see ``ReceiptPrinter.delivered``)
    as_copy: bool = False  #: an earlier send may have printed the original

    @property
    def prints_copy(self) -> bool:
        """True when the next print is marked COPY (a reprint, or the original may be out)."""
        return self.kind == "copy" or self.as_copy

    def label(self, till: str) -> str:
        """``T1-000042``, ``T1-000042 (copy)`` or ``T1-000042 (outcome unknown)``."""
        number = format_sale_number(till, self.sale_seq)
        if self.kind == "copy":
            return f"{number} (copy)"
        if self.status == "sending" or self.as_copy:
            return f"{number} (outcome unknown)"
        return number


@dataclass(frozen=True)
class PrintRun:
    """What one pass over the queue did."""

    printed: tuple[PrintJob, ...]
    failed: PrintJob | None = None
    error: str = ""
    waiting: int = 0
    unsure: bool = False  #: the failed job's bytes went out: it may be on paper


class PrintJobStore(Protocol):
    """Where print jobs live."""

    def queue(self, till: str, sale_seq: int, kind: JobKind, now: datetime) -> PrintJob:
        """Queue a job for a stored sale."""

    def pending(self, till: str) -> list[PrintJob]:
        """Jobs not printed yet (queued or sending), oldest first."""

    def sending(self, job_id: int, mark: str, as_copy: bool) -> None:
        """The job's bytes are about to go out (durably recorded before they do)."""

    def printed(self, job_id: int, now: datetime) -> None:
        """Mark a job printed (the printer confirmed it)."""

    def failed(self, job_id: int, error: str) -> None:
        """Count a failed attempt; the job keeps its state (queued, or sending: unknown)."""

    def requeue(self, job_id: int, as_copy: bool) -> None:
        """A ``sending`` job whose send was looked into is queued again; ``as_copy`` when
        that send may have printed (the next print is then marked COPY)."""


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

    def run(self, abandoned: threading.Event | None = None) -> PrintRun:
        """Print jobs in order; stop at the first failure (the job stays owed) or when
        ``abandoned`` is set (the app is quitting: what is left waits for the next start)."""
        with self._lock:
            done: list[PrintJob] = []
            pending = self.jobs.pending(self.till)
            for index, job in enumerate(pending):
                if abandoned is not None and abandoned.is_set():
                    break
                sent: list[str] = []
                try:
                    self._print(job, sent)
                except DeviceError as exc:
                    self.jobs.failed(job.id, str(exc))
                    waiting = len(pending) - index
                    return PrintRun(tuple(done), job, str(exc), waiting, bool(sent))
                done.append(job)
            return PrintRun(tuple(done))

    def _print(self, job: PrintJob, sent: list[str]) -> None:
        """Print one job and mark it printed once the printer confirmed it; ``sent`` gets
        the mark once its bytes go out.

        Raises DeviceError (the job stays owed: queued, or sending when bytes went out).
        """
        doc = self.sales.sale(self.till, job.sale_seq)
        if doc is None:
            raise DeviceError(f"sale {job.label(self.till)} is not in the database")
        as_copy = job.as_copy
        if job.status == "sending":  # sent before, never confirmed (a crash, a reset, a stall)
            arrived = self.receipts.printer.delivered(job.mark)
            if arrived:
                self.jobs.printed(job.id, self.clock())
                return
            # None: the original may be on paper, so it is never printed a second time
            as_copy = as_copy or arrived is None
            self.jobs.requeue(job.id, as_copy)

        def sending(mark: str) -> None:
            self.jobs.sending(job.id, mark, as_copy)
            sent.append(mark)

        self.receipts.print_sale(doc, copy=job.kind == "copy" or as_copy, before_send=sending)
        self.jobs.printed(job.id, self.clock())


def describe_failure(run: PrintRun, till: str) -> str:
    """A line for the cashier about a failed pass."""
    if run.failed is None:
        return ""
    more = f" ({run.waiting} receipts waiting)" if run.waiting > 1 else ""
    unsure = "; part of it may be on paper: it prints again marked COPY" if run.unsure else ""
    return f"Receipt {run.failed.label(till)} not printed: {run.error}{unsure}{more}"
