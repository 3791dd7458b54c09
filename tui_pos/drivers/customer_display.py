"""Serial customer (pole) displays: 2 x 20 VFD / LCD screens facing the customer.

Two command sets are supported (bytes from the display manuals, see ``hardware.md`` §9.1):

=============  ===================================  ===================================
               ``"epson"`` (ESC/POS, DM-D)           ``"cd5220"``
=============  ===================================  ===================================
init           ``1B 40`` ESC @, ``1F 01`` US MD1     ``1B 40`` ESC @, ``1B 11`` overwrite
               (overwrite mode), ``0C`` CLR          mode, ``0C`` CLR
clear          ``0C`` CLR                            ``0C`` CLR
upper line     ``1F 24 01 01`` (US $ col 1, row 1)   ``1B 51 41`` (ESC Q A) + text + ``0D``
               + text
lower line     ``1F 24 01 02`` (US $ col 1, row 2)   ``1B 51 42`` (ESC Q B) + text + ``0D``
               + text
=============  ===================================  ===================================

Text is sent as plain printable ASCII (``20``-``7E``) only, which every code table of every
display shows the same way, so no code page is selected: accents are folded away
("Crème brûlée" -> "Creme brulee"), "€" becomes "EUR" and "£" "GBP", a few typographic
characters get their ASCII look-alike, control characters become spaces and anything else
becomes "?". Each line is then cut or padded with spaces to the display width.

The port is opened on the first ``show``/``clear`` (and the init bytes sent then); after any
failure it is closed and the next call opens it again, so an unplugged display recovers by
itself once it is back.
"""

from __future__ import annotations

import contextlib
import os
import threading
import unicodedata

import serial

from tui_pos.domain.errors import ConfigError, DeviceError

COMMAND_SETS = ("epson", "cd5220")
"""The command sets :class:`SerialCustomerDisplay` speaks."""

DEFAULT_WIDTH = 20
"""Characters per line of a usual pole display."""

_ESC = b"\x1b"
_US = b"\x1f"
_CLR = b"\x0c"
_CR = b"\x0d"

_INIT: dict[str, bytes] = {
    "epson": _ESC + b"@" + _US + b"\x01" + _CLR,
    "cd5220": _ESC + b"@" + _ESC + b"\x11" + _CLR,
}
_CLEAR: dict[str, bytes] = {"epson": _CLR, "cd5220": _CLR}

_FOLD: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "ß": "ss",
    "Æ": "AE",
    "æ": "ae",
    "Œ": "OE",
    "œ": "oe",
    "Ø": "O",
    "ø": "o",
    "Đ": "D",
    "đ": "d",
    "Ð": "D",
    "ð": "d",
    "Ł": "L",
    "ł": "l",
    "Þ": "TH",
    "þ": "th",
    "ı": "i",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "′": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "″": '"',
    "«": '"',
    "»": '"',
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "−": "-",
    "⁄": "/",
    "×": "x",
    "÷": "/",
    "•": "*",
    "·": ".",
}
"""Characters that Unicode decomposition does not bring down to ASCII."""


def fold(text: str) -> str:
    """``text`` as printable ASCII: accents dropped, "€" -> "EUR", unknown characters -> "?".

    Control characters (tabs, newlines...) become spaces; the result may be longer than
    ``text`` ("€" -> "EUR", "ß" -> "ss").
    """
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if " " <= char <= "~":
            out.append(char)
        elif unicodedata.combining(char):
            continue
        elif char in _FOLD:
            out.append(_FOLD[char])
        elif char.isspace() or unicodedata.category(char).startswith("C"):
            out.append(" ")
        else:
            out.append("?")
    return "".join(out)


def fit(text: str, width: int = DEFAULT_WIDTH) -> str:
    """``text`` folded to ASCII (see :func:`fold`), cut or padded with spaces to ``width``."""
    return fold(text)[:width].ljust(width)


def _reason(exc: BaseException) -> str:
    """A short human reason for a serial failure (the OS error text when there is one)."""
    seen: BaseException | None = exc
    while seen is not None:
        number = getattr(seen, "errno", None)
        if isinstance(number, int) and number > 0:
            return os.strerror(number)
        seen = seen.__cause__ or seen.__context__
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 80 else text[:77] + "..."


class SerialCustomerDisplay:
    """A pole display on a serial port (or any pyserial URL such as ``socket://host:port``).

    Blocking: each call writes at most a few dozen bytes with ``timeout`` seconds allowed;
    any failure raises :class:`DeviceError` with a message for the cashier, and the port is
    opened again on the next call. Safe to call from several threads.
    """

    def __init__(
        self,
        url: str,
        *,
        command_set: str = "epson",
        width: int = DEFAULT_WIDTH,
        baudrate: int = 9600,
        timeout: float = 1.0,
    ) -> None:
        """Remember the settings; the port is not opened until the first ``show``/``clear``.

        Raises ValueError for an unknown command set or a non-positive width, baud rate or
        timeout.
        """
        if command_set not in COMMAND_SETS:
            raise ValueError(f"unknown command set {command_set!r}; use one of {COMMAND_SETS}")
        if width < 1 or baudrate < 1 or timeout <= 0:
            raise ValueError("width, baudrate and timeout must be positive")
        self.url = url
        self.command_set = command_set
        self.width = width
        self.baudrate = baudrate
        self.timeout = timeout
        self._port: serial.SerialBase | None = None
        self._lock = threading.Lock()

    def show(self, top: str, bottom: str) -> None:
        """Show two lines, each folded to ASCII and cut or padded to the width."""
        self._send(self.frame(top, bottom))

    def clear(self) -> None:
        """Blank the display."""
        self._send(_CLEAR[self.command_set])

    def close(self) -> None:
        """Close the port (the next call opens it again). Never raises."""
        with self._lock:
            self._drop()

    def frame(self, top: str, bottom: str) -> bytes:
        """The bytes that put ``top`` and ``bottom`` on the display (without the init)."""
        upper = fit(top, self.width).encode("ascii")
        lower = fit(bottom, self.width).encode("ascii")
        if self.command_set == "cd5220":
            return _ESC + b"QA" + upper + _CR + _ESC + b"QB" + lower + _CR
        return _US + b"$\x01\x01" + upper + _US + b"$\x01\x02" + lower

    def init_bytes(self) -> bytes:
        """What is sent right after the port is opened: reset, overwrite mode, clear."""
        return _INIT[self.command_set]

    def _send(self, data: bytes) -> None:
        with self._lock:
            if self._port is None:
                self._port = self._open()
                data = self.init_bytes() + data
            try:
                self._port.write(data)
            except serial.SerialTimeoutException as exc:
                self._drop()
                message = f"Customer display on {self.url} did not take the text within "
                raise DeviceError(message + f"{self.timeout:g} s") from exc
            except (serial.SerialException, OSError, ValueError) as exc:
                self._drop()
                message = f"Customer display on {self.url} failed: {_reason(exc)}"
                raise DeviceError(message) from exc

    def _open(self) -> serial.SerialBase:
        try:
            return serial.serial_for_url(
                self.url,
                baudrate=self.baudrate,
                timeout=self.timeout,
                write_timeout=self.timeout,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            message = f"Customer display on {self.url} cannot be opened: {_reason(exc)}"
            raise DeviceError(message) from exc

    def _drop(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(Exception):  # closing a dead port may fail in many ways
                port.close()


def parse_target(target: str) -> tuple[str, int | None]:
    """Split "/dev/ttyUSB0:9600" into ("/dev/ttyUSB0", 9600); no baud rate gives None.

    A pyserial URL (``socket://host:port``, ``rfc2217://...``, ``loop://``) is kept whole.
    Raises ConfigError for an empty target or a baud rate of 0.
    """
    target = target.strip()
    if not target:
        raise ConfigError(
            '[display] target is empty: give the serial port of the customer display, e.g. "'
            '/dev/ttyUSB0" or "/dev/ttyUSB0:9600"'
        )
    if "://" in target:
        return target, None
    path, colon, baud = target.rpartition(":")
    if not colon or not path or not baud.isascii() or not baud.isdigit():
        return target, None
    if int(baud) < 1:
        raise ConfigError(f'[display] target "{target}": the baud rate after ":" must be > 0')
    return path, int(baud)


def make_customer_display(
    driver: str, target: str, command_set: str
) -> SerialCustomerDisplay | None:
    """The display described by ``[display]``: None for driver "none".

    ``target`` is a serial port with an optional baud rate after a colon ("/dev/ttyUSB0",
    "/dev/ttyUSB0:9600", default 9600) or a pyserial URL. Nothing is opened here. Raises
    ConfigError for an unknown driver or command set, or an empty target.
    """
    if driver == "none":
        return None
    if driver != "serial":
        raise ConfigError(f'[display] driver "{driver}" is unknown; use "none" or "serial"')
    if command_set not in COMMAND_SETS:
        choices = " or ".join(f'"{name}"' for name in COMMAND_SETS)
        raise ConfigError(f'[display] command_set "{command_set}" is unknown; use {choices}')
    url, baud = parse_target(target)
    return SerialCustomerDisplay(url, command_set=command_set, baudrate=baud or 9600)
