"""``[scanner]``, ``[printer]``, ``[drawer]`` and ``[display]``: the till's hardware.

Each key is declared once with :func:`~tui_pos.config.keys.setting`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_pos.config.keys import setting


@dataclass(frozen=True)
class ScannerConfig:
    """``[scanner]``: how barcodes arrive."""

    mode: str = setting(
        "keyboard",
        help='How barcodes arrive: "keyboard" (the scanner types into the app), "evdev" (read'
        ' the\ninput device directly, Linux), "serial" (a serial/USB-serial port) or "none".',
        choices=("keyboard", "evdev", "serial", "none"),
    )
    device: str = setting(
        "",
        help='Device for "evdev": a path (best a stable "/dev/input/by-id/usb-...-event-kbd"),'
        '\n"name:Honeywell" (part of the device name) or "0c2e:0b61" (USB vendor:product);\nfor'
        ' "serial": "/dev/ttyACM0". Several scanners: separate them with commas.\n`tui-pos'
        " devices list` shows what is plugged in.",
    )
    grab: bool = setting(
        True,
        help="evdev only: take the scanner for ourselves so its keys don't reach other programs.",
    )
    terminator: str = setting(
        "\r",
        help='What the scanner sends after each code ("\\r" = Enter).',
        pattern=r"(?s).+",
        what='a non-empty string like "\\r"',
    )
    baudrate: int = setting(
        9600, help="Serial scanners: the port speed (300-4000000).", low=300, high=4_000_000
    )


@dataclass(frozen=True)
class PrinterConfig:
    """``[printer]``: the receipt printer."""

    driver: str = setting(
        "file",
        help='Receipt printer: "none", "file" (write receipts as text files), "usb", "serial"'
        ' or\n"network".',
        choices=("none", "file", "usb", "serial", "network"),
    )
    target: str = setting(
        "",
        help='Where to print: for "file" a text file of receipts (empty = receipts/<till>.txt'
        ' next to\nthe database) or a printer device such as "/dev/usb/lp0" (ESC/POS bytes'
        ' are written to\nit); "04b8:0202" (vendor:product) for usb (needs pip install'
        ' "tui-pos[usb]");\n"/dev/ttyUSB0" or "/dev/ttyUSB0:19200" for serial; "192.168.1.50"'
        ' or\n"192.168.1.50:9100" for network (use the IP address: name lookups have no'
        " timeout).",
    )
    profile: str = setting(
        "default",
        help='Printer model profile (python-escpos profile name), "default" suits most printers.',
    )
    codepage: str = setting(
        "cp858",
        help="Character code page the printer uses for accented letters and the euro sign.",
    )
    width: int = setting(
        42,
        help="Characters per line: 42 for most 80 mm printers, 32 for 58 mm ones (24-64).",
        low=24,
        high=64,
    )
    timeout: int = setting(
        5, help="Seconds to wait for the printer before giving up (1-60).", low=1, high=60
    )


@dataclass(frozen=True)
class DrawerConfig:
    """``[drawer]``: the cash drawer, kicked through the printer."""

    enabled: bool = setting(False, help="true if a cash drawer is plugged into the printer.")
    pin: int = setting(2, help="Drawer kick connector pin: 2 or 5.", choices=(2, 5))
    pulse_ms: int = setting(
        120,
        help="How long to pulse the drawer to open it, in milliseconds (10-500).",
        low=10,
        high=500,
    )


@dataclass(frozen=True)
class DisplayConfig:
    """``[display]``: the customer-facing pole display."""

    driver: str = setting(
        "none",
        help='Customer-facing pole display: "none" or "serial".',
        choices=("none", "serial"),
    )
    target: str = setting("", help='Serial port of the display, e.g. "/dev/ttyUSB1".')
    command_set: str = setting(
        "epson",
        help='Command set the display understands: "epson" or "cd5220".',
        choices=("epson", "cd5220"),
    )
    ascii: bool = setting(
        False,
        help="The till's own screen: ASCII borders and key names, the console's 16 colours"
        " (for a\nLinux console whose font has no block glyphs). On by itself when TERM=linux.",
    )
