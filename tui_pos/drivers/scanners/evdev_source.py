"""A HID-keyboard barcode scanner read directly from ``/dev/input`` with python-evdev.

The device is grabbed (EVIOCGRAB) so its keys never reach the terminal as well, and read
by ``EvdevScanner.run`` in a long-lived thread. Unplugging gives ENODEV from ``read``;
the scanner then reports it, closes the device and looks for it again every few seconds.

A device is named by a ``spec``:

- a path: ``/dev/input/event3`` or, better, ``/dev/input/by-id/usb-...-event-kbd``
  (event numbers can change when the scanner is plugged in again);
- ``name:Substring``: the first keyboard-like device whose name contains it (any case);
- ``vid:pid`` in hex: ``0c2e:0b61``, the USB ids (keyboard-like interfaces first).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import re
import select
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import evdev

from tui_pos.domain.errors import ConfigError
from tui_pos.drivers.scanners.discovery import EvdevInfo, list_evdev_devices
from tui_pos.drivers.scanners.keymap import (
    DEFAULT_MAX_LENGTH,
    EvdevKeyDecoder,
    KeyEventLike,
    key_events_for,
)

__all__ = [
    "DeviceSpec",
    "EvdevScanner",
    "InputDeviceLike",
    "find_device_path",
    "key_events_for",
    "open_evdev_device",
    "parse_spec",
]

logger = logging.getLogger(__name__)

_VID_PID = re.compile(r"^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})$")

SPEC_HELP = (
    'a path like "/dev/input/by-id/usb-...-event-kbd", "name:Scanner" '
    '(part of the device name) or "vid:pid" in hex like "0c2e:0b61"'
)


class InputDeviceLike(Protocol):
    """What the scanner needs from an opened device (``evdev.InputDevice`` fits)."""

    def fileno(self) -> int:
        """A file descriptor that select() reports readable when events are pending."""
        ...

    def read(self) -> Iterable[KeyEventLike]:
        """The pending events; raises BlockingIOError when there are none."""
        ...

    def grab(self) -> None:
        """Take the device exclusively."""
        ...

    def ungrab(self) -> None:
        """Give the device back."""
        ...

    def close(self) -> None:
        """Close the device."""
        ...


OpenDevice = Callable[[str], InputDeviceLike]
"""Finds and opens the device for a spec; raises OSError when it is not there."""


@dataclass(frozen=True)
class DeviceSpec:
    """A parsed device spec."""

    kind: Literal["path", "name", "usb"]
    value: str  #: the path, the name substring, or "vvvv:pppp" (lower-case, zero-padded)


def parse_spec(spec: str) -> DeviceSpec:
    """Parse a device spec; raises ConfigError when it is none of the three forms."""
    text = spec.strip()
    if text.startswith("/"):
        return DeviceSpec("path", text)
    if text.lower().startswith("name:"):
        name = text[len("name:") :].strip()
        if not name:
            raise ConfigError(f"scanner.device {spec!r}: the name after 'name:' is empty")
        return DeviceSpec("name", name)
    match = _VID_PID.match(text)
    if match:
        vid, pid = (int(group, 16) for group in match.groups())
        return DeviceSpec("usb", f"{vid:04x}:{pid:04x}")
    raise ConfigError(f"scanner.device {spec!r} is not {SPEC_HELP}")


def find_device_path(spec: DeviceSpec, devices: Sequence[EvdevInfo]) -> str | None:
    """The path of the device ``spec`` names among ``devices`` (None if absent).

    A path spec is returned as it is. For a name or USB ids, keyboard-like devices come
    first (a scanner often has extra "consumer control" interfaces with the same ids),
    then the lowest event number (the order of ``devices``).
    """
    if spec.kind == "path":
        return spec.value
    if spec.kind == "name":
        wanted = spec.value.casefold()
        matches = [d for d in devices if wanted in d.name.casefold()]
    else:
        matches = [d for d in devices if d.vid_pid.lower() == spec.value]
    matches.sort(key=lambda d: not d.keyboard)  # stable: keeps the event order otherwise
    return matches[0].path if matches else None


def open_evdev_device(spec: str) -> InputDeviceLike:
    """Find the device for ``spec`` now and open it with ``evdev.InputDevice``."""
    parsed = parse_spec(spec)
    path = find_device_path(parsed, [] if parsed.kind == "path" else list_evdev_devices())
    if path is None:
        raise FileNotFoundError(errno.ENOENT, "no such input device", spec)
    return evdev.InputDevice(path)


class EvdevScanner:
    """A ``ScannerSource`` reading a HID-keyboard scanner through evdev.

    ``open_device`` finds and opens the device for the spec (tests pass a fake);
    ``retry_seconds`` is the wait between attempts while the device is missing;
    ``poll_seconds`` bounds how long ``run`` takes to notice ``stop``.
    """

    def __init__(
        self,
        spec: str,
        grab: bool = True,
        *,
        open_device: OpenDevice = open_evdev_device,
        retry_seconds: float = 2.0,
        poll_seconds: float = 0.1,
        tab_terminates: bool = False,
        max_length: int = DEFAULT_MAX_LENGTH,
    ) -> None:
        parse_spec(spec)  # a bad spec is a configuration error, found before any thread runs
        self.spec = spec
        self.name = f"evdev:{spec}"
        self.grab = grab
        self.retry_seconds = retry_seconds
        self.poll_seconds = poll_seconds
        self._open_device = open_device
        self._decoder = EvdevKeyDecoder(tab_terminates=tab_terminates, max_length=max_length)

    def run(
        self,
        on_code: Callable[[str], None],
        on_status: Callable[[str, bool], None],
        stop: threading.Event,
    ) -> None:
        """Read codes until ``stop`` is set, reconnecting whenever the device goes away."""
        told = ""  # the last state reported: "" (nothing yet), "connected" or a failure kind

        def report(state: str, message: str, ok: bool) -> None:
            # Each change is told once, not at every retry.
            nonlocal told
            if state != told:
                on_status(message, ok)
                told = state

        while not stop.is_set():
            try:
                device = self._open_device(self.spec)
            except OSError as exc:
                if told:  # it was there (or busy) before: it went away
                    report("gone", self._gone, False)
                else:
                    reason = _reason(exc)
                    report("gone", f"scanner {self.spec} not found ({reason}), waiting", False)
                stop.wait(self.retry_seconds)
                continue
            grabbed = False
            try:
                if self.grab:
                    device.grab()
                    grabbed = True
            except OSError as exc:
                reason = _reason(exc)
                report("busy", f"scanner {self.spec} is busy ({reason}), waiting", False)
            else:
                report("connected", f"scanner {self.spec} connected", True)
                self._decoder.reset()
                error = self._read(device, on_code, stop)
                if error is not None:
                    logger.info("scanner %s: %s", self.spec, error)
                    report("gone", self._gone, False)
            finally:
                _release(device, grabbed)
            if not stop.is_set():
                stop.wait(self.retry_seconds)

    @property
    def _gone(self) -> str:
        return f"scanner {self.spec} disconnected, waiting"

    def _read(
        self, device: InputDeviceLike, on_code: Callable[[str], None], stop: threading.Event
    ) -> Exception | None:
        """Pass codes on until ``stop`` (returns None) or a device error (returns it)."""
        while not stop.is_set():
            try:
                ready, _, _ = select.select([device.fileno()], [], [], self.poll_seconds)
                events = list(device.read()) if ready else []
            except BlockingIOError:
                continue
            except (OSError, ValueError) as exc:  # ENODEV when unplugged; ValueError: fd -1
                return exc
            for event in events:
                code = self._decoder.feed(event)
                if code is not None:
                    on_code(code)
        return None


def _release(device: InputDeviceLike, grabbed: bool) -> None:
    if grabbed:
        with contextlib.suppress(OSError):  # ENODEV: unplugged, nothing to give back
            device.ungrab()
    with contextlib.suppress(OSError):
        device.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
