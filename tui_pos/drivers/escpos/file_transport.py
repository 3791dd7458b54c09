"""The device-file transport: raw ESC/POS bytes appended to a printer device
(``/dev/usb/lp0``) or a file; it never reads a status back."""

from __future__ import annotations

import errno
import os
import select
import time
from pathlib import Path

from tui_pos.drivers.escpos.transport import TransportError, format_seconds
from tui_pos.files import open_private


class FileTransport:
    """A device file such as ``/dev/usb/lp0`` (usblp) or a plain file; status cannot be read.

    A missing path under ``/dev`` is an error (it is never created as a regular file);
    other paths are created and appended to. Writes are non-blocking with a timeout, so a
    printer that stopped taking data cannot hang the till.
    """

    reads_status = False

    def __init__(self, path: str | os.PathLike[str], timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.name = str(self.path)

    def _is_device_path(self) -> bool:
        return self.path.is_absolute() and self.path.parts[1:2] == ("dev",)

    def _missing(self) -> TransportError:
        return TransportError(
            f"printer device {self.path} not found (is the printer plugged in and on?)",
            "device missing",
        )

    def write(self, data: bytes) -> None:
        """Append ``data``; raises TransportError if it cannot be written in time."""
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        if not self._is_device_path():
            flags |= os.O_CREAT
        try:
            fd = open_private(self.path, flags)  # a receipts file is 0600, a device kept
        except FileNotFoundError as exc:
            raise self._missing() from exc
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise TransportError(f"printer {self.path} cannot be opened: {reason}", reason) from exc
        try:
            self._write_all(fd, data)
            if not self._is_device_path():  # a regular file: the data is there once synced
                self._sync(fd)
        finally:
            os.close(fd)

    def _write_all(self, fd: int, data: bytes) -> None:
        deadline = time.monotonic() + self.timeout
        view = memoryview(data)
        while view:
            try:
                written = os.write(fd, view)
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([], [fd], [], left)[1]:
                    within = format_seconds(self.timeout)
                    message = f"printer {self.path} did not accept data within {within}"
                    raise TransportError(message, "not accepting data") from None
                continue
            except OSError as exc:
                if exc.errno == errno.ENODEV:
                    raise self._missing() from exc
                reason = exc.strerror or str(exc)
                raise TransportError(f"printer {self.path}: {reason}", reason) from exc
            view = view[written:]

    def _sync(self, fd: int) -> None:
        try:
            os.fsync(fd)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise TransportError(f"printer {self.path}: {reason}", reason) from exc

    def query_status(self, n: int) -> int | None:
        """Always None (no answer can be read); raises TransportError if a /dev node is gone."""
        if self._is_device_path() and not self.path.exists():
            raise self._missing()
        return None

    def close(self) -> None:
        """Nothing to close: each write opens and closes the file."""

    def abort(self) -> None:
        """Nothing to abort: a write gives up by itself after the timeout."""
