"""Barcode scanner sources read by a long-lived thread: evdev (HID keyboard) and serial.

A keyboard-wedge scanner ("keyboard" mode) types into the terminal and is handled by the
app itself, so it has no source here. Importing this package loads neither evdev nor
pyserial; ``make_scanner`` imports the one the configured mode needs.
"""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING

from tui_pos.domain.errors import ConfigError

if TYPE_CHECKING:
    from tui_pos.services.ports import ScannerSource

__all__ = ["SCANNER_MODES", "make_scanner", "terminator_text"]

#: The values of ``scanner.mode``.
SCANNER_MODES = ("keyboard", "evdev", "serial", "none")

_NAMED_TERMINATORS = {
    "cr": "\r",
    "lf": "\n",
    "crlf": "\r\n",
    "enter": "\r",
    "tab": "\t",
}

_EVDEV_MISSING = 'scanner.mode = "evdev" needs the evdev package: pip install "tui-pos[evdev]"'


def terminator_text(terminator: str) -> str:
    """The characters ``scanner.terminator`` stands for.

    Accepts the characters themselves (TOML ``"\\r"``), backslash escapes written
    literally (TOML ``'\\r'``), or a name: cr, lf, crlf, enter, tab.
    """
    named = _NAMED_TERMINATORS.get(terminator.strip().lower()) if terminator.strip() else None
    if named is not None:
        return named
    if "\\" in terminator:
        try:
            return codecs.decode(terminator, "unicode_escape")
        except UnicodeError as exc:
            raise ConfigError(f"scanner.terminator {terminator!r} has a bad escape") from exc
    if not terminator:
        raise ConfigError("scanner.terminator must not be empty")
    return terminator


def make_scanner(
    mode: str, device: str, grab: bool, terminator: str, baudrate: int = 9600
) -> ScannerSource | None:
    """The scanner source for the ``[scanner]`` settings, or None when there is none to read.

    "keyboard" and "none" give None; "evdev" and "serial" need ``device``. Raises
    ConfigError for a missing device, a bad device spec or terminator, or (evdev) when
    python-evdev is not installed. Nothing is opened here: ``run`` does that.
    """
    if mode in ("keyboard", "none"):
        return None
    if mode not in SCANNER_MODES:
        raise ConfigError(f"scanner.mode {mode!r} is not one of {', '.join(SCANNER_MODES)}")
    if not device.strip():
        example = (
            '"/dev/input/by-id/usb-...-event-kbd", "name:Scanner" or "0c2e:0b61"'
            if mode == "evdev"
            else '"/dev/ttyACM0" or "/dev/serial/by-id/usb-..."'
        )
        raise ConfigError(f'scanner.mode = "{mode}" needs scanner.device, e.g. {example}')
    text = terminator_text(terminator)
    if mode == "evdev":
        return _evdev_scanner(device.strip(), grab, text)
    return _serial_scanner(device.strip(), text, baudrate)


def _evdev_scanner(device: str, grab: bool, terminator: str) -> ScannerSource:
    try:
        import evdev  # noqa: F401  (optional extra: fail here with a clear message)
    except ImportError as exc:
        raise ConfigError(_EVDEV_MISSING) from exc
    from tui_pos.drivers.scanners.evdev_source import EvdevScanner

    if terminator in ("\r", "\n", "\r\n"):
        tab = False
    elif terminator == "\t":
        tab = True
    else:
        raise ConfigError(
            f'scanner.terminator {terminator!r} cannot end an evdev scan: use "\\r" (Enter, '
            'the default; keypad Enter also works) or "\\t" (Tab)'
        )
    return EvdevScanner(device, grab, tab_terminates=tab)


def _serial_scanner(device: str, terminator: str, baudrate: int) -> ScannerSource:
    from tui_pos.drivers.scanners.serial_source import SerialScanner

    try:
        end = terminator.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise ConfigError(f"scanner.terminator {terminator!r} is not a byte sequence") from exc
    if baudrate <= 0:
        raise ConfigError(f"scanner baud rate {baudrate} must be positive")
    return SerialScanner(device, baudrate, end)
