"""USB printers through pyusb (libusb), with explicit timeouts on every transfer."""

from __future__ import annotations

import contextlib
import errno
import time
from typing import Any

from tui_pos.drivers.escpos.render import status_query_bytes
from tui_pos.drivers.escpos.transport import TransportError, format_seconds, valid_status_byte


class UsbTransport:
    """A USB printer through pyusb (libusb), with explicit timeouts on every transfer.

    Prefer ``file`` with ``/dev/usb/lp0`` when the kernel's usblp driver exposes one: it
    needs neither pyusb nor libusb. Here the usblp driver is detached while the job runs.
    """

    reads_status = True

    def __init__(self, vid: int, pid: int, timeout: float = 5.0) -> None:
        self.vid = vid
        self.pid = pid
        self.timeout = timeout
        self.name = f"USB {vid:04x}:{pid:04x}"
        self._device: Any = None
        self._out: Any = None
        self._in: Any = None

    @property
    def _ms(self) -> int:
        return max(1, int(self.timeout * 1000))

    def _not_found(self, why: str) -> TransportError:
        return TransportError(
            f"USB printer {self.vid:04x}:{self.pid:04x} not found ({why})", "not found"
        )

    def _open(self) -> Any:
        if self._out is not None:
            return self._out
        try:
            import usb.core
            import usb.util
        except ImportError as exc:
            raise self._not_found("is pyusb installed?") from exc
        try:
            device = usb.core.find(idVendor=self.vid, idProduct=self.pid)
        except usb.core.NoBackendError as exc:
            raise self._not_found("is libusb installed?") from exc
        except usb.core.USBError as exc:
            raise self._usb_error(exc) from exc
        if device is None:
            raise self._not_found("is it plugged in and switched on?")
        try:
            with contextlib.suppress(NotImplementedError, usb.core.USBError):
                if device.is_kernel_driver_active(0):
                    device.detach_kernel_driver(0)
            with contextlib.suppress(usb.core.USBError):  # already configured: fine
                device.set_configuration()
            interface = device.get_active_configuration()[(0, 0)]

            def direction(wanted: int) -> Any:
                def match(endpoint: Any) -> bool:
                    return bool(usb.util.endpoint_direction(endpoint.bEndpointAddress) == wanted)

                return usb.util.find_descriptor(interface, custom_match=match)

            out_ep = direction(usb.util.ENDPOINT_OUT)
            in_ep = direction(usb.util.ENDPOINT_IN)
        except usb.core.USBError as exc:
            raise self._usb_error(exc) from exc
        if out_ep is None:
            raise TransportError(f"{self.name} has no output endpoint", "no endpoint")
        self._device, self._out, self._in = device, out_ep, in_ep
        return out_ep

    def _usb_error(self, exc: Any) -> TransportError:
        code = getattr(exc, "errno", None)
        if code in (errno.EACCES, errno.EPERM):
            return TransportError(
                f"USB printer {self.vid:04x}:{self.pid:04x}: permission denied "
                "(add a udev rule for it)",
                "permission denied",
            )
        if code == errno.ENODEV:
            return self._not_found("it was unplugged")
        if _is_usb_timeout(exc):
            return TransportError(
                f"USB printer {self.vid:04x}:{self.pid:04x} did not accept data within "
                f"{format_seconds(self.timeout)}",
                "not accepting data",
            )
        reason = getattr(exc, "strerror", None) or str(exc)
        return TransportError(f"USB printer {self.vid:04x}:{self.pid:04x}: {reason}", reason)

    def write(self, data: bytes) -> None:
        """Send ``data`` with a timeout; raises TransportError."""
        out_ep = self._open()
        try:
            out_ep.write(data, timeout=self._ms)
        except Exception as exc:
            self.close()
            raise self._usb_error(exc) from exc

    def query_status(self, n: int) -> int | None:
        """``DLE EOT n`` -> the status byte, or None if none comes within the timeout."""
        out_ep = self._open()
        if self._in is None:
            return None
        try:
            with contextlib.suppress(Exception):  # drop stale bytes
                self._in.read(64, timeout=10)
            out_ep.write(status_query_bytes(n), timeout=self._ms)
            deadline = time.monotonic() + self.timeout
            while (left := deadline - time.monotonic()) > 0:
                try:
                    reply = bytes(self._in.read(64, timeout=max(1, int(left * 1000))))
                except Exception as exc:
                    if _is_usb_timeout(exc):
                        return None
                    raise
                for value in reply:
                    if valid_status_byte(value):
                        return value
                if not reply:
                    time.sleep(0.05)  # some printers answer on a later read
        except Exception as exc:
            self.close()
            raise self._usb_error(exc) from exc
        return None

    def abort(self) -> None:
        """Nothing to cancel: pyusb has no cancellation; every transfer has its timeout."""

    def close(self) -> None:
        """Release the device (the interface and libusb's handle). Never raises."""
        device, self._device, self._out, self._in = self._device, None, None, None
        if device is not None:
            with contextlib.suppress(Exception):
                import usb.util

                usb.util.dispose_resources(device)


def _is_usb_timeout(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) == errno.ETIMEDOUT or "Timeout" in type(exc).__name__


# -- targets --------------------------------------------------------------------------
