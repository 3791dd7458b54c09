"""Every screen and dialog at 80x24 (a till's console) and 120x40, as SVG snapshots.

The till runs at a fixed time on the demo store, so a snapshot changes only when the
screen does. Review a changed SVG by eye before accepting it:

    .venv/bin/python -m pytest tests/ui/test_snapshots.py --snapshot-update

(`snapshot_report.html` shows the differences.) Each snapshot also checks that no two
bindings of the screen on top share a key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from tests.support.tills import copy_database, fixed_clock, open_test_till
from tui_pos.app import build_app
from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog, ensure_demo_staff
from tui_pos.demo.customers import ensure_demo_customers
from tui_pos.demo.sales import ensure_demo_sales
from tui_pos.domain.receipt import sale_number
from tui_pos.drivers.file_printer import RecordingPrinter

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]

#: Ten different items (a 10-line cart); the demo's barcodes 5900000000015 + n.
BASKET = [
    "5900000000015",
    "5900000000022",
    "5900000000039",
    "5900000000046",
    "5900000000053",
    "5900000000060",
    "5900000000077",
    "5900000000084",
    "5900000000091",
    "5900000000107",
]
GRACE = "2400000000013"  # a demo customer whose birthday is the demo's day
LONG_NAME = "Extra Virgin Olive Oil, cold pressed, from the hills above the old village"
LONG_ITEM = "5900000000114"
LONG_SALE: list[str] = []  #: the number of the sale with the long-named item
REPORT_DAYS = "2026-11-15 2026-11-25"  # the demo history before the fixed clock's day

Snap = Callable[..., bool]


def typed(*codes: str) -> list[str]:
    """Keys for typing each code into the entry line and pressing Enter."""
    keys: list[str] = []
    for code in codes:
        keys += [*code, "enter"]
    return keys


@pytest.fixture(scope="module")
def snapshot_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store with its history, customers, and one sale of a long-named item."""
    path = tmp_path_factory.mktemp("snapshot-store") / "till.db"
    till = open_till(Config(), path, printer=RecordingPrinter(), clock=fixed_clock)
    ensure_demo_catalog(till)
    ensure_demo_staff(till)
    ensure_demo_sales(till)
    ensure_demo_customers(till)
    product_id = till.register.price_check(LONG_ITEM).product.id
    till.db.execute_sql("UPDATE product SET name = ? WHERE id = ?", (LONG_NAME, product_id))
    till.close()
    sold = open_test_till(Config(), path, printer=RecordingPrinter(), clock=fixed_clock)
    sold.register.enter(LONG_ITEM)
    sold.register.enter(BASKET[0])
    doc = sold.register.pay_cash("")
    assert doc is not None
    LONG_SALE.append(sale_number(doc))  # the return screen opens it
    sold.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    sold.close()
    return path


@pytest.fixture
def make_app(tmp_path: Path, snapshot_store: Path) -> Iterator[Callable[[], App[Any]]]:
    """A fresh copy of the store, the manager logged in, the real app."""
    tills: list[Till] = []

    def make() -> App[Any]:
        folder = tmp_path / f"till{len(tills)}"
        folder.mkdir()
        path = copy_database(snapshot_store, folder / "till.db")  # with its keys
        till = open_test_till(Config(), path, printer=RecordingPrinter(), clock=fixed_clock)
        tills.append(till)
        return build_app(till)

    yield make
    for till in tills:
        till.close()


def shared_keys(app: App[Any]) -> list[str]:
    """Keys that two different actions of the screen on top answer to (the till's keys:
    each has an id, as ``[keymap]`` needs)."""
    screen = app.screen
    seen: dict[str, str] = {}
    clashes: list[str] = []
    for node, bindings in screen._modal_binding_chain:
        if node is not screen and node is not app:
            continue  # a focused field's own keys (Enter in an input) are the field's
        for key, binding in bindings:
            if binding.id is None:
                continue  # Textual's own (ctrl+c copy / quit hint), not the till's keys
            action = binding.action.removeprefix("app.")
            if key in seen and seen[key] != action:
                clashes.append(f"{type(screen).__name__}: {key} = {seen[key]} and {action}")
            seen.setdefault(key, action)
    return clashes


def settled(
    keys: list[str], check: Callable[[App[Any]], None] | None = None
) -> Callable[[Pilot[Any]], Any]:
    """Press ``keys`` as a cashier would (each handled before the next: a dialog is open
    before its first key), wait for the workers (searches, reports), check the screen."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        for key in keys:
            if key == "return-sale":  # made by the fixture: its number is known only then
                await pilot.press(*LONG_SALE[0], "enter")
                continue
            await pilot.press(key)
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        for screen in pilot.app.screen_stack:  # a blinking cursor made snapshots differ
            for field in screen.query(Input):
                field.cursor_blink = False
        await pilot.pause()
        assert shared_keys(pilot.app) == []
        if check is not None:
            check(pilot.app)

    return run_before


def is_screen(name: str) -> Callable[[App[Any]], None]:
    def check(app: App[Any]) -> None:
        assert type(app.screen).__name__ == name, type(app.screen).__name__

    return check


SALE = [*typed(*BASKET, GRACE), "n"]  # ten lines, Grace attached (her birthday: not now)

FLOWS: dict[str, tuple[list[str], str]] = {
    "register_empty": ([], "RegisterScreen"),
    "register_customer_10_lines": (SALE, "RegisterScreen"),
    "help_register": (["f1"], "HelpScreen"),
    "find_product": (["f2", *"choc"], "SearchScreen"),
    "price_check": (["f3", *"tea"], "SearchScreen"),
    "sale_discount": ([*typed(BASKET[0]), "f5"], "PromptScreen"),
    "void_sale_confirm": ([*typed(BASKET[0]), "f9"], "ConfirmScreen"),
    "payment": ([*SALE, "f10"], "TenderScreen"),
    "payment_help": ([*SALE, "f10", "f1"], "HelpScreen"),
    "receipt_preview": ([*typed(BASKET[0]), "f10", "enter", "f11"], "ReceiptScreen"),
    "cash_menu": (["ctrl+k"], "CashMenuScreen"),
    "x_report": (["ctrl+k", "x"], "ReceiptScreen"),
    "z_count": (["ctrl+k", "z", *typed("1", "2", "3")], "CountScreen"),
    "return_long_name": (["ctrl+b", "return-sale"], "ReturnScreen"),
    "refund": (["ctrl+b", "return-sale", "f6", "escape", "f10"], "TenderScreen"),
    "stock_menu": (["ctrl+g"], "StockMenuScreen"),
    "customer_find": (["ctrl+u", *"grace"], "CustomerScreen"),
    "locked": (["ctrl+l"], "LoginScreen"),
}


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("flow", list(FLOWS))
def test_screen(snap_compare: Snap, make_app: Callable[[], App[Any]], flow: str, size: Any) -> None:
    keys, screen = FLOWS[flow]
    assert snap_compare(make_app(), terminal_size=size, run_before=settled(keys, is_screen(screen)))


REPORT_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("key", REPORT_KEYS)
def test_report(snap_compare: Snap, make_app: Callable[[], App[Any]], key: str, size: Any) -> None:
    keys = ["ctrl+r", "d", "ctrl+u", *typed(REPORT_DAYS), key]
    check = is_screen("ReportsScreen")
    assert snap_compare(make_app(), terminal_size=size, run_before=settled(keys, check))
