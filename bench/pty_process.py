"""A program run on a real pseudo-terminal, as a cashier's terminal runs it (for the benches).

The process gets the slave side of ``os.openpty()`` as its stdin, stdout and stderr, a
window size and ``TERM``; the bench reads the master side. "First full frame" is the first
time the program has written every row of the screen: a Textual full update moves the
cursor to row 1, then to each row down to the last, and ends by placing the cursor; the
frame counts as written when that final cursor move after the last row has arrived.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


class PtyProcess:
    """One program on its own pty; kill it with :meth:`stop` (it is its own session)."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        *,
        rows: int = 24,
        cols: int = 80,
        cwd: Path | None = None,
    ) -> None:
        self.rows = rows
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.master = master
        self.output = bytearray()
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)},
            cwd=cwd,
            start_new_session=True,
        )
        os.close(slave)

    def _read(self, timeout: float) -> bool:
        """Read what is there within ``timeout`` seconds; False when nothing came."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the program ended
            chunk = b""
        if not chunk:
            raise RuntimeError(f"the program ended: {self.tail()}")
        self.output += chunk
        return True

    def first_full_frame(self, timeout: float = 60.0) -> float:
        """Seconds from the start until the first complete screen was written."""
        deadline = self.started + timeout
        scanned = 0
        while time.perf_counter() < deadline:
            if self._read(0.05):
                end = _full_frame_end(bytes(self.output), self.rows, scanned)
                if end is not None:
                    return time.perf_counter() - self.started
                scanned = max(0, len(self.output) - 16384)
        raise TimeoutError(f"no full frame within {timeout}s: {self.tail()}")

    def settle(self, idle: float = 0.3, timeout: float = 60.0) -> None:
        """Read until the program has written nothing for ``idle`` seconds (less than a
        cursor blink, which writes every half second)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not self._read(idle):
                return
        raise TimeoutError("the program kept writing")

    def wait_for(self, text: bytes, timeout: float = 60.0) -> None:
        """Read until ``text`` has been written (since the start)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if text in self.output:
                return
            self._read(0.05)
        raise TimeoutError(f"{text!r} never came: {self.tail()}")

    def send(self, text: str, settle: bool = True) -> None:
        """Type ``text`` (escape sequences included), then wait until the screen is quiet."""
        os.write(self.master, text.encode())
        if settle:
            self.settle()

    def memory_kb(self) -> tuple[int, int]:
        """(resident set now, its peak) in KiB, from /proc."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

    def tail(self) -> str:
        """The last output as text, for an error message."""
        return bytes(self.output[-400:]).decode(errors="replace")

    def stop(self) -> None:
        """End the program (its own process group) and close the pty."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        os.close(self.master)


def _full_frame_end(output: bytes, rows: int, start: int) -> int | None:
    """The offset after a frame that moved to row 1, then row ``rows``, then placed the
    cursor; None while no such frame is complete."""
    top = output.find(b"\x1b[1;1H", start)
    if top == -1:
        return None
    bottom = output.find(f"\x1b[{rows};1H".encode(), top)
    if bottom == -1:
        return None
    after = _MOVE.search(output, bottom + 1)
    return None if after is None else after.end()
