"""A serial or USB-CDC barcode scanner read with pyserial.

``SerialFramer`` is the pure part: bytes in, complete codes out. ``SerialScanner`` opens
the port with ``serial.serial_for_url`` (a device path, ``/dev/serial/by-id/...``, or a
URL such as ``socket://host:port`` or ``loop://``), reads it in a long-lived thread with a
short timeout so that ``stop`` is noticed, and reopens the port when it goes away.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Protocol

import serial

__all__ = ["SerialFramer", "SerialLike", "SerialScanner"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_LENGTH = 64
_ALWAYS = (b"\r", b"\n")


def _printable(char: str) -> bool:
    code = ord(char)
    return 0x20 <= code < 0x7F or code >= 0xA0


class SerialFramer:
    """Splits a byte stream into codes.

    CR, LF and the configured ``terminator`` (any byte string) all end a code, so CRLF
    gives one code (the empty one between CR and LF is ignored). Bytes are read as
    latin-1 with control characters (C0, DEL, C1: prefixes like STX, a GS1 GS...)
    removed. Empty and blank codes are ignored; a code longer than ``max_length`` bytes
    is garbage and is dropped whole, up to its terminator.
    """

    def __init__(self, terminator: bytes = b"\r", max_length: int = DEFAULT_MAX_LENGTH) -> None:
        if not terminator:
            raise ValueError("the terminator must not be empty")
        if max_length < 1:
            raise ValueError("max_length must be at least 1")
        # Longest first, so that a configured b"\r\n" wins over b"\r" at the same place.
        self._terminators = sorted({terminator, *_ALWAYS}, key=len, reverse=True)
        self.max_length = max_length
        self._buffer = bytearray()
        self._discarding = False

    def reset(self) -> None:
        """Forget a partial code (e.g. after a reconnect)."""
        self._buffer.clear()
        self._discarding = False

    def feed(self, data: bytes) -> list[str]:
        """Take the bytes read; return the codes they complete, in order."""
        self._buffer += data
        codes: list[str] = []
        while True:
            found = self._next_terminator()
            if found is None:
                break
            index, length = found
            frame = bytes(self._buffer[:index])
            del self._buffer[: index + length]
            code = self._code(frame)
            if code is not None:
                codes.append(code)
        if len(self._buffer) > self.max_length:
            self._buffer.clear()
            self._discarding = True
        return codes

    def _next_terminator(self) -> tuple[int, int] | None:
        best: tuple[int, int] | None = None
        for terminator in self._terminators:
            index = self._buffer.find(terminator)
            if index >= 0 and (best is None or index < best[0]):
                best = (index, len(terminator))
        return best

    def _code(self, frame: bytes) -> str | None:
        if self._discarding:
            self._discarding = False
            logger.warning("scanner sent more than %d bytes: discarded", self.max_length)
            return None
        if len(frame) > self.max_length:
            logger.warning("scanner sent more than %d bytes: discarded", self.max_length)
            return None
        code = "".join(c for c in frame.decode("latin-1") if _printable(c))
        return code if code.strip() else None


class SerialLike(Protocol):
    """What the scanner needs from an open port (``serial.Serial`` fits)."""

    @property
    def in_waiting(self) -> int:
        """How many bytes can be read without waiting."""
        ...

    def read(self, size: int = 1) -> bytes:
        """Up to ``size`` bytes; fewer (or none) when the read timeout passes."""
        ...

    def close(self) -> None:
        """Close the port."""
        ...


class SerialScanner:
    """A ``ScannerSource`` reading a serial / USB-CDC scanner.

    ``timeout`` is the read timeout: how long ``run`` may take to notice ``stop``.
    ``retry_seconds`` is the wait between attempts to reopen a port that went away.
    ``open_port`` replaces ``serial.serial_for_url`` (tests).
    """

    def __init__(
        self,
        url: str,
        baudrate: int = 9600,
        terminator: bytes = b"\r",
        *,
        timeout: float = 0.2,
        retry_seconds: float = 2.0,
        max_length: int = DEFAULT_MAX_LENGTH,
        open_port: Callable[[], SerialLike] | None = None,
    ) -> None:
        self.url = url
        self.name = f"serial:{url}"
        self.baudrate = baudrate
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self._framer = SerialFramer(terminator, max_length)
        self._open_port = open_port or self._open_real

    def _open_real(self) -> SerialLike:
        port: SerialLike = serial.serial_for_url(
            self.url, baudrate=self.baudrate, timeout=self.timeout
        )
        return port

    def run(
        self,
        on_code: Callable[[str], None],
        on_status: Callable[[str, bool], None],
        stop: threading.Event,
    ) -> None:
        """Read codes until ``stop`` is set, reopening the port whenever it goes away."""
        told = ""  # the last state reported: "" (nothing yet), "connected" or "gone"
        while not stop.is_set():
            try:
                port = self._open_port()
            except (OSError, ValueError) as exc:  # SerialException is an OSError
                if told != "gone":
                    message = (
                        f"scanner {self.url} disconnected, waiting"
                        if told
                        else f"scanner {self.url} cannot be opened ({_reason(exc)}), waiting"
                    )
                    on_status(message, False)
                    told = "gone"
                stop.wait(self.retry_seconds)
                continue
            on_status(f"scanner {self.url} connected", True)
            told = "connected"
            self._framer.reset()
            try:
                error = self._read(port, on_code, stop)
            finally:
                with contextlib.suppress(OSError, ValueError):
                    port.close()
            if error is not None:
                logger.info("scanner %s: %s", self.url, error)
                on_status(f"scanner {self.url} disconnected, waiting", False)
                told = "gone"
                stop.wait(self.retry_seconds)

    def _read(
        self, port: SerialLike, on_code: Callable[[str], None], stop: threading.Event
    ) -> Exception | None:
        """Pass codes on until ``stop`` (returns None) or a port error (returns it)."""
        while not stop.is_set():
            try:
                data = port.read(max(1, port.in_waiting))
            except (OSError, ValueError, TypeError) as exc:
                # SerialException (an OSError) when unplugged; pyserial raises TypeError
                # or ValueError from a port closed under it.
                return exc
            for code in self._framer.feed(data):
                on_code(code)
        return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
