"""Byte pipes to ESC/POS printers: TCP (port 9100), serial, a device file, USB.

Every transport connects lazily on the first ``write``/``query_status`` and is closed by
the caller after each job (``close()``): network printers accept one connection at a
time and wedge when a socket is held open. Every operation has a timeout, and every
failure is a :class:`TransportError` (a ``DeviceError``) with a message for the cashier.

Device libraries (pyserial, pyusb) are imported only when a transport opens.
"""

from __future__ import annotations

from typing import Protocol

from tui_pos.domain.errors import DeviceError

DEFAULT_PORT = 9100
DEFAULT_BAUDRATE = 9600


class TransportError(DeviceError):
    """A transport failed; ``str()`` is a sentence, ``detail`` a few words for a status bar."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


def valid_status_byte(value: int) -> bool:
    """True for a ``DLE EOT`` reply: bits 1 and 4 set, bits 0 and 7 clear (``0xx1xx10``)."""
    return value & 0x93 == 0x12


class Transport(Protocol):
    """Where the bytes of a job go, and where ``DLE EOT`` answers come from."""

    name: str  #: for messages: "10.0.0.5:9100", "/dev/ttyUSB0", "USB 04b8:0202"...
    reads_status: bool  #: False when the printer can never answer (a device file)
    timeout: float  #: seconds any one operation may wait

    def write(self, data: bytes) -> None:
        """Send ``data`` (connecting first if needed); raises TransportError."""

    def query_status(self, n: int) -> int | None:
        """Send ``DLE EOT n`` and return the status byte, or None if no valid answer comes
        within the timeout. Raises TransportError when the printer cannot be reached."""

    def close(self) -> None:
        """End the job: flush and close the connection. Never raises."""

    def abort(self) -> None:
        """From another thread: make a blocked operation fail now (quitting). Never raises."""


def format_seconds(value: float) -> str:
    return f"{value:g} s"
