"""The serial transport (pyserial, imported when the port opens): a port name or a
pyserial URL, every step with a timeout."""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any

from tui_pos.drivers.escpos.render import status_query_bytes
from tui_pos.drivers.escpos.transport import (
    DEFAULT_BAUDRATE,
    TransportError,
    format_seconds,
    valid_status_byte,
)


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
