"""A receipt is printed only when the printer confirmed it; an unknown outcome reprints as COPY.

Real sockets on 127.0.0.1 (tests/support/fake_printer.py) with printers that reset the
connection mid-job or stop reading after answering status; the text-file printer on a
real file, in a folder that is missing or read-only and then fixed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.escpos_decode import decode
from tests.support.fake_printer import FakeTcpPrinter
from tests.support.tills import copy_database, fixed_clock, open_test_till
from tui_pos.bootstrap import Till
from tui_pos.config import Config
from tui_pos.devices import Devices
from tui_pos.domain.receipt import Receipt
from tui_pos.drivers.escpos import EscposPrinter, NetworkTransport
from tui_pos.drivers.file_printer import CUT, INTERRUPTED, FilePrinter
from tui_pos.services.ports import DeviceError, ReceiptPrinter
from tui_pos.services.printing import describe_failure

LOAF = "5900000000015"
RECEIPT = Receipt(("Shop", "-" * 20, "Bread   1.50"), 20, "T1-000001")


@pytest.fixture
def fake() -> Iterator[FakeTcpPrinter]:
    with FakeTcpPrinter() as server:
        yield server


def _net(fake: FakeTcpPrinter) -> EscposPrinter:
    return EscposPrinter(NetworkTransport("127.0.0.1", fake.port, timeout=0.5))


def _shop(tmp_path: Path, demo_template: Path, printer: ReceiptPrinter) -> Till:
    path = tmp_path / "till.db"
    copy_database(demo_template, path)
    return open_test_till(Config(), path, devices=Devices(printer, "test"), clock=fixed_clock)


def _sell(till: Till) -> int:
    till.register.enter(LOAF)
    doc = till.register.pay_cash("")
    assert doc is not None and doc.seq is not None
    return doc.seq


def _jobs(till: Till) -> list[tuple[str, str, int]]:
    with sqlite3.connect(till.db_path) as conn:
        rows = conn.execute("SELECT kind, status, as_copy FROM print_job ORDER BY id").fetchall()
    return [(str(k), str(s), int(c)) for k, s, c in rows]


# -- the driver: no confirmation, no success -------------------------------------------------


@pytest.mark.parametrize("mode", ["reset", "stall"])
def test_a_receipt_the_printer_did_not_confirm_is_an_error_after_the_send(
    fake: FakeTcpPrinter, mode: str
) -> None:
    fake.mode = mode
    marks: list[str] = []
    with pytest.raises(DeviceError, match="confirm|closed the connection"):
        _net(fake).print_receipt(RECEIPT, marks.append)
    assert marks == [""], "the data went out: the outcome is unknown, not 'nothing sent'"


def test_paper_running_out_during_the_receipt_is_not_a_confirmation(
    fake: FakeTcpPrinter,
) -> None:
    """The printer takes the data, then answers the status read back: out of paper."""
    fake.mode = "stall"  # holds the receipt until the paper runs out
    printer = EscposPrinter(NetworkTransport("127.0.0.1", fake.port, timeout=5))
    failures: list[str] = []

    def send() -> None:
        try:
            printer.print_receipt(RECEIPT)
        except DeviceError as exc:
            failures.append(str(exc))

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 5
    while b"T1-000001" not in fake.received and time.monotonic() < deadline:
        time.sleep(0.01)
    fake.mode = "paper_out"
    sender.join(timeout=10)
    assert failures == ["printer out of paper during the receipt"]


def test_a_confirmed_receipt_calls_the_hook_once_before_the_data(fake: FakeTcpPrinter) -> None:
    seen: list[bytes] = []
    _net(fake).print_receipt(RECEIPT, lambda mark: seen.append(fake.received))
    job = fake.wait_for_jobs(1)[0]
    assert decode(seen[0], commands=True) == ["[STATUS? 1]", "[STATUS? 2]", "[STATUS? 4]"]
    assert decode(job, commands=True)[-3:] == ["[STATUS? 1]", "[STATUS? 2]", "[STATUS? 4]"]


def test_a_refused_receipt_never_calls_the_hook(fake: FakeTcpPrinter) -> None:
    fake.mode = "paper_out"
    marks: list[str] = []
    with pytest.raises(DeviceError, match="out of paper"):
        _net(fake).print_receipt(RECEIPT, marks.append)
    assert marks == []


# -- the queue: an unknown outcome is reprinted as COPY ---------------------------------------


@pytest.mark.parametrize("mode", ["reset", "stall"])
def test_a_job_cut_off_mid_receipt_is_not_printed_and_reprints_as_copy(
    tmp_path: Path, demo_template: Path, fake: FakeTcpPrinter, mode: str
) -> None:
    till = _shop(tmp_path, demo_template, _net(fake))
    try:
        _sell(till)
        fake.mode = mode
        run = till.print_queue.run()
        assert run.failed is not None and not run.printed and run.unsure
        assert "it prints again marked COPY" in describe_failure(run, "T1")
        assert _jobs(till) == [("receipt", "sending", 0)]
        assert till.reports.x_report().unprinted_receipts == ("T1-000001",)
        [job] = till.print_queue.pending()
        assert job.label("T1") == "T1-000001 (outcome unknown)"

        fake.mode = "online"
        run = till.print_queue.run()
        assert run.failed is None and len(run.printed) == 1
        assert _jobs(till) == [("receipt", "printed", 1)]
        # the stalled printer reads on once it is back: then it prints the original too
        texts = ["\n".join(decode(job)) for job in fake.wait_for_jobs(2)]
        assert sorted("*** COPY ***" in text for text in texts) == [False, True]
    finally:
        till.close()


def test_a_job_left_sending_by_a_crash_reprints_as_copy_on_a_network_printer(
    tmp_path: Path, demo_template: Path, fake: FakeTcpPrinter
) -> None:
    till = _shop(tmp_path, demo_template, _net(fake))
    try:
        _sell(till)
        [job] = till.print_queue.pending()
        till.print_queue.jobs.sending(job.id, "", False)  # the state a kill -9 leaves
        till.print_queue.run()
        assert "*** COPY ***" in decode(fake.wait_for_jobs(1)[0])[1]
        assert _jobs(till) == [("receipt", "printed", 1)]
    finally:
        till.close()


@pytest.fixture
def file_shop(tmp_path: Path, demo_template: Path) -> Iterator[tuple[Till, FilePrinter, int]]:
    """A till printing to a text file, with one sale whose receipt is owed (its job id)."""
    printer = FilePrinter(tmp_path / "receipts" / "T1.txt")
    till = _shop(tmp_path, demo_template, printer)
    _sell(till)
    [job] = till.print_queue.pending()
    yield till, printer, job.id
    till.close()


def _write_receipt(till: Till, printer: FilePrinter) -> str:
    """Print the last sale's receipt to the file (as a send before a kill); its mark."""
    marks: list[str] = []
    printer.print_receipt(till.receipts.receipt(till.receipts.last()), marks.append)
    return marks[0]


def _receipts(path: Path) -> list[str]:
    return [r for r in path.read_text().split(CUT) if r]


def test_a_file_receipt_written_before_the_crash_is_not_printed_again(
    file_shop: tuple[Till, FilePrinter, int],
) -> None:
    till, printer, job = file_shop
    mark = _write_receipt(till, printer)  # written, then killed before "printed"
    till.print_queue.jobs.sending(job, mark, False)
    assert [j.id for j in till.print_queue.run().printed] == [job]
    assert len(_receipts(printer.path)) == 1
    assert _jobs(till) == [("receipt", "printed", 0)]


def test_a_file_receipt_never_written_before_the_crash_prints_the_original(
    file_shop: tuple[Till, FilePrinter, int],
) -> None:
    till, printer, job = file_shop
    printer.path.parent.mkdir()
    printer.path.write_text("")
    till.print_queue.jobs.sending(job, "0:900:feedface", False)  # killed before the write
    till.print_queue.run()
    [text] = _receipts(printer.path)
    assert "*** COPY ***" not in text and "Sale T1-000001" in text
    assert _jobs(till) == [("receipt", "printed", 0)]


def test_a_file_receipt_cut_short_by_the_crash_is_closed_and_reprinted_as_copy(
    file_shop: tuple[Till, FilePrinter, int],
) -> None:
    till, printer, job = file_shop
    mark = _write_receipt(till, printer)
    whole = printer.path.read_bytes()
    printer.path.write_bytes(whole[: len(whole) // 2])  # the kill came mid-write
    till.print_queue.jobs.sending(job, mark, False)
    till.print_queue.run()
    fragment, copy = printer.path.read_text().split(INTERRUPTED)
    assert fragment and "*** COPY ***" not in fragment
    assert "*** COPY ***" in copy and "Sale T1-000001" in copy
    assert _jobs(till) == [("receipt", "printed", 1)]
