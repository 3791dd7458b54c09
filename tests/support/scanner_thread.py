"""A scanner source's ``run()`` in a thread, for the scanner driver tests."""

from __future__ import annotations

import queue
import threading

from tui_pos.services.ports import ScannerSource

#: The longest any queue.get waits; normally answers arrive in milliseconds.
WAIT = 2.0


class Running:
    """A scanner's run() in a thread, with its codes and statuses in queues."""

    def __init__(self, scanner: ScannerSource) -> None:
        self.codes: queue.Queue[str] = queue.Queue()
        self.statuses: queue.Queue[tuple[str, bool]] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=scanner.run,
            args=(self.codes.put, lambda m, ok: self.statuses.put((m, ok)), self.stop),
            daemon=True,
        )
        self.thread.start()

    def status(self) -> tuple[str, bool]:
        return self.statuses.get(timeout=WAIT)

    def code(self) -> str:
        return self.codes.get(timeout=WAIT)

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(0.5)  # the sources poll often: they must end at once
        assert not self.thread.is_alive()
