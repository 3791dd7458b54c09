"""The till with a network ESC/POS printer (a fake one on 127.0.0.1) and a cash drawer:
the sale prints a correct receipt; with the printer off or broken the sale is still stored,
the receipt waits, and prints when the printer is back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.escpos_decode import decode
from tests.support.fake_printer import FakeTcpPrinter
from tests.support.settle import settle
from tests.support.tills import copy_database, fixed_clock, open_test_till
from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.config import parse_config
from tui_pos.screens.register import RegisterScreen

LOAF = "5900000000015"  # White Loaf 800g 1.49
ORGANIC = "5900000000022"  # 1.99


@pytest.fixture
def printer() -> Iterator[FakeTcpPrinter]:
    with FakeTcpPrinter() as fake:
        yield fake


@pytest.fixture
def shop(tmp_path: Path, demo_template: Path, printer: FakeTcpPrinter) -> Iterator[Till]:
    path = tmp_path / "till.db"
    copy_database(demo_template, path)
    config = parse_config(
        f"""
[store]
name = "Épicerie du Coin"
[printer]
driver = "network"
target = "127.0.0.1:{printer.port}"
timeout = 1
[drawer]
enabled = true
pin = 2
pulse_ms = 100
"""
    )
    till = open_test_till(config, path, clock=fixed_clock)
    yield till
    till.close()


def _receipts(printer: FakeTcpPrinter) -> list[list[str]]:
    """Decoded jobs that carry a receipt (status polls and kicks are jobs too)."""
    decoded = [decode(job) for job in printer.jobs]
    return [lines for lines in decoded if "[CUT]" in lines]


def _queued(till: Till) -> list[tuple[object, ...]]:
    with sqlite3.connect(till.db_path) as conn:
        return conn.execute("SELECT status, attempts FROM print_job ORDER BY id").fetchall()


async def _sell(app, pilot, *codes: str, cash: str = "20") -> None:
    for code in codes:
        await pilot.press(*code, "enter")
    await pilot.press("f10", *cash, "enter")
    await pilot.pause()
    await settle(pilot)
    await pilot.pause()


async def test_a_cash_sale_opens_the_drawer_and_prints_the_receipt(
    shop: Till, printer: FakeTcpPrinter
) -> None:
    app = build_app(shop)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await settle(pilot)
        await pilot.pause()
        assert "printer ready" in str(app.screen.query_one("#store-bar").render())
        await _sell(app, pilot, LOAF, "3*" + ORGANIC)
        assert isinstance(app.screen, RegisterScreen)
    assert _queued(shop) == [("printed", 1)]
    everything = [line for job in printer.jobs for line in decode(job)]
    assert "[DRAWER pin=2 pulse=100ms]" in everything
    (receipt,) = _receipts(printer)
    assert receipt[0].strip() == "Épicerie du Coin"  # accents through cp858
    text = "\n".join(receipt)
    assert "White Loaf 800g Organic" in text and "3 x 1.99" in text
    assert any(line.startswith("TOTAL EUR") and line.endswith("7.46") for line in receipt)
    assert any(line.startswith("Change") and line.endswith("12.54") for line in receipt)
    assert "[BARCODE CODE128 T1-000001]" in receipt
    assert receipt[-1] == "[CUT]"
    # The drawer opened before the receipt printed (the cashier needs it for the change).
    kick = next(i for i, job in enumerate(printer.jobs) if b"\x1bp" in job)
    first_receipt = next(i for i, job in enumerate(printer.jobs) if b"T1-000001" in job)
    assert kick < first_receipt


@pytest.mark.parametrize("fault", ["off", "paper_out", "silent"])
async def test_a_broken_printer_never_loses_the_sale(
    shop: Till, printer: FakeTcpPrinter, fault: str
) -> None:
    if fault == "off":
        printer.stop()
    else:
        printer.mode = fault
    app = build_app(shop)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _sell(app, pilot, LOAF)
        # The sale is stored; its receipt waits, and the cashier is told.
        with sqlite3.connect(shop.db_path) as conn:
            assert conn.execute("SELECT status, total_cents FROM sale").fetchall() == [
                ("completed", 149)
            ]
        assert [status for status, _ in _queued(shop)] == ["queued"]
        bar = str(app.screen.query_one("#store-bar").render())
        assert "1 receipt waiting" in bar and "Printer: receipt not printed" in bar
        assert "errno" not in bar.lower()  # the details are in the log, not on screen
        assert not any("not printed" in str(n.message) for n in app._notifications)
        assert _receipts(printer) == []
        assert isinstance(app.screen, RegisterScreen)  # the till goes on selling
        await pilot.press(*LOAF, "enter")
        assert len(shop.register.cart.lines) == 1

        # The printer comes back: the next status poll prints what waited.
        if fault == "off":
            printer.start()
        printer.mode = "online"
        app.hub.poll_printer()
        await pilot.pause()
        await settle(pilot)
        await pilot.pause()
        assert [status for status, _ in _queued(shop)] == ["printed"]
        (receipt,) = _receipts(printer)
        assert "[BARCODE CODE128 T1-000001]" in receipt
        bar = str(app.screen.query_one("#store-bar").render())
        assert "waiting" not in bar and "printer ready" in bar
        assert "not printed" not in bar  # the fault cleared when the printer worked
