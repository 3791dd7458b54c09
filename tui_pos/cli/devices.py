"""``tui-pos devices list|test-print|open-drawer``."""

from __future__ import annotations

import click

from tui_pos.cli.context import Context
from tui_pos.cli.signing import BY_OPTION, signed
from tui_pos.domain.errors import DeviceError
from tui_pos.domain.staff import Action


@click.group()
def devices() -> None:
    """List and test the till's devices."""


@devices.command("list")
@click.pass_obj
def devices_list(obj: Context) -> None:
    """Scanners and serial ports found, and the configured printer with its status."""
    from tui_pos.devices import make_devices
    from tui_pos.drivers.scanners.discovery import list_evdev_devices, list_serial_ports

    config = obj.config()
    path = obj.database_path()
    found = make_devices(config, path)
    click.echo(f"printer: {config.printer.driver} {found.printer_note}")
    if found.status_printer is not None:
        click.echo(f"  status: {found.status_printer.status().label}")
    drawer = "through the printer" if found.drawer else "not configured"
    click.echo(f"drawer: {drawer}")
    display = config.display
    shown = f"{display.driver} {display.target} ({display.command_set})"
    click.echo(f"customer display: {shown if found.display else 'none'}")
    click.echo(f"scanner mode: {config.scanner.mode} {config.scanner.device}".rstrip())
    evdev = list_evdev_devices()
    click.echo(f"input devices (evdev): {len(evdev)}")
    for info in evdev:
        kind = "keyboard-like" if info.keyboard else "other"
        click.echo(f"  {info.path}  {info.vid_pid}  {info.name}  ({kind})")
    ports = list_serial_ports()
    click.echo(f"serial ports: {len(ports)}")
    for port in ports:
        click.echo(f"  {port.device}  {port.description}  {port.hwid}")


@devices.command("test-print")
@click.pass_obj
def devices_test_print(obj: Context) -> None:
    """Print a test receipt (code page, width, barcode, cut) on the configured printer."""
    from tui_pos.devices import make_devices
    from tui_pos.domain.receipt import printer_test_receipt

    config = obj.config()
    found = make_devices(config, obj.database_path())
    found.printer.print_receipt(printer_test_receipt(config.store.name, config.printer.width))
    click.echo(f"test receipt sent: {found.printer_note}")


@devices.command("open-drawer")
@BY_OPTION
@click.pass_obj
def devices_open_drawer(obj: Context, by: str | None) -> None:
    """Open the cash drawer (recorded as a no-sale, signed with --by once the till has
    staff)."""
    import time

    with obj.open_till() as till:
        approval = signed(till, by, Action.NO_SALE, "open the drawer from the command line")
        problem = till.drawer.no_sale(time.monotonic(), approval)
    if problem:
        raise DeviceError(problem)
    click.echo("drawer opened (no-sale recorded)")
