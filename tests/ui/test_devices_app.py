"""The app with scanner devices and a customer display, through real pyserial on ptys."""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.settle import settle
from tests.support.tills import copy_database, fixed_clock, open_test_till
from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.config import Config
from tui_pos.devices import Devices
from tui_pos.drivers.customer_display import SerialCustomerDisplay
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.drivers.scanners.serial_source import SerialScanner
from tui_pos.screens.tender import TenderScreen

LOAF = "5900000000015"
ORGANIC = "5900000000022"


class ListScanner:
    """A scanner source that reads the codes it is handed (like a device thread)."""

    name = "test:list"

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.ready = threading.Event()

    def run(
        self,
        on_code: Callable[[str], None],
        on_status: Callable[[str, bool], None],
        stop: threading.Event,
    ) -> None:
        on_status("scanner test connected", True)
        while not stop.is_set():
            if self.codes:
                on_code(self.codes.pop(0))
            stop.wait(0.01)


def _read(fd: int, timeout: float = 1.0) -> bytes:
    data = b""
    while select.select([fd], [], [], timeout)[0]:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
        timeout = 0.1
    return data


@pytest.fixture
def ptys() -> Iterator[tuple[tuple[int, str], tuple[int, str]]]:
    scan_master, scan_slave = os.openpty()
    disp_master, disp_slave = os.openpty()
    yield (scan_master, os.ttyname(scan_slave)), (disp_master, os.ttyname(disp_slave))
    for fd in (scan_master, scan_slave, disp_master, disp_slave):
        os.close(fd)


def _till(tmp_path: Path, demo_template: Path, devices: Devices) -> Till:
    path = tmp_path / "till.db"
    copy_database(demo_template, path)
    return open_test_till(Config(), path, devices=devices, clock=fixed_clock)


async def _until(pilot, condition: Callable[[], bool], tries: int = 100) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the condition never became true")


async def test_serial_scanner_and_pole_display_follow_the_sale(
    tmp_path: Path, demo_template: Path, ptys: tuple[tuple[int, str], tuple[int, str]]
) -> None:
    (scan_master, scan_port), (disp_master, disp_port) = ptys
    devices = Devices(
        RecordingPrinter(),
        "test printer",
        display=SerialCustomerDisplay(disp_port, command_set="cd5220"),
        scanners=[SerialScanner(scan_port, timeout=0.05)],
    )
    till = _till(tmp_path, demo_template, devices)
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        os.write(scan_master, f"{LOAF}\r\n{ORGANIC}\r".encode())
        await _until(pilot, lambda: len(till.register.cart.lines) == 2)
        assert [ln.name for ln in till.register.cart.lines] == [
            "White Loaf 800g",
            "White Loaf 800g Organic",
        ]
        await settle(pilot)
        shown = _read(disp_master)
        assert b"\x1bQAWhite Loaf 800g Orga\r\x1bQB                1.99\r" in shown
        await pilot.press("f10")
        await settle(pilot)
        shown = _read(disp_master)
        assert b"TOTAL" in shown and b"3.48" in shown
        await pilot.press(*"5", "enter")
        await pilot.pause()
        await settle(pilot)
        shown = _read(disp_master)
        assert b"CHANGE" in shown and b"1.52" in shown  # 5.00 - 3.48
    till.close()


async def test_device_scans_route_to_the_sale_or_are_refused_in_a_dialog(
    tmp_path: Path, demo_template: Path
) -> None:
    scanner = ListScanner()
    till = _till(tmp_path, demo_template, Devices(RecordingPrinter(), "p", scanners=[scanner]))
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("3", "*")  # a quantity typed, then the scanner fires
        scanner.codes.append(LOAF)
        await _until(pilot, lambda: len(till.register.cart.lines) == 1)
        assert till.register.cart.lines[0].qty_milli == 3000
        await pilot.press("f10")
        assert isinstance(app.screen, TenderScreen)
        scanner.codes.append(ORGANIC)
        await _until(pilot, lambda: any("ignored" in str(n.message) for n in app._notifications))
        assert len(till.register.cart.lines) == 1
        assert till.register.tender_state().payments == ()
    till.close()


async def test_reprint_any_receipt_by_its_number(tmp_path: Path, demo_template: Path) -> None:
    printer = RecordingPrinter()
    till = _till(tmp_path, demo_template, Devices(printer, "p"))
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for code in (LOAF, ORGANIC):
            await pilot.press(*code, "enter", "f10", "enter")
            await pilot.pause()
            await settle(pilot)
        await pilot.press("f12", *"1", "enter")
        await pilot.pause()
        await settle(pilot)
        await pilot.press("f12", *"99", "enter")  # no such sale: the dialog says so
        await pilot.pause()
        assert "no sale T1-000099" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("escape")
        await pilot.press("f12", "enter")  # Enter alone: the last sale
        await pilot.pause()
        await settle(pilot)
    labels = [(r.barcode, "*** COPY ***" in r.text) for r in printer.printed]
    assert labels == [
        ("T1-000001", False),
        ("T1-000002", False),
        ("T1-000001", True),
        ("T1-000002", True),
    ]
    till.close()
