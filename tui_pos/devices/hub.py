"""The device hub: every thread and worker that waits on a device, in one place.

It owns the scanner threads, the printer thread (receipts, status polls, drawer kicks,
printed reports) and the customer display's worker. What happens is posted to the App as
past-tense messages (:mod:`tui_pos.messages`: ``DeviceFailed``, ``DeviceRecovered``,
``PrinterStatusChanged``, ``DrawerOpened``, ``LowStockReached``, ``BarcodeScanned``);
the App routes them to the screens. ``post_message`` is thread-safe, so the threads post
directly and never touch a widget.

Printer work runs in the printer thread, not in Textual's executor (a hung printer must
not hold quitting); an async worker waits for each task, so ``workers.wait_for_complete()``
still covers printing.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from tui_pos.domain.errors import DeviceError, PosError, StorageError
from tui_pos.domain.receipt import Receipt
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Approval
from tui_pos.messages import (
    BarcodeScanned,
    DeviceFailed,
    DeviceRecovered,
    DeviceStatusChanged,
    DrawerOpened,
    LowStockReached,
    PrinterStatusChanged,
)
from tui_pos.services import customer_display
from tui_pos.services.printer_thread import PrinterThread
from tui_pos.services.printing import describe_failure

if TYPE_CHECKING:
    from textual.app import App

    from tui_pos.bootstrap import Till

#: How often the printer is asked for its status (seconds).
STATUS_POLL_SECONDS = 10.0


class DeviceHub:
    """Scanners, printer, drawer and customer display of one till, driven off the UI
    thread for ``app`` (which receives the messages)."""

    def __init__(self, app: App[Any], till: Till) -> None:
        self.app = app
        self.till = till
        self.printer_label = ""  #: the printer's last reported state ("" before the first)
        self._stop_scanners = threading.Event()
        self._display_shown: tuple[str, str] | None = None
        #: receipts, status polls, drawer kicks: abandoned at quit (never waited for)
        self.printer_thread = PrinterThread(till.devices.printer, self._printer_task_failed)

    # -- start and stop -----------------------------------------------------------------
    def start(self) -> None:
        """Start the scanner threads and the printer poll; print receipts left owed."""
        for source in self.till.devices.scanners:
            threading.Thread(
                target=source.run,
                args=(
                    partial(self._scanned, source.name),
                    partial(self._scanner_status, f"Scanner {source.name}"),
                    self._stop_scanners,
                ),
                name=f"scanner {source.name}",
                daemon=True,
            ).start()
        if self.till.devices.status_printer is not None:
            self.app.set_interval(STATUS_POLL_SECONDS, self.poll_printer)
            self.poll_printer()
        self.print_pending()  # receipts left from before

    def stop(self) -> None:
        """Let the scanner threads finish; abandon the printer (what is owed stays queued)."""
        self._stop_scanners.set()
        self.printer_thread.abandon()

    # -- what the till asks of the devices ------------------------------------------------
    def sale_completed(self, doc: SaleDocument) -> None:
        """After a stored sale: drawer (if cash), then the receipt, then the display."""
        asked_at = time.monotonic()
        self.show_on_display(
            customer_display.change(doc.paid_cents + doc.change_cents, doc.change_cents)
        )
        self._on_printer(partial(self._after_sale_blocking, doc, asked_at))

    def reprint(self, doc: SaleDocument) -> None:
        """Queue a copy of a receipt and print it (raises StorageError if not queued)."""
        self.till.print_queue.queue_copy(doc)
        self.print_pending()

    def print_pending(self) -> None:
        """Print the receipts waiting in the queue (a retry, or after a reprint)."""
        self._on_printer(self._print_pending_blocking)

    def print_report(self, receipt: Receipt, title: str) -> None:
        """Print an X or Z report when there is a receipt printer."""
        if self.till.config.printer.driver == "none":
            return
        printer = self.till.devices.printer

        def print_it() -> None:
            try:
                printer.print_receipt(receipt)
            except DeviceError as exc:
                self._post(DeviceFailed("Printer", f"{title} not printed", str(exc)))

        self._on_printer(print_it)

    def no_sale(self, approval: Approval | None) -> None:
        """Kick the drawer open, recorded as a no-sale, if ``approval`` covers it (see
        ``Drawer.no_sale``); ``DrawerOpened`` says how it went."""
        asked_at = time.monotonic()

        def kick() -> None:
            try:
                problem = self.till.drawer.no_sale(asked_at, approval)
            except PosError as exc:
                problem = str(exc)
            if problem:
                self._post(DeviceFailed("Drawer", "not opened", problem))
            else:
                self._post(DeviceRecovered("Drawer"))
            self._post(DrawerOpened(problem or ""))

        self._on_printer(kick)

    def poll_printer(self) -> None:
        """Ask the printer how it is (in its thread); print waiting receipts when it is back."""
        self._on_printer(self._poll_printer_blocking, key="status")

    def show_on_display(self, lines: tuple[str, str]) -> None:
        """Send two lines to the customer display (latest wins; failures are shown)."""
        display = self.till.devices.display
        if display is None or lines == self._display_shown:
            return
        self._display_shown = lines

        def show() -> None:
            try:
                display.show(*lines)
            except DeviceError as exc:
                self._display_shown = None
                self._post(DeviceFailed("Display", "not answering", str(exc)))
                return
            self._post(DeviceRecovered("Display"))

        self.app.run_worker(show, thread=True, group="display", exclusive=True, exit_on_error=False)

    # -- in the printer thread -------------------------------------------------------------
    def _after_sale_blocking(self, doc: SaleDocument, asked_at: float) -> None:
        problem = self.till.drawer.open_for_sale(doc, asked_at)
        if problem:
            self._post(DeviceFailed("Drawer", "not opened", problem))
        elif doc.change_cents or any(p.kind == "cash" for p in doc.payments):
            self._post(DeviceRecovered("Drawer"))
        self._print_pending_blocking()
        try:
            low = self.till.stock.alerts_after(doc)
        except StorageError:
            return  # an alert is a convenience; the sale is stored
        if low:
            self._post(LowStockReached([level.name for level in low]))

    def _print_pending_blocking(self) -> None:
        queue = self.till.print_queue
        try:
            run = queue.run(self.printer_thread.abandoned)
            waiting = len(queue.pending())
        except StorageError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error", timeout=30)
            return
        if self.printer_thread.abandoned.is_set():
            return  # quitting: no one to tell (what was not confirmed stays owed)
        if run.failed is not None:
            detail = describe_failure(run, self.till.config.store.till)
            self._post(DeviceFailed("Printer", "receipt not printed", detail))
        elif run.printed:
            self._post(DeviceRecovered("Printer"))
        self._post(PrinterStatusChanged(self.printer_label, waiting))

    def _poll_printer_blocking(self) -> None:
        printer = self.till.devices.status_printer
        assert printer is not None
        status = printer.status()
        self.printer_label = status.label
        try:
            waiting = len(self.till.print_queue.pending())
        except StorageError:
            waiting = 0
        if status.ready and waiting:
            self._print_pending_blocking()
        else:
            self._post(PrinterStatusChanged(self.printer_label, waiting))

    def _printer_task_failed(self, exc: BaseException) -> None:
        self._post(DeviceFailed("Printer", "fault (see the log)", repr(exc)))

    def _on_printer(self, work: Callable[[], None], key: str = "") -> None:
        """Run ``work`` in the printer thread; an async worker waits for it, so
        ``workers.wait_for_complete()`` covers printing and quitting never waits for it."""
        done = self.printer_thread.submit(work, key)

        async def wait() -> None:
            await asyncio.wrap_future(done)

        self.app.run_worker(wait(), group="printer", exit_on_error=False)

    # -- scanner threads ------------------------------------------------------------------
    def _scanned(self, source: str, code: str) -> None:
        self._post(BarcodeScanned(code, source))

    def _scanner_status(self, device: str, text: str, ok: bool) -> None:
        self._post(DeviceStatusChanged(text, ok, device))

    def _post(self, message: Any) -> None:
        self.app.post_message(message)  # thread-safe
