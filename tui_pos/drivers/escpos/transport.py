"""Byte pipes to ESC/POS printers: TCP (port 9100), serial, a device file, USB.

Every transport connects lazily on the first ``write``/``query_status`` and is closed by
the caller after each job (``close()``): network printers accept one connection at a
time and wedge when a socket is held open. Every operation has a timeout, and every
failure is a :class:`TransportError` (a ``DeviceError``) with a message for the cashier.

Device libraries (pyserial, pyusb) are imported only when a transport opens.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import select
import socket
import time
from pathlib import Path
from typing import Any, Protocol

from tui_pos.domain.errors import ConfigError, DeviceError
from tui_pos.drivers.escpos.render import status_query_bytes
from tui_pos.files import open_private

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


# -- TCP ------------------------------------------------------------------------------


class NetworkTransport:
    """A raw TCP ("JetDirect", port 9100) printer; one connection per job."""

    reads_status = True

    def __init__(self, host: str, port: int = DEFAULT_PORT, timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.name = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self._sock: socket.socket | None = None

    def _error(self, exc: BaseException, doing: str) -> TransportError:
        who = f"printer {self.name}"
        if isinstance(exc, ConnectionRefusedError):
            return TransportError(f"{who} refused the connection (is it switched on?)", "refused")
        if isinstance(exc, socket.gaierror):
            return TransportError(f"{who}: unknown host name", "unknown host")
        if isinstance(exc, TimeoutError):
            if doing == "connect":
                return TransportError(
                    f"{who} did not answer within {format_seconds(self.timeout)}", "not answering"
                )
            return TransportError(
                f"{who} did not accept data within {format_seconds(self.timeout)}",
                "not accepting data",
            )
        if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            return TransportError(f"{who} closed the connection", "connection closed")
        if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return TransportError(f"{who} is unreachable (network down?)", "unreachable")
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return TransportError(f"{who}: {reason}", reason)

    def _connect(self) -> socket.socket:
        if self._sock is not None:
            return self._sock
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise self._error(exc, "connect") from exc
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        return sock

    def write(self, data: bytes) -> None:
        """Send ``data``; raises TransportError on refusal, timeout or reset."""
        sock = self._connect()
        try:
            sock.settimeout(self.timeout)
            sock.sendall(data)
        except OSError as exc:
            self._abort()
            raise self._error(exc, "send") from exc

    def _drain(self, sock: socket.socket) -> None:
        """Drop bytes already waiting (stale or unsolicited status bytes)."""
        with contextlib.suppress(OSError):
            while select.select([sock], [], [], 0)[0]:
                if not sock.recv(256):
                    break

    def query_status(self, n: int) -> int | None:
        """``DLE EOT n`` -> the status byte, or None if none comes within the timeout."""
        sock = self._connect()
        deadline = time.monotonic() + self.timeout
        self._drain(sock)
        try:
            sock.settimeout(self.timeout)
            sock.sendall(status_query_bytes(n))
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                reply = sock.recv(16)
                if not reply:
                    return None  # the printer hung up
                for value in reply:
                    if valid_status_byte(value):
                        return value
        except TimeoutError:
            return None
        except OSError as exc:
            self._abort()
            raise self._error(exc, "send") from exc
        return None

    def _abort(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None

    def abort(self) -> None:
        """Shut the connection down from another thread: a blocked send or receive returns
        at once (the socket itself is closed by the job's own ``close``)."""
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Finish the job: drain replies, send FIN after the data, close. Never raises."""
        sock, self._sock = self._sock, None
        if sock is None:
            return
        # unread input would make close() send RST, which can drop data the printer holds
        self._drain(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        with contextlib.suppress(OSError):
            sock.close()


# -- serial ---------------------------------------------------------------------------


class SerialTransport:
    """A serial printer through pyserial's ``serial_for_url`` (a port name or a URL)."""

    reads_status = True

    def __init__(
        self,
        url: str,
        baudrate: int = DEFAULT_BAUDRATE,
        timeout: float = 5.0,
        *,
        rtscts: bool = False,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.timeout = timeout
        self.rtscts = rtscts
        self.name = url
        self._port: Any = None

    def _open(self) -> Any:
        if self._port is not None:
            return self._port
        import serial  # pyserial, lazily

        try:
            self._port = serial.serial_for_url(
                self.url,
                baudrate=self.baudrate,
                timeout=self.timeout,
                write_timeout=self.timeout,
                rtscts=self.rtscts,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            reason = _serial_reason(exc)
            raise TransportError(
                f"serial printer {self.url} cannot be opened: {reason}", reason
            ) from exc
        return self._port

    def write(self, data: bytes) -> None:
        """Send ``data``; raises TransportError if the port fails or blocks past the timeout."""
        import serial

        port = self._open()
        try:
            port.write(data)
            port.flush()
        except serial.SerialTimeoutException as exc:
            self.close()
            within = format_seconds(self.timeout)
            message = f"serial printer {self.url} did not accept data within {within}"
            raise TransportError(message, "not accepting data") from exc
        except (serial.SerialException, OSError) as exc:
            self.close()
            reason = _serial_reason(exc)
            raise TransportError(f"serial printer {self.url}: {reason}", reason) from exc

    def query_status(self, n: int) -> int | None:
        """``DLE EOT n`` -> the status byte, or None if none comes within the timeout."""
        import serial

        deadline = time.monotonic() + self.timeout
        port = self._open()
        try:
            port.reset_input_buffer()
            port.write(status_query_bytes(n))
            port.flush()
            while (left := deadline - time.monotonic()) > 0:
                port.timeout = left
                reply = port.read(1)
                if reply and valid_status_byte(reply[0]):
                    return int(reply[0])
        except serial.SerialTimeoutException:
            return None
        except (serial.SerialException, OSError) as exc:
            self.close()
            reason = _serial_reason(exc)
            raise TransportError(f"serial printer {self.url}: {reason}", reason) from exc
        finally:
            if self._port is not None:
                with contextlib.suppress(Exception):
                    self._port.timeout = self.timeout
        return None

    def abort(self) -> None:
        """Cancel a blocked read or write from another thread (pyserial's cancel_*)."""
        port = self._port
        if port is not None:
            for cancel in ("cancel_read", "cancel_write"):
                with contextlib.suppress(Exception):
                    getattr(port, cancel)()

    def close(self) -> None:
        """Close the port (waiting up to the write timeout for output). Never raises."""
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(Exception):
                port.close()


def _serial_reason(exc: BaseException) -> str:
    """A few words from a pyserial error ("No such file or directory")."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    match = re.search(r"\[Errno \d+\] ([^:]+)", str(exc))
    return match.group(1).strip() if match else str(exc)


# -- device file ----------------------------------------------------------------------


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


# -- USB ------------------------------------------------------------------------------


_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")


def _bad_target(driver: str, target: str, expected: str) -> ConfigError:
    return ConfigError(
        f'printer.target: "{target}" is not a valid {driver} printer target; expected {expected}'
    )


def _parse_network(target: str) -> tuple[str, int]:
    expected = 'a host name or IP address, optionally with ":port", like "10.0.0.5:9100"'
    text = target.strip()
    port_text = ""
    if text.startswith("["):  # [IPv6]:port
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise _bad_target("network", target, expected)
        port_text = rest[1:]
        try:
            socket.inet_pton(socket.AF_INET6, host)
        except OSError:
            raise _bad_target("network", target, expected) from None
    elif text.count(":") > 1:  # a bare IPv6 address
        host = text
        try:
            socket.inet_pton(socket.AF_INET6, host)
        except OSError:
            raise _bad_target("network", target, expected) from None
    else:
        host, colon, port_text = text.partition(":")
        if not _HOST.fullmatch(host) or (colon and not port_text):
            raise _bad_target("network", target, expected)
    if not port_text:
        return host, DEFAULT_PORT
    if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
        raise _bad_target("network", target, expected + " (port 1-65535)")
    return host, int(port_text)


def _parse_serial(target: str) -> tuple[str, int]:
    expected = 'a serial port, optionally with ":baud", like "/dev/ttyUSB0:19200"'
    text = target.strip()
    if not text:
        raise _bad_target("serial", target, expected)
    if "://" in text:  # a pyserial URL (socket://, rfc2217://, loop://): used as it is
        return text, DEFAULT_BAUDRATE
    port, colon, baud = text.rpartition(":")
    if not colon:
        return text, DEFAULT_BAUDRATE
    if not port or not (baud.isascii() and baud.isdigit()) or not 50 <= int(baud) <= 4_000_000:
        raise _bad_target("serial", target, expected)
    return port, int(baud)


def _parse_usb(target: str) -> tuple[int, int]:
    expected = 'the vendor and product ids in hex, like "04b8:0202"'
    match = re.fullmatch(r"(?:0x)?([0-9a-fA-F]{1,4}):(?:0x)?([0-9a-fA-F]{1,4})", target.strip())
    if match is None:
        raise _bad_target("usb", target, expected)
    return int(match.group(1), 16), int(match.group(2), 16)


def make_transport(driver: str, target: str, timeout: float) -> Transport:
    """The transport for ``printer.driver``/``printer.target`` (nothing is opened yet).

    Targets: network ``host`` or ``host:port`` (``[::1]:9100`` for IPv6); serial
    ``/dev/ttyUSB0`` or ``/dev/ttyUSB0:19200`` (or a pyserial URL such as
    ``socket://host:port``); usb ``04b8:0202``; file a path. Raises ConfigError naming
    ``printer.target`` (or ``printer.driver``) when they make no sense.
    """
    if driver == "network":
        host, port = _parse_network(target)
        return NetworkTransport(host, port, timeout)
    if driver == "serial":
        url, baud = _parse_serial(target)
        return SerialTransport(url, baud, timeout)
    if driver == "usb":
        from tui_pos.drivers.escpos.usb_transport import UsbTransport

        vid, pid = _parse_usb(target)
        return UsbTransport(vid, pid, timeout)
    if driver == "file":
        if not target.strip():
            raise _bad_target("file", target, 'a device or file path like "/dev/usb/lp0"')
        return FileTransport(Path(target).expanduser(), timeout)
    raise ConfigError(
        f'printer.driver: "{driver}" has no ESC/POS transport; use usb, serial, network or file'
    )
