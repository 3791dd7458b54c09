"""Pilot tests: the real app from the production factory, driven by keys only."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual import events

from tests.support.settle import settle
from tests.support.tills import open_test_till
from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.screens.register import RegisterScreen
from tui_pos.screens.tender import TenderScreen
from tui_pos.widgets.cart_table import CartTable

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
LOAF_ORGANIC = "5900000000022"  # 1.99, tax B


def _clock() -> datetime:
    return datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


@pytest.fixture
def printer() -> RecordingPrinter:
    return RecordingPrinter()


@pytest.fixture
def till(tmp_path: Path, printer: RecordingPrinter) -> Iterator[Till]:
    # A file, not :memory:, because printing runs in worker threads (own connections).
    till = open_test_till(Config(), tmp_path / "till.db", printer=printer, clock=_clock)
    ensure_demo_catalog(till)
    yield till
    till.close()


def _rows(till: Till, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(till.db_path) as conn:
        return conn.execute(sql).fetchall()


async def _type(pilot, text: str) -> None:
    await pilot.press(*text, "enter")


def _register(app) -> RegisterScreen:
    screen = app.screen
    assert isinstance(screen, RegisterScreen)
    return screen


async def test_full_sale_by_keyboard(till: Till, printer: RecordingPrinter) -> None:
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = _register(app)
        assert app.focused is screen.entry
        await _type(pilot, LOAF)
        await _type(pilot, "3*" + LOAF_ORGANIC)
        await _type(pilot, "0.512*4011")  # bananas by weight
        await _type(pilot, LOAF)
        assert len(till.register.cart.lines) == 4
        # Void the selected (last) line.
        await pilot.press("f8")
        assert [ln.name for ln in till.register.cart.lines] == [
            "White Loaf 800g",
            "White Loaf 800g Organic",
            "Bananas",
        ]
        # 10% off the organic loaves (select line 2 with Up).
        await pilot.press("up")
        await pilot.press("f4")
        await _type(pilot, "10%")
        assert till.register.cart.lines[1].discount is not None
        totals = till.register.totals()
        # 1.49 + 5.97 - 0.60 + 0.66
        assert totals.total_cents == 149 + 597 - 60 + 66
        assert app.focused is screen.entry
        # Pay 5.00 by card, the rest in cash with 20.
        await pilot.press("f10")
        assert isinstance(app.screen, TenderScreen)
        await pilot.press(*"5.00", "f2")
        await _type(pilot, "AUTH-778")
        assert isinstance(app.screen, TenderScreen)
        await _type(pilot, "20")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert till.register.cart.is_empty
        assert app.focused is screen.entry

    sale = _rows(till, "SELECT seq, status, total_cents, change_cents FROM sale")
    assert sale == [(1, "completed", 752, 2000 - 252)]  # change: 20.00 - 2.52 cash due
    lines = _rows(till, "SELECT name, qty_milli, amount_cents FROM sale_line ORDER BY position")
    assert lines == [
        ("White Loaf 800g", 1000, 149),
        ("White Loaf 800g Organic", 3000, 537),
        ("Bananas", 512, 66),
    ]
    payments = _rows(till, "SELECT kind, amount_cents, tendered_cents, reference FROM payment")
    assert payments == [("card", 500, 500, "AUTH-778"), ("cash", 252, 2000, "")]
    moves = _rows(till, "SELECT SUM(qty_milli), COUNT(*) FROM stock_movement WHERE kind='sale'")
    assert moves == [(-(1000 + 3000 + 512), 3)]
    assert len(printer.receipts) == 1
    receipt = "\n".join(printer.receipts[0])
    assert "TOTAL EUR" in receipt and "7.52" in receipt and "Change" in receipt


async def test_bad_input_changes_nothing(till: Till) -> None:
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = _register(app)
        await _type(pilot, LOAF)
        before = till.register.cart.to_dict()
        for bad in ("5900000000016", "9999999", "0*" + LOAF, "12345678*" + LOAF):
            await _type(pilot, bad)
            assert till.register.cart.to_dict() == before, bad
            assert screen.query_one("#message").has_class("error"), bad
            assert screen.entry.value == ""
        await _type(pilot, "4011")  # sold by weight, typed without one: the weight is asked
        assert "Weight of Bananas" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("escape")  # and Esc adds nothing
        await pilot.pause()
        assert till.register.cart.to_dict() == before


async def test_scanned_barcode_is_not_taken_as_cash(till: Till) -> None:
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _type(pilot, LOAF)
        await pilot.press("f10")
        await _type(pilot, LOAF)  # the scanner fires into the amount field
        await pilot.pause()
        assert isinstance(app.screen, TenderScreen)
        assert till.register.tender_state().payments == ()
        assert any("ignored" in str(n.message) for n in app._notifications)
        await _type(pilot, "12345678901")  # a long number that is no GTIN: refused as such
        assert till.register.tender_state().payments == ()
        error = str(app.screen.query_one("#tender-error").render())
        assert "barcode" in error
        await _type(pilot, "1")  # too little: partial cash, sale still open
        assert isinstance(app.screen, TenderScreen)
        assert till.register.tender_state().remaining_cents == 49
        await pilot.press("escape")
        assert isinstance(app.screen, RegisterScreen)
    assert _rows(till, "SELECT COUNT(*) FROM sale") == [(0,)]


async def test_burst_of_scans_gives_one_line_each(till: Till) -> None:
    """A wedge scanner's keys all arrive before the app handles the first Enter."""
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        codes = [LOAF, LOAF_ORGANIC] * 50
        # Queue every key at once, as the terminal driver does for a fast burst
        # (Pilot.press would wait for the app to settle after each key).
        for code in codes:
            for digit in code:
                app.post_message(events.Key(digit, digit))
            app.post_message(events.Key("enter", "\r"))
        for _ in range(200):
            await pilot.pause()
            if len(till.register.cart.lines) >= len(codes):
                break
        names = [ln.name for ln in till.register.cart.lines]
        assert names == ["White Loaf 800g", "White Loaf 800g Organic"] * 50


async def test_suspend_resume_and_void_sale(till: Till) -> None:
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _type(pilot, LOAF)
        await pilot.press("f6")
        await _type(pilot, "Mrs Jones")
        assert till.register.cart.is_empty
        await _type(pilot, LOAF_ORGANIC)
        await pilot.press("f9", "y")  # void the new sale
        assert till.register.cart.is_empty
        await pilot.press("f7")
        await pilot.press("enter")
        assert [ln.name for ln in till.register.cart.lines] == ["White Loaf 800g"]
        table = _register(app).query_one(CartTable)
        assert table.row_count == 1
    assert _rows(till, "SELECT status FROM sale") == [("voided",)]
    assert _rows(till, "SELECT COUNT(*) FROM suspended_cart") == [(0,)]


async def test_search_adds_product_and_price_check_adds_nothing(till: Till) -> None:
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await _type(pilot, LOAF)
        detail = str(app.screen.query_one("#search-detail").render())
        assert "White Loaf 800g" in detail and "1.49" in detail
        await pilot.press("escape")
        assert till.register.cart.is_empty
        await pilot.press("f2")
        await pilot.press(*"dark choc")
        await settle(pilot)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        names = [ln.name for ln in till.register.cart.lines]
        assert len(names) == 1 and names[0].startswith("Dark Chocolate")


async def test_printer_failure_keeps_the_sale(tmp_path: Path) -> None:
    printer = RecordingPrinter(fail_with="Printer offline")
    till = open_test_till(Config(), tmp_path / "till.db", printer=printer, clock=_clock)
    ensure_demo_catalog(till)
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _type(pilot, LOAF)
        await pilot.press("f10", "enter")  # exact cash
        await settle(pilot)
        await pilot.pause()
        # one fault on the top bar (until the printer works again), not a toast
        bar = str(_register(app).query_one("#store-bar").render())
        assert bar.startswith("Printer: receipt not printed"), bar
        assert not any("Printer" in str(n.message) for n in app._notifications)
        assert isinstance(app.screen, RegisterScreen)
    assert _rows(till, "SELECT status, total_cents FROM sale") == [("completed", 149)]
    till.close()


async def test_keymap_remaps_a_key_by_its_id(tmp_path: Path) -> None:
    from tui_pos.config import parse_config

    # (ctrl+l was used here before: it is Lock, and such a clash is now refused)
    config = parse_config('[keymap]\nvoid-line = "f8,ctrl+t"\n')
    till = open_test_till(config, tmp_path / "till.db", printer=RecordingPrinter(), clock=_clock)
    ensure_demo_catalog(till)
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _type(pilot, LOAF)
        await _type(pilot, LOAF_ORGANIC)
        await pilot.press("ctrl+t")
        assert [ln.name for ln in till.register.cart.lines] == ["White Loaf 800g"]
    till.close()


def test_unknown_keymap_id_is_refused(tmp_path: Path) -> None:
    from tui_pos.config import parse_config
    from tui_pos.domain.errors import ConfigError

    config = parse_config('[keymap]\nvoid-lines = "delete"\n')
    till = open_test_till(config, tmp_path / "till.db", printer=RecordingPrinter(), clock=_clock)
    with pytest.raises(ConfigError, match='keymap.void-lines.*did you mean "void-line"'):
        build_app(till)
    till.close()


async def test_quantity_typed_before_search_applies_to_the_found_item(till: Till) -> None:
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*"2*", "f2")
        await pilot.press(*"ground coffee")
        await settle(pilot)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        lines = till.register.cart.lines
        assert [(ln.name, ln.qty_milli) for ln in lines] == [("Ground Coffee 250g", 2000)]
        # Text typed before F2 starts the search.
        await pilot.press(*"honey", "f2")
        await settle(pilot)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert till.register.cart.lines[-1].name.startswith("Honey")


async def test_waiting_receipt_is_retried_from_the_print_queue(tmp_path: Path) -> None:
    printer = RecordingPrinter(fail_with="printer 127.0.0.1:9100 refused the connection")
    till = open_test_till(Config(), tmp_path / "till.db", printer=printer, clock=_clock)
    ensure_demo_catalog(till)
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _type(pilot, LOAF)
        await pilot.press("f10", "enter")
        await settle(pilot)
        await pilot.pause()
        assert len(till.print_queue.pending()) == 1
        bar = str(_register(app).query_one("#store-bar").render())
        assert "1 receipt waiting" in bar
        printer.fail_with = None
        await pilot.press("ctrl+p")
        assert "Receipts waiting" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot)
        await pilot.pause()
        assert till.print_queue.pending() == []
        assert len(printer.printed) == 1
        assert "waiting" not in str(_register(app).query_one("#store-bar").render())
    till.close()


async def test_a_scan_typed_into_the_price_check_shows_the_item(till: Till) -> None:
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.press(*"choc")  # the cashier was typing a name...
        await pilot.press(*"", "ctrl+u")
        await _type(pilot, LOAF_ORGANIC)  # ...then scans instead
        await pilot.pause()
        detail = str(app.screen.query_one("#search-detail").render())
        assert "White Loaf 800g Organic" in detail
        await pilot.press("escape")
        assert till.register.cart.is_empty
        await pilot.press("f2")
        await _type(pilot, LOAF)  # a scan in the find dialog adds the item
        await pilot.pause()
        assert [ln.name for ln in till.register.cart.lines] == ["White Loaf 800g"]


async def test_a_sale_open_when_the_till_stopped_comes_back_on_screen(tmp_path: Path) -> None:
    first = open_test_till(Config(), tmp_path / "till.db", printer=RecordingPrinter(), clock=_clock)
    ensure_demo_catalog(first)
    first.register.enter(LOAF)
    first.register.pay_card("1.00", "AUTH-1")
    first.close()  # as good as a crash: nothing was finished
    again = open_test_till(Config(), tmp_path / "till.db", printer=RecordingPrinter(), clock=_clock)
    app = build_app(again)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = _register(app)
        assert "is back (with the payments already taken)" in str(
            screen.query_one("#message").render()
        )
        assert screen.cart_table.row_count == 1
        await pilot.press("f10", "enter")  # the rest in cash
        await pilot.pause()
        await settle(pilot)
    assert _rows(again, "SELECT kind, amount_cents FROM payment ORDER BY seq") == [
        ("card", 100),
        ("cash", 49),
    ]
    again.close()
