"""ESC/POS receipt printers and cash drawers: USB, serial, network (port 9100), device file.

``make_escpos_printer(config.printer)`` gives an :class:`EscposPrinter` that implements the
``StatusPrinter`` and ``CashDrawer`` ports. Importing this package loads neither
python-escpos (it is imported on the first render, without its stderr logging handler)
nor pyserial or pyusb (imported when a transport opens).
"""

from __future__ import annotations

from typing import Protocol

from tui_pos.domain.errors import ConfigError
from tui_pos.drivers.escpos.encoding import encode_line, fit_line, fold_for_codepage
from tui_pos.drivers.escpos.printer import EscposPrinter, status_from_bytes
from tui_pos.drivers.escpos.render import (
    codepage_select_bytes,
    drawer_kick_bytes,
    printer_model,
    receipt_bytes,
    status_query_bytes,
)
from tui_pos.drivers.escpos.transport import (
    FileTransport,
    NetworkTransport,
    SerialTransport,
    Transport,
    TransportError,
    make_transport,
)
from tui_pos.drivers.escpos.usb_transport import UsbTransport

__all__ = [
    "EscposPrinter",
    "FileTransport",
    "NetworkTransport",
    "PrinterSettings",
    "SerialTransport",
    "Transport",
    "TransportError",
    "UsbTransport",
    "codepage_select_bytes",
    "drawer_kick_bytes",
    "encode_line",
    "fit_line",
    "fold_for_codepage",
    "make_escpos_printer",
    "make_transport",
    "printer_model",
    "receipt_bytes",
    "status_from_bytes",
    "status_query_bytes",
]


class PrinterSettings(Protocol):
    """What the driver reads of ``[printer]`` (the config's ``PrinterConfig`` has it; the
    driver does not import the app's config)."""

    @property
    def driver(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def profile(self) -> str: ...
    @property
    def codepage(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def timeout(self) -> int: ...


ESCPOS_DRIVERS = ("usb", "serial", "network", "file")
"""The ``printer.driver`` values an :class:`EscposPrinter` serves."""


def make_escpos_printer(config: PrinterSettings) -> EscposPrinter:
    """The ESC/POS printer described by ``[printer]`` (nothing is opened yet).

    Raises ConfigError naming ``printer.driver``, ``printer.target``, ``printer.profile``
    or ``printer.codepage`` when they cannot work. For ``driver = "file"`` the target is
    the device (``/dev/usb/lp0``) or file the raw ESC/POS bytes are appended to.
    """
    if config.driver not in ESCPOS_DRIVERS:
        raise ConfigError(
            f'printer.driver: "{config.driver}" is not an ESC/POS printer; '
            "use usb, serial, network or file"
        )
    transport = make_transport(config.driver, config.target, float(config.timeout))
    return EscposPrinter(
        transport, profile=config.profile, codepage=config.codepage, width=config.width
    )
