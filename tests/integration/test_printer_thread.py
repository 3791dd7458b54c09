"""The printer thread: tasks in order, status polls coalesced, abandoned at quit at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.support.fake_printer import FakeTcpPrinter
from tui_pos.domain.receipt import Receipt
from tui_pos.drivers.escpos import EscposPrinter, NetworkTransport
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.services.ports import DeviceError
from tui_pos.services.printer_thread import PrinterThread

RECEIPT = Receipt(("Shop", "Bread   1.50"), 20, "T1-000001")


@pytest.fixture
def fake() -> Iterator[FakeTcpPrinter]:
    with FakeTcpPrinter() as server:
        yield server


def test_tasks_run_in_order_and_a_waiting_poll_is_not_queued_twice() -> None:
    errors: list[BaseException] = []
    thread = PrinterThread(RecordingPrinter(), errors.append)
    gate, done = threading.Event(), []
    first = thread.submit(gate.wait)  # holds the thread while the rest is queued
    polls = [thread.submit(lambda: done.append("poll"), key="status") for _ in range(3)]
    last = thread.submit(lambda: done.append("print"))
    assert polls[0] is polls[1] is polls[2]
    gate.set()
    last.result(timeout=5)
    assert first.done() and done == ["poll", "print"]
    thread.submit(lambda: done.append("poll again"), key="status").result(timeout=5)
    assert done[-1] == "poll again" and errors == []


def test_a_failing_task_is_reported_and_the_thread_goes_on() -> None:
    errors: list[BaseException] = []
    thread = PrinterThread(RecordingPrinter(), errors.append)

    def fail() -> None:
        raise DeviceError("jammed")

    thread.submit(fail)
    thread.submit(lambda: None).result(timeout=5)
    assert [str(e) for e in errors] == ["jammed"]


def test_abandon_cuts_a_receipt_hung_on_the_printer_short(fake: FakeTcpPrinter) -> None:
    """The printer stops reading mid-receipt; its timeout is 30 s. Abandoning shuts the
    connection down from this side: the job fails at once (unconfirmed), and nothing
    submitted afterwards runs."""
    fake.mode = "stall"
    printer = EscposPrinter(NetworkTransport("127.0.0.1", fake.port, timeout=30))
    errors: list[BaseException] = []
    thread = PrinterThread(printer, errors.append)
    job = thread.submit(lambda: printer.print_receipt(RECEIPT))
    deadline = time.monotonic() + 10
    while b"T1-000001" not in fake.received and time.monotonic() < deadline:
        time.sleep(0.01)
    assert b"T1-000001" in fake.received
    started = time.monotonic()
    thread.abandon()
    job.result(timeout=5)  # it ended long before the printer's 30 s timeout
    took = time.monotonic() - started
    assert took < 5, took
    assert errors == [], "nothing is reported to an app that is quitting"
    later = thread.submit(lambda: errors.append(AssertionError("ran after abandon")))
    assert later.done() and errors == []
