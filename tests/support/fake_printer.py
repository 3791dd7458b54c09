"""A fake ESC/POS network printer (raw TCP, like port 9100) on 127.0.0.1, for tests.

It records every byte it receives (one job per connection) and answers ``DLE EOT n``
status queries like a real printer, according to its ``mode``, which can change while it
runs:

- ``"online"``: all clear (``16`` for n=1, ``12`` for n=2, 3, 4);
- ``"paper_low"``: paper near end (n=4 answers ``1E``);
- ``"paper_out"``: offline, printing stopped at paper end (``1E``/``32``/``12``/``72``);
- ``"cover_open"``: offline, cover open (``1E``/``16``/``12``/``12``);
- ``"silent"``: accepts and reads, never answers;
- ``"reset"``: answers status like ``"online"``, then resets the connection (RST) in the
  middle of the job's data (it keeps only the first part);
- ``"stall"``: answers status like ``"online"``, then stops reading when the job's data
  comes (and answers nothing more), like a printer that hangs mid-job; it reads on (and
  prints what was sent) once its mode is changed.

``stop()`` closes the port (connections are then refused, like a printer switched off)
and ``start()`` opens the same port again::

    with FakeTcpPrinter() as fake:
        NetworkTransport("127.0.0.1", fake.port, timeout=1)...
        jobs = fake.wait_for_jobs(1)
"""

from __future__ import annotations

import bisect
import contextlib
import re
import socket
import struct
import threading
import time
from types import TracebackType

STATUS_REPLIES: dict[str, dict[int, int]] = {
    "online": {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12},
    "paper_low": {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1E, 2: 0x32, 3: 0x12, 4: 0x72},
    "cover_open": {1: 0x1E, 2: 0x16, 3: 0x12, 4: 0x12},
    "silent": {},
    "reset": {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12},
    "stall": {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12},
}
"""What each mode answers to ``DLE EOT n`` (no entry: no answer)."""

STATUS_QUERY = re.compile(rb"\x10\x04[\x01-\x04]")


class FakeTcpPrinter:
    """A threaded loopback TCP server that behaves like an ESC/POS printer."""

    def __init__(self, mode: str = "online", port: int = 0) -> None:
        self.mode = mode
        self.port = port
        #: The bytes of each finished connection, in the order the connections were opened
        #: (a short one opened first may finish after a longer one opened next).
        self.jobs: list[bytes] = []
        self._job_order: list[int] = []  # the opening number of each job in ``jobs``
        self.connections = 0  #: how many connections were accepted
        self._received = bytearray()
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._open: set[socket.socket] = set()

    @property
    def mode(self) -> str:
        """How the printer answers status queries (see the module docstring)."""
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in STATUS_REPLIES:
            raise ValueError(f"unknown mode {value!r}; one of {sorted(STATUS_REPLIES)}")
        self._mode = value

    @property
    def received(self) -> bytes:
        """Every byte received so far, from all connections."""
        with self._lock:
            return bytes(self._received)

    @property
    def running(self) -> bool:
        """True while the port is open."""
        return self._listener is not None

    def start(self) -> FakeTcpPrinter:
        """Listen (on the same port as before, after a ``stop()``)."""
        if self._listener is not None:
            return self
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(8)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop.clear()
        thread = threading.Thread(target=self._accept_loop, args=(listener,), daemon=True)
        self._threads = [thread]
        thread.start()
        return self

    def stop(self) -> None:
        """Close the port and every open connection (the printer is switched off)."""
        self._stop.set()
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            for conn in list(self._open):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads = []

    def wait_for_jobs(self, count: int, timeout: float = 3.0) -> list[bytes]:
        """Wait until ``count`` connections have finished; returns all jobs so far."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.jobs) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.jobs)} of {count} jobs after {timeout} s")
                self._lock.wait(left)
            return list(self.jobs)

    def wait_until_idle(self, count: int, timeout: float = 3.0) -> list[bytes]:
        """Wait until at least ``count`` connections have finished and none is open (a
        till also opens connections that only read the status): returns all jobs."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.jobs) < count or self._open:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.jobs)} jobs, {len(self._open)} open")
                self._lock.wait(left)
            return list(self.jobs)

    def __enter__(self) -> FakeTcpPrinter:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                opened = self.connections
                self._open.add(conn)
            thread = threading.Thread(target=self._serve, args=(conn, opened), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, opened: int) -> None:
        job = bytearray()
        scanned = 0  # where the DLE EOT scan goes on in ``job``
        conn.settimeout(0.05)
        try:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                failing = self.mode in ("reset", "stall") and STATUS_QUERY.sub(b"", chunk)
                if failing and self.mode == "reset":
                    chunk = chunk[: len(chunk) // 2]  # the printer got half of the job
                job += chunk
                with self._lock:
                    self._received += chunk
                if failing and not self._fail_mid_job(conn):
                    break
                while (found := job.find(b"\x10\x04", scanned)) != -1 and found + 2 < len(job):
                    scanned = found + 3
                    reply = STATUS_REPLIES[self.mode].get(job[found + 2])
                    if reply is not None:
                        with contextlib.suppress(OSError):
                            conn.sendall(bytes([reply]))
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with self._lock:
                self._open.discard(conn)
                position = bisect.bisect(self._job_order, opened)
                self._job_order.insert(position, opened)
                self.jobs.insert(position, bytes(job))
                self._lock.notify_all()

    def _fail_mid_job(self, conn: socket.socket) -> bool:
        """The job's data came: reset the connection (``reset``: returns False), or stop
        reading and answering until the mode changes (``stall``: returns True, reading
        goes on) or the printer is stopped."""
        if self.mode == "reset":
            # SO_LINGER with a zero timeout: close() sends RST, dropping what is unread
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        while self.mode == "stall" and not self._stop.wait(0.02):
            pass
        return True
