"""Choosing the devices the config names: printer, drawer, customer display, scanners.

Driver modules are imported only for the devices that are configured, so a till without
an ESC/POS printer never loads python-escpos, and one without an evdev scanner never
needs the evdev package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tui_pos.config import Config, user_path
from tui_pos.domain.errors import ConfigError
from tui_pos.drivers.file_printer import FilePrinter, NullPrinter
from tui_pos.services.ports import (
    CashDrawer,
    CustomerDisplay,
    ReceiptPrinter,
    ScannerSource,
    StatusPrinter,
)

ESCPOS_DRIVERS = ("usb", "serial", "network")


@dataclass
class Devices:
    """The devices of one till (all optional but the printer, which may print nowhere)."""

    printer: ReceiptPrinter
    printer_note: str
    status_printer: StatusPrinter | None = None
    drawer: CashDrawer | None = None
    display: CustomerDisplay | None = None
    scanners: list[ScannerSource] = field(default_factory=list)


def make_devices(config: Config, db_path: Path) -> Devices:
    """Build (without connecting to anything) the devices the config names."""
    printer, note, status, drawer = _printer(config, db_path)
    if config.drawer.enabled and drawer is None:
        raise ConfigError(
            "drawer.enabled: the drawer is kicked through the receipt printer, so "
            'printer.driver must be "usb", "serial" or "network"'
        )
    return Devices(
        printer=printer,
        printer_note=note,
        status_printer=status,
        drawer=drawer if config.drawer.enabled else None,
        display=_display(config),
        scanners=_scanners(config),
    )


def _printer(
    config: Config, db_path: Path
) -> tuple[ReceiptPrinter, str, StatusPrinter | None, CashDrawer | None]:
    driver = config.printer.driver
    if driver == "none":
        return NullPrinter(), "receipts on screen only", None, None
    if driver == "file" and not config.printer.target.startswith("/dev/"):
        # A text file of receipts (the demo's default): readable, appendable, no ESC/POS.
        target = (
            user_path(config.printer.target, "printer.target") if config.printer.target else None
        )
        path = target or db_path.parent / "receipts" / f"{config.store.till}.txt"
        text_file = FilePrinter(path)  # it has a status too: the poll retries a bad folder
        return text_file, f"receipts to {path}", text_file, None
    if driver in ESCPOS_DRIVERS or driver == "file":  # "file" on /dev/...: a printer device
        from tui_pos.drivers.escpos import make_escpos_printer

        printer = make_escpos_printer(config.printer)
        return printer, f"{driver} printer {config.printer.target}", printer, printer
    raise ConfigError(f"printer.driver: unknown driver {driver!r}")


def _display(config: Config) -> CustomerDisplay | None:
    if config.display.driver == "none":
        return None
    from tui_pos.drivers.customer_display import make_customer_display

    return make_customer_display(
        config.display.driver, config.display.target, config.display.command_set
    )


def _scanners(config: Config) -> list[ScannerSource]:
    """One source per device listed in ``scanner.device`` (comma-separated)."""
    mode = config.scanner.mode
    if mode in ("keyboard", "none"):
        return []  # a keyboard-wedge scanner types into the entry line itself
    from tui_pos.drivers.scanners import make_scanner

    sources = []
    for spec in (s.strip() for s in config.scanner.device.split(",")):
        source = make_scanner(
            mode,
            spec,
            config.scanner.grab,
            config.scanner.terminator,
            baudrate=config.scanner.baudrate,
        )
        if source is not None:
            sources.append(source)
    return sources
