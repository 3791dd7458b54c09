"""Pilot tests: returns by receipt scan, an exchange, store credit, and the stock menu,
driven by keys only on the real app from the production factory."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.approvals import approved
from tests.support.settle import settle
from tests.support.tills import open_test_till
from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.messages import BarcodeScanned
from tui_pos.screens.collection import CollectionScreen
from tui_pos.screens.register import RegisterScreen
from tui_pos.screens.returns import ReturnScreen
from tui_pos.screens.stock import StockMenuScreen, TallyScreen
from tui_pos.screens.tender import TenderScreen

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
LOAF_ORGANIC = "5900000000022"  # 1.99, tax B


def _clock() -> datetime:
    return datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


@pytest.fixture
def printer() -> RecordingPrinter:
    return RecordingPrinter()


@pytest.fixture
def till(tmp_path: Path, printer: RecordingPrinter) -> Iterator[Till]:
    opened = open_test_till(Config(), tmp_path / "till.db", printer=printer, clock=_clock)
    ensure_demo_catalog(opened)
    yield opened
    opened.close()


def rows(till: Till, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(till.db_path) as conn:
        return conn.execute(sql, args).fetchall()


def sell(till: Till, *codes: str) -> SaleDocument:
    for code in codes:
        till.register.enter(code)
    doc = till.register.pay_card("", "AUTH1")
    assert doc is not None
    return doc


async def type_(pilot, text: str) -> None:
    await pilot.press(*text, "enter")


async def test_return_by_receipt_scan_refunds_cash(till: Till, printer: RecordingPrinter) -> None:
    sale = sell(till, "2*" + LOAF, LOAF_ORGANIC)
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # The receipt barcode is the sale number: scanning it on the sale screen opens it.
        await type_(pilot, f"T1-{sale.seq:06d}")
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        assert app.screen.view is not None and app.screen.view.sale.seq == sale.seq
        await pilot.press("f4")  # return the selected (first) line: asks how many
        await type_(pilot, "1")
        await pilot.press("escape")  # back to the sale
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RegisterScreen)
        assert [ln.qty_milli for ln in till.register.cart.lines] == [-1000]
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, TenderScreen)
        await pilot.press("enter")  # cash refund
        await pilot.pause()
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
    stored = rows(till, "SELECT total_cents FROM sale ORDER BY seq")
    assert stored[-1] == (-149,)
    payments = rows(till, "SELECT kind, amount_cents FROM payment ORDER BY seq")
    assert payments[-1] == ("cash", -149)
    assert any("*** RETURN ***" in r.text for r in printer.printed)


async def test_exchange_by_sale_number_and_device_scan(till: Till) -> None:
    sale = sell(till, LOAF)
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        app.post_message(BarcodeScanned(f"T1-{sale.seq:06d}", "test"))  # a scanner device
        await pilot.pause()
        assert app.screen.view is not None
        await pilot.press("f6")  # every line
        await pilot.press("escape")
        await type_(pilot, LOAF_ORGANIC)  # the new item
        assert till.register.totals().total_cents == 50
        await pilot.press("f10")
        await type_(pilot, "1")  # the customer pays the difference with a coin
        await pilot.pause()
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
    doc = till.register.last_completed()
    assert [ln.qty_milli for ln in doc.lines] == [-1000, 1000]
    assert doc.total_cents == 50 and doc.change_cents == 50


async def test_refund_as_store_credit_then_pay_with_it(till: Till) -> None:
    sale = sell(till, LOAF_ORGANIC)
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+b")
        await type_(pilot, str(sale.seq))
        await pilot.press("f5")  # returned damaged
        await pilot.press("enter")  # all of it
        await pilot.press("escape", "f10", "f3")  # refund as store credit
        await pilot.pause()
        await settle(pilot)
        credit = till.register.last_completed()
        code = credit.payments[0].reference
        assert credit.payments[0].kind == "store_credit"
        await type_(pilot, LOAF)
        await pilot.press("f10", "f3")
        await type_(pilot, code)
        await pilot.pause()
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
    assert till.returns.credit_balance(code) == 199 - 149
    assert rows(till, "SELECT kind FROM stock_movement ORDER BY seq DESC LIMIT 3")[1:] == [
        ("damaged",),
        ("return",),
    ]


async def test_over_return_is_refused_on_screen(till: Till) -> None:
    sale = sell(till, LOAF)
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+b")
        await type_(pilot, str(sale.seq))
        await pilot.press("f4")
        await type_(pilot, "2")  # only one was sold: the prompt stays open with the reason
        await pilot.pause()
        assert "only 1 of 1" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("escape", "escape")
        assert till.register.cart.is_empty


async def test_stock_menu_receive_and_collection(till: Till) -> None:
    till.online_orders.import_text(
        json.dumps(
            [
                {
                    "order_id": "WEB-7",
                    "created_at": "2026-11-25T09:00:00Z",
                    "paid": True,
                    "collection": True,
                    "customer": {"name": "Grace Hopper"},
                    "lines": [{"barcode": LOAF, "qty": 1, "price": "1.49"}],
                }
            ]
        ),
        approved(till, Action.PRODUCT_ADMIN),
    )
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, StockMenuScreen)
        await pilot.press("r")
        assert isinstance(app.screen, TallyScreen)
        await type_(pilot, LOAF)
        await type_(pilot, "5*" + LOAF_ORGANIC)
        await pilot.press("f10")
        await type_(pilot, "DN-88")
        await pilot.pause()
        assert isinstance(app.screen, StockMenuScreen)
        await pilot.press("o")
        assert isinstance(app.screen, CollectionScreen)
        assert [o.order_id for o in app.screen.orders] == ["WEB-7"]
        await pilot.press("f10", "y")
        await pilot.pause()
        assert app.screen.orders == []
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, RegisterScreen)
    received = rows(
        till, "SELECT qty_milli FROM stock_movement WHERE kind = 'receipt' ORDER BY seq"
    )
    assert received == [(1000,), (5000,)]
    assert rows(till, "SELECT kind FROM online_order_event") == [("collected",)]


async def test_a_cashiers_refund_and_stock_menu_need_approval(till: Till) -> None:
    from tui_pos.domain.staff import Role
    from tui_pos.screens.authorize import OverrideScreen

    sale = sell(till, LOAF)
    till.staff.add_employee(
        "3", "Chris Cashier", Role.CASHIER, "9024", approval=approved(till, Action.STAFF_ADMIN)
    )
    till.staff.add_employee(
        "2", "Sam Supervisor", Role.SUPERVISOR, "1357", approval=approved(till, Action.STAFF_ADMIN)
    )
    till.register.cashier = till.staff.log_in("3", "9024")
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_(pilot, f"T1-{sale.seq:06d}")
        await pilot.press("f4", "enter", "escape", "f10", "enter")  # all of it, cash refund
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)  # a cashier may not refund alone
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TenderScreen)
        assert not till.register.has_payments  # refused: nothing paid out
        await pilot.press("enter")
        await type_(pilot, "2")
        await type_(pilot, "1357")
        await pilot.pause()
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        await pilot.press("ctrl+g", "r")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)  # receiving goods: product admin
        await pilot.press("escape", "escape")
    assert till.register.last_completed().total_cents == -149
    audit = rows(till, "SELECT action, outcome, employee_name, approver_name FROM audit_event")
    assert ("refund", "approved", "Chris Cashier", "Sam Supervisor") in audit
