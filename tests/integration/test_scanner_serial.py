"""The serial scanner source: framing, a real pty read by pyserial, reconnecting."""

from __future__ import annotations

import contextlib
import os
import threading
import tty
from collections.abc import Iterator

import pytest
import serial

from tests.support.scanner_thread import WAIT, Running
from tui_pos.domain.errors import ConfigError
from tui_pos.drivers.scanners import make_scanner
from tui_pos.drivers.scanners.discovery import SerialPortInfo, list_serial_ports
from tui_pos.drivers.scanners.serial_source import SerialFramer, SerialLike, SerialScanner


class Pty:
    """A pseudo-terminal: the scanner opens ``name``, the test writes to ``master``."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self.slave)
        self.name = os.ttyname(self.slave)

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


@pytest.fixture
def pty() -> Iterator[Pty]:
    opened = Pty()
    yield opened
    opened.close()


# --- framing -----------------------------------------------------------------------------


def test_framer_endings() -> None:
    framer = SerialFramer()
    assert framer.feed(b"111\r222\n333\r\n444") == ["111", "222", "333"]
    assert framer.feed(b"\r\n") == ["444"]
    assert framer.feed(b"\r\n\r\n\n") == []


def test_framer_configured_terminator() -> None:
    framer = SerialFramer(terminator=b"\x03")
    assert framer.feed(b"\x0212345\x03\x0267\x03") == ["12345", "67"]
    assert framer.feed(b"89\r") == ["89"]  # CR and LF always end a code too
    crlf = SerialFramer(terminator=b"\r\n")
    assert crlf.feed(b"1\r\n2\r") == ["1", "2"]
    tab = SerialFramer(terminator=b"\t")
    assert tab.feed(b"A1\tB2\t") == ["A1", "B2"]
    with pytest.raises(ValueError):
        SerialFramer(terminator=b"")


def test_framer_strips_control_characters_and_reads_latin1() -> None:
    framer = SerialFramer()
    data = b"\x02]E0\x1b4006\x00381\x7f333931\x1d\x9b\r" + b"caf\xe9\r" + b"\x02\x03\x1b\r"
    assert framer.feed(data) == ["]E04006381333931", "caf\u00e9"]


def test_framer_discards_over_long_garbage_whole() -> None:
    framer = SerialFramer(max_length=8)
    assert framer.feed(b"123456789\r12345678\r") == ["12345678"]
    assert framer.feed(b"x" * 6) == []
    assert framer.feed(b"x" * 6) == []  # 12 bytes, no terminator: dropped
    assert framer.feed(b"yy\r42\r") == ["42"]  # the rest of the garbage went with it


def test_framer_code_split_over_feeds() -> None:
    framer = SerialFramer()
    assert framer.feed(b"40063") == []
    assert framer.feed(b"81333931\r") == ["4006381333931"]


# --- run() on a pty ----------------------------------------------------------------------


def test_codes_from_a_pty(pty: Pty) -> None:
    running = Running(SerialScanner(pty.name, timeout=0.02, retry_seconds=0.05))
    assert running.status() == (f"scanner {pty.name} connected", True)
    pty.write(b"111\r")
    assert running.code() == "111"
    pty.write(b"222\n")
    assert running.code() == "222"
    pty.write(b"333\r\n")
    assert running.code() == "333"
    pty.write(b"444\r555\r\n")  # two codes in one write
    assert [running.code(), running.code()] == ["444", "555"]
    pty.write(b"40063")  # one code in two writes
    assert running.codes.empty()
    pty.write(b"81333931\r")
    assert running.code() == "4006381333931"
    pty.write(b"\x02\x1b[66\x00\r")  # control characters stripped
    assert running.code() == "[66"
    running.finish()
    assert running.statuses.empty()
    assert running.codes.empty()


def test_stop_ends_the_thread_promptly(pty: Pty) -> None:
    running = Running(SerialScanner(pty.name, timeout=0.05))
    assert running.status()[1]
    running.finish()


def test_unplug_reports_and_reopens(pty: Pty) -> None:
    second = Pty()
    try:
        names = iter([pty.name, "/dev/no-such-tty", second.name])

        def open_port() -> SerialLike:
            port: SerialLike = serial.serial_for_url(next(names), timeout=0.02)
            return port

        scanner = SerialScanner(pty.name, timeout=0.02, retry_seconds=0.01, open_port=open_port)
        running = Running(scanner)
        assert running.status() == (f"scanner {pty.name} connected", True)
        pty.write(b"1\r2")
        assert running.code() == "1"
        os.close(pty.master)  # the far end goes away: reads fail with EIO
        assert running.status() == (f"scanner {pty.name} disconnected, waiting", False)
        assert running.status() == (f"scanner {pty.name} connected", True)
        second.write(b"3\r")
        assert running.code() == "3"  # the "2" read before the unplug was dropped
        running.finish()
        assert running.statuses.empty()  # the failed retry was not reported
    finally:
        second.close()


def test_missing_port_is_reported_once_and_stop_still_works() -> None:
    statuses: list[tuple[str, bool]] = []
    stop = threading.Event()

    def on_status(message: str, ok: bool) -> None:
        statuses.append((message, ok))
        if len(statuses) == 1:
            threading.Timer(0.1, stop.set).start()

    scanner = SerialScanner("/dev/no-such-tty", timeout=0.02, retry_seconds=0.01)
    thread = threading.Thread(target=scanner.run, args=(lambda c: None, on_status, stop))
    thread.start()
    thread.join(WAIT)
    assert not thread.is_alive()
    assert len(statuses) == 1
    message, ok = statuses[0]
    assert not ok
    assert message.startswith("scanner /dev/no-such-tty cannot be opened (")


class FlakyPort:
    """A fake port: serves its chunks, then fails like an unplugged USB-CDC device."""

    def __init__(self, chunks: list[bytes], error: Exception) -> None:
        self.chunks = chunks
        self.error = error
        self.closed = False

    @property
    def in_waiting(self) -> int:
        return len(self.chunks[0]) if self.chunks else 0

    def read(self, size: int = 1) -> bytes:
        if not self.chunks:
            raise self.error
        return self.chunks.pop(0)

    def close(self) -> None:
        self.closed = True


class IdlePort(FlakyPort):
    """A fake port where nothing is scanned: each read waits out a short timeout."""

    def read(self, size: int = 1) -> bytes:
        threading.Event().wait(0.02)
        return b""


def test_serial_exception_is_a_disconnect() -> None:
    first = FlakyPort([b"7\r"], serial.SerialException("device reports readiness to read"))
    second = IdlePort([], OSError())
    ports: list[SerialLike] = [first, second]
    scanner = SerialScanner("x", retry_seconds=0.01, open_port=lambda: ports.pop(0))
    running = Running(scanner)
    assert running.status() == ("scanner x connected", True)
    assert running.code() == "7"
    assert running.status() == ("scanner x disconnected, waiting", False)
    assert running.status() == ("scanner x connected", True)
    running.finish()
    assert first.closed and second.closed


# --- make_scanner and discovery ----------------------------------------------------------


def test_make_scanner_serial() -> None:
    scanner = make_scanner("serial", "/dev/ttyACM0", True, "\r", 19200)
    assert isinstance(scanner, SerialScanner)
    assert scanner.name == "serial:/dev/ttyACM0"
    assert scanner.baudrate == 19200
    etx = make_scanner("serial", "socket://127.0.0.1:9", False, "\\x03")
    assert isinstance(etx, SerialScanner)


def test_make_scanner_serial_errors() -> None:
    with pytest.raises(ConfigError, match='scanner.mode = "serial" needs scanner.device'):
        make_scanner("serial", "", True, "\r")
    with pytest.raises(ConfigError, match="terminator"):
        make_scanner("serial", "/dev/ttyACM0", True, "\u20ac")


def test_list_serial_ports_returns_a_list_without_raising() -> None:
    ports = list_serial_ports()
    assert isinstance(ports, list)
    assert all(isinstance(p, SerialPortInfo) for p in ports)
