"""One long-lived daemon thread for everything that waits on the receipt printer.

Receipts, status polls, drawer kicks and printed reports run there in order (the printer
takes one job at a time anyway). Quitting must not wait for a printer that hangs:
:meth:`PrinterThread.abandon` stops taking work, aborts the job in progress (the printer
shuts its connection down from the quitting side) and returns within a short grace
period; the thread is a daemon, so it never holds up the process's exit. Nothing is lost:
a receipt not confirmed stays in the print queue (queued, or ``sending`` when its bytes
went out) and is dealt with at the next start.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError

from tui_pos.services.ports import ReceiptPrinter

Task = Callable[[], object]

#: How long ``abandon`` waits for the job in progress to notice (seconds).
ABANDON_GRACE_SECONDS = 0.1


class PrinterThread:
    """Runs printer tasks in order in one daemon thread; ``abandon`` at quit."""

    def __init__(self, printer: ReceiptPrinter, on_error: Callable[[BaseException], None]) -> None:
        self.printer = printer
        self.on_error = on_error  #: called (in the thread) when a task raises
        self.abandoned = threading.Event()  #: set at quit: long tasks stop early
        self._tasks: queue.SimpleQueue[tuple[Task, str, Future[None]] | None] = queue.SimpleQueue()
        self._waiting: dict[str, Future[None]] = {}  #: tasks with a key, queued, not started
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, task: Task, key: str = "") -> Future[None]:
        """Run ``task`` after the tasks before it; the future is done when it has run (or
        will never run: abandoned). With a ``key``, a task is dropped while another with
        the same key still waits (a status poll behind a slow printer)."""
        with self._lock:
            if key in self._waiting:
                return self._waiting[key]
            done: Future[None] = Future()
            if self.abandoned.is_set():
                done.set_result(None)
                return done
            if key:
                self._waiting[key] = done
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="printer", daemon=True)
                self._thread.start()
            self._tasks.put((task, key, done))
        return done

    def _run(self) -> None:
        while (item := self._tasks.get()) is not None:
            task, key, done = item
            with self._lock:
                self._waiting.pop(key, None)
            try:
                if not self.abandoned.is_set():
                    task()
            except Exception as exc:  # one failed task must not end the printer thread
                if not self.abandoned.is_set():
                    with contextlib.suppress(Exception):  # nor a failed report of it
                        self.on_error(exc)
            finally:
                # The app's waiting worker may have been cancelled (quitting), which cancels
                # this future too: the thread must go on with the next task regardless.
                with contextlib.suppress(InvalidStateError):
                    done.set_result(None)

    def abandon(self, grace: float = ABANDON_GRACE_SECONDS) -> None:
        """Stop: no new task starts, the one in progress is aborted; waits at most
        ``grace`` seconds for it (a job the printer never confirmed stays owed)."""
        with self._lock:
            self.abandoned.set()
            thread = self._thread
        self._tasks.put(None)
        self.printer.abort()
        if thread is not None and thread is not threading.current_thread():
            thread.join(grace)
