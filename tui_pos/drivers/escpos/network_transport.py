"""The TCP ("JetDirect", port 9100) transport: one connection per job, every step with
a timeout, failures as :class:`~tui_pos.drivers.escpos.transport.TransportError`."""

from __future__ import annotations

import contextlib
import errno
import select
import socket
import time

from tui_pos.drivers.escpos.render import status_query_bytes
from tui_pos.drivers.escpos.transport import (
    DEFAULT_PORT,
    TransportError,
    format_seconds,
    valid_status_byte,
)


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
