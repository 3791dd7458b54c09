"""The ESC/POS driver against real python-escpos and real sockets on 127.0.0.1 (no hardware)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.escpos_decode import DecodeError, decode, parse
from tests.support.fake_printer import FakeTcpPrinter
from tui_pos.config import PrinterConfig
from tui_pos.domain.errors import ConfigError
from tui_pos.domain.receipt import Receipt
from tui_pos.drivers.escpos import (
    EscposPrinter,
    FileTransport,
    NetworkTransport,
    SerialTransport,
    UsbTransport,
    codepage_select_bytes,
    drawer_kick_bytes,
    encode_line,
    fit_line,
    fold_for_codepage,
    make_escpos_printer,
    make_transport,
    printer_model,
    receipt_bytes,
    status_from_bytes,
    status_query_bytes,
)
from tui_pos.drivers.escpos.render import _capabilities
from tui_pos.services.ports import CashDrawer, DeviceError, PrinterStatus, StatusPrinter

WIDTH = 42
STATUS_QUERIES = ["[STATUS? 1]", "[STATUS? 2]", "[STATUS? 4]"]
QUERY_BYTES = b"".join(status_query_bytes(n) for n in (1, 2, 4))


def pair(left: str, right: str) -> str:
    """A receipt line: ``left`` padded so ``right`` ends at the margin."""
    return left.ljust(WIDTH - len(right) - 1) + " " + right


LINES = (
    "Boulangerie Zoë".center(WIDTH).rstrip(),
    "12 rue de l’Église, Paris".center(WIDTH).rstrip(),
    "-" * WIDTH,
    pair("Crème brûlée", "4,50 €"),
    pair("“Chef’s” special – ½ baguette", "1,20 €"),
    pair("Jalapeño ﬁesta", "2,00 €"),
    "-" * WIDTH,
    pair("TOTAL EUR", "7,70 €"),
    pair("Sale T1-000042", "2026-11-25 12:00"),
)
TOTAL = 7
RECEIPT = Receipt(lines=LINES, width=WIDTH, barcode="T1-000042", title_lines=1, total_line=TOTAL)

EXPECTED_TEXT = [
    "Boulangerie Zoë",
    "12 rue de l'Église, Paris".center(WIDTH).rstrip(),
    "-" * WIDTH,
    pair("Crème brûlée", "4,50 €"),
    pair('"Chef\'s" special - ½ baguette', "1,20 €"),
    pair("Jalapeño fiesta", "2,00 €"),
    "-" * WIDTH,
    pair("TOTAL EUR", "7,70 €"),
    pair("Sale T1-000042", "2026-11-25 12:00"),
]


def printed(job: bytes, codepage: str = "cp858") -> list[str]:
    """The decoded job without status queries and with the feed's blank lines dropped."""
    return [line for line in decode(job, codepage) if line]


@pytest.fixture
def fake() -> Iterator[FakeTcpPrinter]:
    with FakeTcpPrinter() as server:
        yield server


def net_printer(fake: FakeTcpPrinter, timeout: float = 1.0) -> EscposPrinter:
    return EscposPrinter(NetworkTransport("127.0.0.1", fake.port, timeout=timeout))


def test_implements_the_ports(tmp_path: Path) -> None:
    printer: StatusPrinter = EscposPrinter(FileTransport(tmp_path / "lp0"))
    drawer: CashDrawer = EscposPrinter(FileTransport(tmp_path / "lp0"))
    assert printer.status().online and drawer is not printer


# -- rendering ------------------------------------------------------------------------


def test_receipt_bytes_are_standard_escpos() -> None:
    data = receipt_bytes(RECEIPT)
    assert data.startswith(b"\x1b@\x1bt\x13")  # ESC @, ESC t 19 = CP858 in the default profile
    assert data.endswith(b"\x1bd\x06\x1dV\x01")  # feed 6 lines, partial cut
    assert "4,50 €".encode("cp858") in data and b"\xd5" in data  # € is 0xD5 in CP858
    assert b"\x1dkI\x0b{BT1-000042" in data  # GS k 73 (CODE128, function B), 11 bytes
    assert decode(data, commands=True)[:2] == ["[INIT]", "[CODEPAGE 19]"]


def test_render_matches_python_escpos_dummy_bytes() -> None:
    _capabilities()  # imports escpos without its stderr logging handler
    from escpos.printer import Dummy

    def dummy(action: Any) -> bytes:
        printer = Dummy(profile="TM-T20II")
        action(printer)
        return bytes(printer.output)

    data = receipt_bytes(RECEIPT, profile="TM-T20II")
    assert data.startswith(dummy(lambda p: p.hw("INIT")))
    assert dummy(lambda p: (p.charcode("CP858"), p.text("€"))) == b"\x1bt\x13\xd5"
    assert codepage_select_bytes("TM-T20II", "CP858") == b"\x1bt\x13"
    assert data.endswith(dummy(lambda p: p.cut(mode="PART")))
    barcode = dummy(lambda p: p._hw_barcode("{BT1-000042", "CODE128", width=2))
    assert barcode in data
    assert drawer_kick_bytes(2, 120) == dummy(lambda p: p.cashdraw([27, 112, 0, 60, 60]))
    assert drawer_kick_bytes(2, 100) == dummy(lambda p: p.cashdraw(2))
    assert drawer_kick_bytes(5, 100) == dummy(lambda p: p.cashdraw(5))
    title = dummy(lambda p: p.set(double_height=True, double_width=True))
    assert title.endswith(b"\x1b!0") and b"\x1b!0Boulangerie Zo\x89\n" in data


def test_receipt_decodes_back_with_styles() -> None:
    lines = decode(receipt_bytes(RECEIPT), styles=True)
    assert lines[0] == "<center,2w,2h>Boulangerie Zoë"
    assert lines[TOTAL] == "<bold>" + EXPECTED_TEXT[TOTAL]
    assert lines[1] == EXPECTED_TEXT[1]  # plain lines carry no style
    assert lines[len(LINES)] == "[BARCODE CODE128 T1-000042]"


def test_long_title_prints_double_height_only() -> None:
    title = "The Very Long Name Of A Corner Shop"  # 35 characters: too wide at double width
    lines = decode(receipt_bytes(Receipt((title, "x"), WIDTH)), styles=True)
    assert lines[0] == f"<center,2h>{title}"


def test_codepage_number_comes_from_the_profile() -> None:
    assert printer_model("default", "cp858").codepage_number == 19
    assert printer_model("TM-T88V", "CP858").codepage_number == 19
    assert printer_model("TSP600", "cp858").codepage_number == 4  # Star
    assert printer_model("POS-5890", "cp858").codepage_number == 53  # 58 mm clones
    assert printer_model("default", "iso-8859-15").codec == "iso8859-15"


def test_profile_without_code128_falls_back_and_without_cutter_only_feeds() -> None:
    data = receipt_bytes(RECEIPT, profile="POS-5890")
    assert "[BARCODE" not in " ".join(decode(data))  # no hardware barcode: the text line has it
    assert decode(data)[-1] == "" and not data.endswith(b"\x1dV\x01")


def test_bad_profile_or_codepage_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="printer.profile"):
        receipt_bytes(RECEIPT, profile="TM-NOPE")
    with pytest.raises(ConfigError, match="printer.codepage"):
        receipt_bytes(RECEIPT, codepage="cp9999")
    with pytest.raises(ConfigError, match="printer.codepage"):
        EscposPrinter(FileTransport("/tmp/x"), profile="TM-T88II", codepage="cp858")


def test_folded_lines_keep_the_paper_width() -> None:
    line = pair("Pain au chocolat aux noisettes e…", "3,10 €")
    assert len(line) == WIDTH
    out = decode(receipt_bytes(Receipt(("T", line), WIDTH)))[1]
    assert len(out) == WIDTH and out.endswith(" 3,10 €") and "..." in out


# -- encoding -------------------------------------------------------------------------


def test_fold_keeps_what_cp858_has() -> None:
    text = "Café crème, jalapeño, Grüße, 5 €, ½"
    assert fold_for_codepage(text, "cp858") == text
    assert encode_line("€", "cp858") == b"\xd5"


def test_fold_transliterates_the_rest() -> None:
    assert fold_for_codepage("“Chef’s” – 10…", "cp858") == '"Chef\'s" - 10...'
    assert fold_for_codepage("ﬁne œuf", "cp858") == "fine oeuf"
    assert fold_for_codepage("Łódź Őrs", "cp858") == "Lódz Ors"  # ó kept; Ł, ź, Ő folded
    assert fold_for_codepage("5 €", "cp437") == "5 EUR"
    assert fold_for_codepage("Straße", "ascii") == "Strasse"
    assert fold_for_codepage("漢字", "cp858") == "??"


@pytest.mark.parametrize("codepage", ["iso8859_2", "cp852", "ascii"])
def test_half_is_never_twelve(codepage: str) -> None:
    assert fold_for_codepage("½ kg ¼ ¾ ⅓", codepage) == "1/2 kg 1/4 3/4 1/3"


def test_half_prints_as_one_slash_two_on_a_page_without_it() -> None:
    receipt = Receipt(("T", "½ baguette"), WIDTH)
    data = receipt_bytes(receipt, codepage="ISO_8859-2")
    assert b"\x1bt\x27" in data  # ESC t 39
    assert decode(data, "iso8859_2")[1] == "1/2 baguette"
    assert decode(receipt_bytes(receipt), "cp858")[1] == "½ baguette"  # CP858 has ½ (0xAB)


def test_control_characters_never_reach_the_printer() -> None:
    assert fold_for_codepage("a\x1bp\x00\x19\x10\x04\x01b", "cp858") == "a?p?????b"
    assert fold_for_codepage("tab\there\u200b\u00a0x", "cp858") == "tab here x"


@given(st.text())
def test_fold_output_always_encodes(text: str) -> None:
    for codepage in ("cp858", "cp437", "iso8859_2"):
        folded = fold_for_codepage(text, codepage)
        encoded = folded.encode(codepage)
        assert len(encoded) == len(folded)
        assert all(byte >= 0x20 and byte != 0x7F for byte in encoded)
        assert encode_line(text, codepage) == encoded


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_fold_leaves_printable_ascii_alone(text: str) -> None:
    assert fold_for_codepage(text, "cp858") == text


def test_fit_line() -> None:
    assert fit_line("abc", 5) == "abc"
    assert fit_line("Item...     4,50", 14) == "Item...   4,50"  # padding narrowed
    assert fit_line("A very long name... 4,50", 12) == "A very  4,50"
    assert fit_line("nospaceatallhere", 6) == "nospac"


def test_unknown_codepage_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown code page"):
        fold_for_codepage("x", "cp-nope")


# -- the network printer --------------------------------------------------------------


def test_receipt_round_trip_over_tcp(fake: FakeTcpPrinter) -> None:
    net_printer(fake).print_receipt(RECEIPT)
    job = fake.wait_for_jobs(1)[0]
    assert decode(job, commands=True)[:3] == STATUS_QUERIES  # status checked first
    assert decode(job, commands=True)[-3:] == STATUS_QUERIES  # and read back: confirmed
    assert job == QUERY_BYTES + receipt_bytes(RECEIPT) + QUERY_BYTES
    assert printed(job) == [*EXPECTED_TEXT, "[BARCODE CODE128 T1-000042]", "[CUT]"]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("online", PrinterStatus(online=True)),
        ("paper_low", PrinterStatus(online=True, paper_low=True)),
        ("paper_out", PrinterStatus(online=True, paper_out=True)),
        ("cover_open", PrinterStatus(online=True, cover_open=True)),
    ],
)
def test_status(fake: FakeTcpPrinter, mode: str, expected: PrinterStatus) -> None:
    fake.mode = mode
    assert net_printer(fake).status() == expected


def test_status_labels(fake: FakeTcpPrinter) -> None:
    printer = net_printer(fake)
    labels = {}
    for mode in ("online", "paper_low", "paper_out", "cover_open"):
        fake.mode = mode
        labels[mode] = printer.status().label
    assert labels == {
        "online": "printer ready",
        "paper_low": "printer paper low",
        "paper_out": "printer out of paper",
        "cover_open": "printer cover open",
    }


def test_silent_printer_is_offline_within_the_timeout(fake: FakeTcpPrinter) -> None:
    fake.mode = "silent"
    started = time.monotonic()
    status = net_printer(fake, timeout=1).status()
    elapsed = time.monotonic() - started
    assert status == PrinterStatus(online=False, detail="no answer")
    assert status.label == "printer offline (no answer)"
    assert 0.9 <= elapsed < 1.5


def test_silent_printer_is_refused_within_the_timeout_and_gets_nothing(
    fake: FakeTcpPrinter,
) -> None:
    """A printer that can answer status but does not may drop what it is sent: the job
    is refused (and so stays in the print queue) instead of being lost."""
    fake.mode = "silent"
    started = time.monotonic()
    with pytest.raises(DeviceError, match="printer does not answer"):
        net_printer(fake, timeout=0.5).print_receipt(RECEIPT)
    assert time.monotonic() - started < 1.0
    assert receipt_bytes(RECEIPT) not in fake.received


def test_switched_off_printer_is_refused_fast_and_works_again(fake: FakeTcpPrinter) -> None:
    printer = net_printer(fake)
    fake.stop()
    started = time.monotonic()
    with pytest.raises(DeviceError, match=r"printer 127\.0\.0\.1:\d+ refused the connection"):
        printer.print_receipt(RECEIPT)
    assert printer.status() == PrinterStatus(online=False, detail="refused")
    assert time.monotonic() - started < 0.5
    fake.start()
    printer.print_receipt(RECEIPT)
    assert printed(fake.wait_for_jobs(1)[0])[-1] == "[CUT]"


@pytest.mark.parametrize(
    ("mode", "message"),
    [("paper_out", "printer out of paper"), ("cover_open", "printer cover open")],
)
def test_not_ready_printer_refuses_the_job_and_gets_nothing(
    fake: FakeTcpPrinter, mode: str, message: str
) -> None:
    fake.mode = mode
    with pytest.raises(DeviceError, match=f"^{message}$"):
        net_printer(fake).print_receipt(RECEIPT)
    fake.wait_for_jobs(1)
    assert decode(fake.received, commands=True) == STATUS_QUERIES


def test_paper_low_still_prints(fake: FakeTcpPrinter) -> None:
    fake.mode = "paper_low"
    net_printer(fake).print_receipt(RECEIPT)
    assert printed(fake.wait_for_jobs(1)[0])[0] == "Boulangerie Zoë"


def test_one_connection_per_job(fake: FakeTcpPrinter) -> None:
    printer = net_printer(fake)
    printer.status()
    printer.print_receipt(RECEIPT)
    printer.kick(2, 120)
    jobs = fake.wait_for_jobs(3)
    assert fake.connections == 3
    assert decode(jobs[0], commands=True) == STATUS_QUERIES
    assert decode(jobs[2]) == ["[DRAWER pin=2 pulse=120ms]"]


def test_jobs_from_two_threads_do_not_mix(fake: FakeTcpPrinter) -> None:
    printer = net_printer(fake)
    threads = [threading.Thread(target=printer.print_receipt, args=(RECEIPT,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for job in fake.wait_for_jobs(4):
        assert job == QUERY_BYTES + receipt_bytes(RECEIPT) + QUERY_BYTES


# -- the drawer -----------------------------------------------------------------------


@pytest.mark.parametrize(("pin", "pulse", "m", "t"), [(2, 120, 0, 60), (5, 100, 1, 50)])
def test_drawer_kick(fake: FakeTcpPrinter, pin: int, pulse: int, m: int, t: int) -> None:
    assert drawer_kick_bytes(pin, pulse) == bytes([0x1B, 0x70, m, t, t])
    net_printer(fake).kick(pin, pulse)
    job = fake.wait_for_jobs(1)[0]
    assert decode(job) == [f"[DRAWER pin={pin} pulse={pulse}ms]"]


def test_drawer_kick_refused_when_paper_out(fake: FakeTcpPrinter) -> None:
    fake.mode = "paper_out"
    with pytest.raises(DeviceError, match="cannot open the drawer: printer out of paper"):
        net_printer(fake).kick(2, 120)
    fake.wait_for_jobs(1)
    assert decode(fake.received, commands=True) == STATUS_QUERIES


def test_drawer_kick_rejects_bad_values() -> None:
    with pytest.raises(ValueError):
        drawer_kick_bytes(3, 100)
    with pytest.raises(ValueError):
        drawer_kick_bytes(2, 0)


# -- status bytes ---------------------------------------------------------------------


def test_status_from_bytes() -> None:
    assert status_from_bytes(0x16, 0x12, 0x12) == PrinterStatus(online=True)
    assert status_from_bytes(0x1E, 0x32, 0x72).paper_out
    assert status_from_bytes(0x1E, 0x16, 0x12).cover_open
    error = status_from_bytes(0x1E, 0x52, 0x12)
    assert error == PrinterStatus(online=False, detail="error")
    assert status_query_bytes(4) == b"\x10\x04\x04"


def test_status_never_raises() -> None:
    class Broken:
        name = "broken"
        reads_status = True
        timeout = 1.0

        def write(self, data: bytes) -> None:
            raise RuntimeError("boom")

        def query_status(self, n: int) -> int | None:
            raise RuntimeError("boom")

        def close(self) -> None:
            pass

    assert EscposPrinter(Broken()).status() == PrinterStatus(online=False, detail="RuntimeError")


def test_stray_bytes_before_a_status_answer_are_ignored(fake: FakeTcpPrinter) -> None:
    transport = NetworkTransport("127.0.0.1", fake.port, timeout=1)
    try:
        assert transport.query_status(1) == 0x16
        fake.mode = "paper_out"
        assert transport.query_status(4) == 0x72
    finally:
        transport.close()


# -- serial ---------------------------------------------------------------------------


def test_serial_transport_through_a_socket_url(fake: FakeTcpPrinter) -> None:
    printer = EscposPrinter(SerialTransport(f"socket://127.0.0.1:{fake.port}", timeout=1))
    assert printer.status() == PrinterStatus(online=True)
    printer.print_receipt(RECEIPT)
    assert printed(fake.wait_for_jobs(2)[1])[-2:] == ["[BARCODE CODE128 T1-000042]", "[CUT]"]


def test_serial_echo_is_not_a_status_answer() -> None:
    transport = SerialTransport("loop://", timeout=0.3)
    started = time.monotonic()
    try:
        assert transport.query_status(1) is None  # loop:// echoes 10 04 01: none is valid
    finally:
        transport.close()
    assert time.monotonic() - started < 0.8


def test_missing_serial_port_is_a_device_error() -> None:
    printer = EscposPrinter(SerialTransport("/dev/ttyNOPE-tui-pos", timeout=1))
    with pytest.raises(DeviceError, match="serial printer /dev/ttyNOPE-tui-pos cannot be opened"):
        printer.print_receipt(RECEIPT)
    assert printer.status().online is False


# -- file -----------------------------------------------------------------------------


def test_file_transport_writes_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / "lp0"
    printer = EscposPrinter(FileTransport(path))
    printer.print_receipt(RECEIPT)
    assert path.read_bytes() == receipt_bytes(RECEIPT)
    printer.kick(2, 120)
    assert path.read_bytes() == receipt_bytes(RECEIPT) + drawer_kick_bytes(2, 120)
    assert printer.status() == PrinterStatus(online=True, detail="no status")


def test_missing_device_node_is_never_created() -> None:
    path = Path("/dev/usb/tui-pos-no-such-lp9")
    printer = EscposPrinter(FileTransport(path))
    with pytest.raises(DeviceError, match="printer device /dev/usb/tui-pos-no-such-lp9 not found"):
        printer.print_receipt(RECEIPT)
    assert not path.exists()
    assert printer.status() == PrinterStatus(online=False, detail="device missing")


def test_make_escpos_printer_file(tmp_path: Path) -> None:
    path = tmp_path / "printer.bin"
    printer = make_escpos_printer(PrinterConfig(driver="file", target=str(path), timeout=2))
    printer.print_receipt(RECEIPT)
    assert printed(path.read_bytes())[0] == "Boulangerie Zoë"


# -- usb (no libusb here: a fake pyusb) -----------------------------------------------


def test_usb_without_pyusb_or_libusb_is_a_device_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "usb", None)  # import usb -> ImportError
    with pytest.raises(DeviceError, match=r"USB printer 04b8:0202 not found \(is pyusb"):
        UsbTransport(0x04B8, 0x0202).write(b"x")
    fake_usb(monkeypatch, find=lambda **kw: (_ for _ in ()).throw(FakeNoBackend()))
    with pytest.raises(DeviceError, match=r"USB printer 04b8:0202 not found \(is libusb installed"):
        UsbTransport(0x04B8, 0x0202).write(b"x")
    fake_usb(monkeypatch, find=lambda **kw: None)
    printer = EscposPrinter(UsbTransport(0x04B8, 0x0202))
    with pytest.raises(DeviceError, match=r"04b8:0202 not found \(is it plugged in"):
        printer.print_receipt(RECEIPT)
    assert printer.status() == PrinterStatus(online=False, detail="not found")


class FakeNoBackend(Exception):
    pass


class FakeUSBError(Exception):
    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


class FakeUSBTimeoutError(FakeUSBError):
    pass


class FakeEndpoint:
    def __init__(self, address: int, device: FakeDevice) -> None:
        self.bEndpointAddress = address
        self.device = device

    def write(self, data: bytes, timeout: int) -> int:
        assert timeout > 0  # never "no timeout"
        self.device.written += data
        if data.startswith(b"\x10\x04"):
            self.device.replies.append(self.device.answers.get(data[2], b""))
        return len(data)

    def read(self, size: int, timeout: int) -> bytes:
        assert timeout > 0
        if self.device.replies and self.device.replies[0]:
            return self.device.replies.pop(0)
        raise FakeUSBTimeoutError("timeout", 110)


class FakeDevice:
    def __init__(self, answers: dict[int, bytes]) -> None:
        self.answers = answers
        self.written = b""
        self.replies: list[bytes] = []
        self.endpoints = [FakeEndpoint(0x01, self), FakeEndpoint(0x82, self)]

    def is_kernel_driver_active(self, interface: int) -> bool:
        return True

    def detach_kernel_driver(self, interface: int) -> None:
        pass

    def set_configuration(self) -> None:
        pass

    def get_active_configuration(self) -> dict[tuple[int, int], FakeDevice]:
        return {(0, 0): self}


def fake_usb(monkeypatch: pytest.MonkeyPatch, find: Any) -> None:
    usb = types.ModuleType("usb")
    core = types.ModuleType("usb.core")
    util = types.ModuleType("usb.util")
    core.find = find  # type: ignore[attr-defined]
    core.NoBackendError = FakeNoBackend  # type: ignore[attr-defined]
    core.USBError = FakeUSBError  # type: ignore[attr-defined]
    core.USBTimeoutError = FakeUSBTimeoutError  # type: ignore[attr-defined]
    util.ENDPOINT_OUT = 0x00  # type: ignore[attr-defined]
    util.ENDPOINT_IN = 0x80  # type: ignore[attr-defined]
    util.endpoint_direction = lambda address: address & 0x80  # type: ignore[attr-defined]
    util.find_descriptor = lambda intf, custom_match: next(  # type: ignore[attr-defined]
        (e for e in intf.endpoints if custom_match(e)), None
    )
    util.dispose_resources = lambda device: None  # type: ignore[attr-defined]
    usb.core, usb.util = core, util  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "usb", usb)
    monkeypatch.setitem(sys.modules, "usb.core", core)
    monkeypatch.setitem(sys.modules, "usb.util", util)


def test_usb_transport_with_a_fake_device(monkeypatch: pytest.MonkeyPatch) -> None:
    device = FakeDevice({1: b"\x16", 2: b"\x12", 4: b"\x72"})
    fake_usb(monkeypatch, find=lambda **kw: device)
    printer = EscposPrinter(UsbTransport(0x04B8, 0x0202, timeout=0.3))
    assert printer.status() == PrinterStatus(online=True, paper_out=True)
    with pytest.raises(DeviceError, match="printer out of paper"):
        printer.print_receipt(RECEIPT)
    device.answers[4] = b"\x12"
    printer.print_receipt(RECEIPT)
    assert device.written.endswith(receipt_bytes(RECEIPT) + QUERY_BYTES)  # confirmed
    device.answers.clear()
    started = time.monotonic()
    assert printer.status() == PrinterStatus(online=False, detail="no answer")
    assert time.monotonic() - started < 0.8


# -- targets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("driver", "target", "expected"),
    [
        ("network", "10.0.0.5", ("10.0.0.5", 9100)),
        ("network", "printer.local:9101", ("printer.local", 9101)),
        ("network", "[::1]:9100", ("::1", 9100)),
        ("network", "fe80::1", ("fe80::1", 9100)),
        ("serial", "/dev/ttyUSB0", ("/dev/ttyUSB0", 9600)),
        ("serial", "/dev/ttyUSB0:19200", ("/dev/ttyUSB0", 19200)),
        ("serial", "socket://127.0.0.1:9100", ("socket://127.0.0.1:9100", 9600)),
        ("usb", "04b8:0202", (0x04B8, 0x0202)),
        ("usb", "0x0416:0x5011", (0x0416, 0x5011)),
        ("file", "/dev/usb/lp0", (Path("/dev/usb/lp0"),)),
    ],
)
def test_make_transport_targets(driver: str, target: str, expected: tuple[Any, ...]) -> None:
    transport = make_transport(driver, target, 3.0)
    if isinstance(transport, NetworkTransport):
        got: tuple[Any, ...] = (transport.host, transport.port)
    elif isinstance(transport, SerialTransport):
        got = (transport.url, transport.baudrate)
    elif isinstance(transport, UsbTransport):
        got = (transport.vid, transport.pid)
    else:
        assert isinstance(transport, FileTransport)
        got = (transport.path,)
    assert got == expected
    assert transport.timeout == 3.0


@pytest.mark.parametrize(
    ("driver", "target"),
    [
        ("network", ""),
        ("network", "10.0.0.5:"),
        ("network", "10.0.0.5:http"),
        ("network", "10.0.0.5:70000"),
        ("network", "bad host"),
        ("network", "[::1"),
        ("serial", ""),
        ("serial", ":19200"),
        ("serial", "/dev/ttyUSB0:fast"),
        ("usb", "04b8"),
        ("usb", "zz:0202"),
        ("usb", "04b8:0202:1"),
        ("file", ""),
    ],
)
def test_bad_targets_are_config_errors(driver: str, target: str) -> None:
    with pytest.raises(ConfigError, match="printer.target"):
        make_transport(driver, target, 3.0)


def test_drivers_without_escpos_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="printer.driver"):
        make_escpos_printer(PrinterConfig(driver="none"))
    with pytest.raises(ConfigError, match="printer.driver"):
        make_transport("cups", "x", 1.0)


def test_make_escpos_printer_network(fake: FakeTcpPrinter) -> None:
    config = PrinterConfig(driver="network", target=f"127.0.0.1:{fake.port}", timeout=1)
    assert make_escpos_printer(config).status() == PrinterStatus(online=True)


# -- the decoder ----------------------------------------------------------------------


def test_decoder_reads_what_python_escpos_writes() -> None:
    _capabilities()
    from escpos.printer import Dummy

    dummy = Dummy(profile="TM-T20II")
    dummy.hw("INIT")
    dummy.set_with_default(bold=True)
    dummy.textln("Hello")
    dummy.set_with_default()
    dummy.qr("hello", native=True)
    dummy.cashdraw(5)
    dummy.cut()
    lines = decode(bytes(dummy.output), styles=True)
    assert [line for line in lines if line] == [
        "<bold>Hello",
        "[QR hello]",
        "[DRAWER pin=5 pulse=100ms]",
        "[CUT]",
    ]


def test_decoder_fails_loudly_on_unknown_bytes() -> None:
    with pytest.raises(DecodeError, match="ESC 0x7E"):
        decode(b"\x1b~x")
    with pytest.raises(DecodeError, match="control byte 0x01"):
        decode(b"abc\x01")
    with pytest.raises(DecodeError, match="cut short"):
        decode(b"\x1dk\x49\x0bT1")
    assert len(parse(b"\x1b@plain\n")) == 2


# -- import hygiene -------------------------------------------------------------------


def test_import_adds_no_stderr_logging_handler() -> None:
    code = textwrap.dedent(
        """
        import logging, sys
        before = list(logging.getLogger().handlers)
        import tui_pos.drivers.escpos as drivers
        loaded = sorted(m for m in ("escpos", "serial", "usb", "textual", "peewee")
                        if m in sys.modules)
        from tui_pos.domain.receipt import Receipt
        from tui_pos.config import PrinterConfig
        drivers.receipt_bytes(Receipt(("x",), 42))  # imports python-escpos for its profiles
        drivers.make_escpos_printer(PrinterConfig(driver="network", target="127.0.0.1"))
        after = list(logging.getLogger().handlers)
        print(loaded, after == before, "escpos" in sys.modules, "textual" in sys.modules)
        """
    )
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip() == "[] True True False"
    assert result.stderr == ""
