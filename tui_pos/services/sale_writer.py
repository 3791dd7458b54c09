"""Storing a paid sale off the UI thread, with one bounded wait.

The register's screen must stay live while a sale is stored: with the database held by
another program the commit waits for the lock (``[database] busy_timeout_ms``), and a UI
that waited with it would freeze. :class:`SaleWriter` runs :meth:`Register.store_sale` on
one long-lived thread and hands back a :class:`~concurrent.futures.Future`.

One thread for every sale, not a thread per sale: the database layer keeps one
connection per thread, so this thread's connection (with its prepared statements) serves
every sale, and sales are stored in the order they were paid. After each sale the thread
hands the memory it freed back to the system, so a till grows less sale by sale.
While a sale is being stored the screen refuses every change of the open sale; that is
what makes it safe for the thread to read the register's cart and payments.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from tui_pos.domain.sale import SaleDocument
from tui_pos.free_memory import release_free_memory
from tui_pos.services.register import Register


class SaleWriter:
    """Stores the register's paid sale on its own thread (see the module docstring)."""

    def __init__(
        self, register: Register, timeout_ms: int, close_connection: Callable[[], object]
    ) -> None:
        self.register = register
        #: The whole wait for a busy database: the sale's commit, then (only if that
        #: failed) the crash-journal write that keeps its payments, together.
        self.timeout_ms = timeout_ms
        self._close_connection = close_connection  #: closes the calling thread's connection
        self._pool: ThreadPoolExecutor | None = None

    def submit(self) -> Future[SaleDocument]:
        """Start storing the paid open sale; the future gives the stored sale or raises
        StorageError (the cart and payments are then kept, journaled when possible).

        Call on the UI thread; DomainError at once if the sale is not paid.
        """
        doc = self.register.sale_to_store()
        deadline = time.monotonic() + self.timeout_ms / 1000
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sale-writer")
        future = self._pool.submit(self.register.store_sale, doc, deadline=deadline)
        # After the sale's future is answered, on the same thread: what storing and the
        # sale's own objects freed goes back to the system (see tui_pos.free_memory).
        self._pool.submit(release_free_memory)
        return future

    def close(self) -> None:
        """Finish a sale being stored, close the thread's connection, end the thread."""
        if self._pool is None:
            return
        self._pool.submit(self._close_connection)
        self._pool.shutdown(wait=True)
        self._pool = None
