"""The persistent print queue and the drawer, on a real SQLite file with fake devices."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.approvals import approved
from tests.support.drawers import FakeDrawer
from tests.support.tills import copy_database, fixed_clock, open_test_till
from tui_pos.bootstrap import Till
from tui_pos.config import Config
from tui_pos.devices import Devices
from tui_pos.domain.staff import Action
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.services.drawer import Drawer

LOAF = "5900000000015"


@pytest.fixture
def printer() -> RecordingPrinter:
    return RecordingPrinter()


@pytest.fixture
def drawer() -> FakeDrawer:
    return FakeDrawer()


@pytest.fixture
def shop(
    tmp_path: Path, demo_template: Path, printer: RecordingPrinter, drawer: FakeDrawer
) -> Iterator[Till]:
    path = tmp_path / "till.db"
    copy_database(demo_template, path)
    devices = Devices(printer, "test printer", drawer=drawer)
    till = open_test_till(Config(), path, devices=devices, clock=fixed_clock)
    yield till
    till.close()


def _sell(till: Till, cash: str = "") -> int:
    till.register.enter(LOAF)
    doc = till.register.pay_cash(cash)
    assert doc is not None and doc.seq is not None
    return doc.seq


def _rows(till: Till, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(till.db_path) as conn:
        return conn.execute(sql).fetchall()


def test_a_stored_sale_owes_its_receipt_in_the_same_transaction(shop: Till) -> None:
    seq = _sell(shop)
    assert _rows(shop, "SELECT kind, status FROM print_job") == [("receipt", "queued")]
    assert [j.sale_seq for j in shop.print_queue.pending()] == [seq]
    assert shop.reports.x_report().unprinted_receipts == ("T1-000001",)


def test_printing_marks_jobs_printed_in_order(shop: Till, printer: RecordingPrinter) -> None:
    first, second = _sell(shop), _sell(shop)
    run = shop.print_queue.run()
    assert [j.sale_seq for j in run.printed] == [first, second]
    assert run.failed is None
    assert shop.print_queue.pending() == []
    assert [r.barcode for r in printer.printed] == ["T1-000001", "T1-000002"]
    assert shop.reports.x_report().unprinted_receipts == ()
    assert shop.print_queue.run().printed == ()  # nothing printed twice


def test_a_failed_job_stays_queued_and_prints_when_the_printer_is_back(
    shop: Till, printer: RecordingPrinter
) -> None:
    printer.fail_with = "printer 127.0.0.1:9100 refused the connection"
    seq = _sell(shop)
    _sell(shop)
    run = shop.print_queue.run()
    assert run.failed is not None and run.failed.sale_seq == seq
    assert run.waiting == 2 and "refused" in run.error
    pending = shop.print_queue.pending()
    assert [(j.attempts, j.last_error) for j in pending][0] == (1, printer.fail_with)
    assert len(pending) == 2  # the second one was not tried out of order
    z = shop.reports.close_day(approved(shop, Action.Z_CLOSE))
    assert z.to_dict()["unprinted_receipts"] == ["T1-000001", "T1-000002"]
    printer.fail_with = None
    assert len(shop.print_queue.run().printed) == 2
    assert shop.print_queue.pending() == []


def test_reprint_is_a_copy_job(shop: Till, printer: RecordingPrinter) -> None:
    _sell(shop)
    shop.print_queue.run()
    doc = shop.register.last_completed()
    job = shop.print_queue.queue_copy(doc)
    assert job.label("T1") == "T1-000001 (copy)"
    shop.print_queue.run()
    assert "*** COPY ***" in printer.printed[-1].lines[1]
    # A copy is not an unprinted receipt of the day.
    assert shop.reports.x_report().unprinted_receipts == ()


def test_drawer_opens_after_a_cash_sale_only(shop: Till, drawer: FakeDrawer) -> None:
    shop.register.enter(LOAF)
    card_doc = shop.register.pay_card("", "T-1")
    assert card_doc is not None
    assert shop.drawer.open_for_sale(card_doc, asked_at=shop.drawer.monotonic()) is None
    assert drawer.kicks == []
    shop.register.enter(LOAF)
    cash_doc = shop.register.pay_cash("5")
    assert cash_doc is not None
    assert shop.drawer.open_for_sale(cash_doc, asked_at=shop.drawer.monotonic()) is None
    assert drawer.kicks == [(2, 120)]
    assert _rows(shop, "SELECT reason, sent, error FROM drawer_event") == [("sale", 1, "")]


def test_a_late_kick_is_dropped_and_recorded(shop: Till, drawer: FakeDrawer) -> None:
    shop.register.enter(LOAF)
    doc = shop.register.pay_cash("5")
    assert doc is not None
    late = shop.drawer.monotonic() - 10.0
    message = shop.drawer.open_for_sale(doc, asked_at=late)
    assert message is not None and "dropped" in message
    assert drawer.kicks == []
    assert _rows(shop, "SELECT reason, sent FROM drawer_event") == [("sale", 0)]


def test_no_sale_is_recorded_and_a_failed_kick_is_reported(shop: Till, drawer: FakeDrawer) -> None:
    approval = approved(shop, Action.NO_SALE)
    assert shop.drawer.no_sale(shop.drawer.monotonic(), approval) is None
    drawer.fail = "printer offline"
    message = shop.drawer.no_sale(shop.drawer.monotonic(), approval)
    assert message == "Drawer not opened: printer offline"
    assert _rows(shop, "SELECT seq, reason, sent FROM drawer_event ORDER BY seq") == [
        (1, "no_sale", 1),
        (2, "no_sale", 0),
    ]


def test_no_drawer_configured(shop: Till) -> None:
    events, auth = shop.drawer.events, shop.staff
    drawer = Drawer(None, events, auth, till="T1", pin=2, pulse_ms=120, clock=fixed_clock)
    assert (
        drawer.no_sale(0.0, approved(shop, Action.NO_SALE))
        == "No cash drawer is configured ([drawer] in the config)"
    )
    assert not drawer.available
