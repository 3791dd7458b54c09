"""Listing the input devices and serial ports a scanner could be on.

Both functions return an empty list, never raise, when there is nothing to see: no
``/dev/input`` (containers, CI), no permission, or python-evdev not installed.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

BY_ID_DIR = Path("/dev/input/by-id")


@dataclass(frozen=True)
class EvdevInfo:
    """One readable ``/dev/input/event*`` device."""

    path: str  #: e.g. "/dev/input/event3"
    name: str  #: what the device calls itself, e.g. "Honeywell Imaging 1900 Keyboard"
    vid_pid: str  #: USB vendor:product in hex, e.g. "0c2e:0b61" ("0000:0000" if not USB)
    phys: str = ""  #: physical topology, e.g. "usb-0000:00:14.0-2/input0"
    keyboard: bool = True  #: has Enter and digit keys (a scanner's keyboard interface)
    by_id: tuple[str, ...] = ()  #: stable ``/dev/input/by-id`` links to this device

    @property
    def vid(self) -> int:
        """The USB vendor id."""
        return int(self.vid_pid.split(":")[0], 16)

    @property
    def pid(self) -> int:
        """The USB product id."""
        return int(self.vid_pid.split(":")[1], 16)


@dataclass(frozen=True)
class SerialPortInfo:
    """One serial port as pyserial lists it."""

    device: str  #: e.g. "/dev/ttyACM0"
    description: str  #: e.g. "Honeywell 1900 CDC" or "n/a"
    hwid: str  #: e.g. "USB VID:PID=0C2E:0B61 SER=1234 LOCATION=1-2:1.0"


def _event_number(path: str) -> tuple[int, str]:
    digits = "".join(c for c in os.path.basename(path) if c.isdigit())
    return (int(digits) if digits else 1 << 30, path)


def _by_id_links() -> dict[str, list[str]]:
    links: dict[str, list[str]] = {}
    try:
        entries = sorted(BY_ID_DIR.iterdir())
    except OSError:
        return links
    for link in entries:
        try:
            target = str(link.resolve(strict=True))
        except OSError:
            continue
        links.setdefault(target, []).append(str(link))
    return links


def list_evdev_devices() -> list[EvdevInfo]:
    """The input event devices this user can open, ordered by event number."""
    try:
        import evdev
        from evdev import ecodes
    except ImportError:
        return []
    try:
        paths = evdev.list_devices()
    except OSError as exc:
        logger.info("cannot list input devices: %s", exc)
        return []
    links = _by_id_links()
    found: list[EvdevInfo] = []
    for path in sorted((str(p) for p in paths), key=_event_number):
        try:
            device = evdev.InputDevice(path)
        except OSError as exc:
            logger.info("cannot open %s: %s", path, exc)
            continue
        try:
            keys = set(device.capabilities().get(ecodes.EV_KEY, []))
            found.append(
                EvdevInfo(
                    path=path,
                    name=str(device.name),
                    vid_pid=f"{device.info.vendor:04x}:{device.info.product:04x}",
                    phys=str(device.phys or ""),
                    keyboard=ecodes.KEY_ENTER in keys and ecodes.KEY_1 in keys,
                    by_id=tuple(links.get(os.path.realpath(path), ())),
                )
            )
        except OSError as exc:
            logger.info("cannot query %s: %s", path, exc)
        finally:
            device.close()
    return found


def list_serial_ports() -> list[SerialPortInfo]:
    """The serial ports pyserial finds (USB-CDC scanners show up as ``/dev/ttyACM*``)."""
    try:
        from serial.tools import list_ports

        ports = list_ports.comports()
    except (ImportError, OSError) as exc:
        logger.info("cannot list serial ports: %s", exc)
        return []
    return sorted(
        (
            SerialPortInfo(
                device=str(port.device),
                description=str(port.description or ""),
                hwid=str(port.hwid or ""),
            )
            for port in ports
        ),
        key=lambda info: info.device,
    )
