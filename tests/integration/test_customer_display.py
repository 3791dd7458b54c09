"""The serial customer display, driven through a pseudo-terminal pair (no hardware)."""

from __future__ import annotations

import contextlib
import os
import select
import time
import tty
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_pos.domain.errors import ConfigError
from tui_pos.drivers.customer_display import (
    SerialCustomerDisplay,
    fit,
    fold,
    make_customer_display,
    parse_target,
)
from tui_pos.services.ports import CustomerDisplay, DeviceError

EPSON_INIT = b"\x1b\x40\x1f\x01\x0c"  # ESC @, US MD1 (overwrite), CLR
CD5220_INIT = b"\x1b\x40\x1b\x11\x0c"  # ESC @, ESC DC1 (overwrite), CLR
CLR = b"\x0c"


@dataclass
class Pty:
    """The master end (what the display would receive) and the slave's path (the "port")."""

    master: int
    slave: int
    path: str

    def read(self, count: int, timeout: float = 2.0) -> bytes:
        """Read ``count`` bytes (fewer if they do not come within ``timeout``)."""
        data = b""
        deadline = time.monotonic() + timeout
        while len(data) < count:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.master], [], [], left)[0]:
                break
            try:
                chunk = os.read(self.master, count - len(data))
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        return data

    def idle(self, timeout: float = 0.05) -> bool:
        """True when nothing more arrives."""
        return not select.select([self.master], [], [], timeout)[0]

    def close(self) -> None:
        """Close both ends (the "display" is unplugged)."""
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def open_pty() -> Pty:
    """A fresh pty pair with the master in raw mode."""
    master, slave = os.openpty()
    tty.setraw(master)
    return Pty(master, slave, os.ttyname(slave))


@pytest.fixture
def pty_pair() -> Iterator[Pty]:
    """A pty pair, closed after the test."""
    pair = open_pty()
    yield pair
    pair.close()


def epson_frame(top: bytes, bottom: bytes) -> bytes:
    """What the epson command set sends for two (already fitted) lines."""
    return b"\x1f\x24\x01\x01" + top + b"\x1f\x24\x01\x02" + bottom


def cd5220_frame(top: bytes, bottom: bytes) -> bytes:
    """What the cd5220 command set sends for two (already fitted) lines."""
    return b"\x1b\x51\x41" + top + b"\x0d" + b"\x1b\x51\x42" + bottom + b"\x0d"


# --- bytes on the wire -------------------------------------------------------------------


@pytest.mark.parametrize(("command_set", "init"), [("epson", EPSON_INIT), ("cd5220", CD5220_INIT)])
def test_first_call_sends_init_then_clear(pty_pair: Pty, command_set: str, init: bytes) -> None:
    display = SerialCustomerDisplay(pty_pair.path, command_set=command_set)
    display.clear()
    assert pty_pair.read(len(init) + 1) == init + CLR
    assert pty_pair.idle()
    display.clear()
    assert pty_pair.read(1) == CLR
    assert pty_pair.idle()
    display.close()


def test_epson_show_positions_each_line(pty_pair: Pty) -> None:
    display = SerialCustomerDisplay(pty_pair.path, command_set="epson")
    display.show("Milk 1L", "1.25")
    expected = EPSON_INIT + epson_frame(b"Milk 1L".ljust(20), b"1.25".ljust(20))
    assert pty_pair.read(len(expected)) == expected
    display.show("Bread", "")
    expected = epson_frame(b"Bread".ljust(20), b" " * 20)
    assert pty_pair.read(len(expected)) == expected
    assert pty_pair.idle()
    display.close()


def test_cd5220_show_selects_each_line(pty_pair: Pty) -> None:
    display = SerialCustomerDisplay(pty_pair.path, command_set="cd5220")
    display.show("Milk 1L", "1.25")
    expected = CD5220_INIT + cd5220_frame(b"Milk 1L".ljust(20), b"1.25".ljust(20))
    assert pty_pair.read(len(expected)) == expected
    assert pty_pair.idle()
    display.close()


def test_show_folds_and_cuts_to_width(pty_pair: Pty) -> None:
    display = SerialCustomerDisplay(pty_pair.path, command_set="cd5220", width=16)
    display.show("Crème brûlée à la carte", "Straße\t4,50 €")
    top = b"Creme brulee a l"
    bottom = b"Strasse 4,50 EUR"
    expected = CD5220_INIT + cd5220_frame(top, bottom)
    assert pty_pair.read(len(expected)) == expected
    assert pty_pair.idle()
    display.close()


def test_close_reopens_and_sends_init_again(pty_pair: Pty) -> None:
    display = SerialCustomerDisplay(pty_pair.path)
    display.clear()
    assert pty_pair.read(len(EPSON_INIT) + 1) == EPSON_INIT + CLR
    display.close()
    display.close()  # closing twice is harmless
    display.clear()
    assert pty_pair.read(len(EPSON_INIT) + 1) == EPSON_INIT + CLR
    display.close()


# --- failures and recovery -----------------------------------------------------------------


def test_port_that_vanishes_raises_then_recovers(tmp_path: Path) -> None:
    """Like /dev/serial/by-id/...: the link disappears with the device and comes back."""
    link = tmp_path / "display"
    first = open_pty()
    link.symlink_to(first.path)
    display = SerialCustomerDisplay(str(link), timeout=0.5)
    try:
        display.show("one", "")
        assert first.read(len(EPSON_INIT) + 48) == EPSON_INIT + epson_frame(
            b"one".ljust(20), b" " * 20
        )
        first.close()
        link.unlink()
        with pytest.raises(DeviceError, match="Customer display on .*display") as failed:
            display.show("two", "")
        assert "\n" not in str(failed.value)
        with pytest.raises(DeviceError, match="cannot be opened: No such file"):
            display.show("three", "")

        second = open_pty()
        try:
            link.symlink_to(second.path)
            display.show("four", "")
            expected = EPSON_INIT + epson_frame(b"four".ljust(20), b" " * 20)
            assert second.read(len(expected)) == expected
        finally:
            display.close()
            second.close()
    finally:
        display.close()
        first.close()


def test_missing_port_is_a_device_error(tmp_path: Path) -> None:
    display = SerialCustomerDisplay(str(tmp_path / "ttyUSB9"))
    with pytest.raises(DeviceError, match=r"ttyUSB9 cannot be opened: No such file"):
        display.show("a", "b")
    with pytest.raises(DeviceError):
        display.clear()


def test_regular_file_is_a_device_error(tmp_path: Path) -> None:
    not_a_port = tmp_path / "file"
    not_a_port.write_bytes(b"")
    with pytest.raises(DeviceError, match="cannot be opened"):
        SerialCustomerDisplay(str(not_a_port)).clear()


def test_unknown_url_scheme_is_a_device_error() -> None:
    with pytest.raises(DeviceError, match="cannot be opened"):
        SerialCustomerDisplay("bogus://nowhere").clear()


def test_display_that_stops_reading_times_out(pty_pair: Pty) -> None:
    display = SerialCustomerDisplay(pty_pair.path, timeout=0.1)
    started = time.monotonic()

    def fill() -> None:
        for _ in range(100_000):  # the pty buffer fills up: nobody reads the master
            display.show("a" * 20, "b" * 20)

    with pytest.raises(DeviceError, match=r"did not take the text within 0\.1 s"):
        fill()
    assert time.monotonic() - started < 10
    display.close()


def test_loop_url_works() -> None:
    display = SerialCustomerDisplay("loop://", command_set="cd5220")
    display.show("hello", "world")
    display.clear()
    display.close()


# --- configuration ---------------------------------------------------------------------------


def test_implements_the_port() -> None:
    display: CustomerDisplay = SerialCustomerDisplay("/dev/ttyUSB0")
    assert callable(display.show) and callable(display.clear)


def test_factory_none_gives_no_display() -> None:
    assert make_customer_display("none", "", "epson") is None
    assert make_customer_display("none", "/dev/ttyUSB0", "whatever") is None


@pytest.mark.parametrize(
    ("target", "url", "baud"),
    [
        ("/dev/ttyUSB0", "/dev/ttyUSB0", 9600),
        ("/dev/ttyUSB0:19200", "/dev/ttyUSB0", 19200),
        ("  /dev/ttyS1:4800 ", "/dev/ttyS1", 4800),
        (
            "/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0",
            "/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0",
            9600,
        ),
        ("socket://192.168.1.60:7000", "socket://192.168.1.60:7000", 9600),
    ],
)
def test_factory_reads_the_target(target: str, url: str, baud: int) -> None:
    display = make_customer_display("serial", target, "cd5220")
    assert display is not None
    assert (display.url, display.baudrate, display.command_set) == (url, baud, "cd5220")
    assert display.width == 20


@pytest.mark.parametrize(
    ("driver", "target", "command_set", "message"),
    [
        ("serial", "", "epson", "target is empty"),
        ("serial", "   ", "epson", "target is empty"),
        ("serial", "/dev/ttyUSB0", "aedex", 'command_set "aedex" is unknown'),
        ("serial", "/dev/ttyUSB0", "", "command_set"),
        ("usb", "/dev/ttyUSB0", "epson", 'driver "usb" is unknown'),
        ("serial", "/dev/ttyUSB0:0", "epson", "baud rate"),
    ],
)
def test_factory_rejects_bad_settings(
    driver: str, target: str, command_set: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        make_customer_display(driver, target, command_set)


def test_parse_target() -> None:
    assert parse_target("COM3:9600") == ("COM3", 9600)
    assert parse_target("COM3") == ("COM3", None)
    assert parse_target(":9600") == (":9600", None)


@pytest.mark.parametrize(
    "kwargs",
    [{"command_set": "dsp800"}, {"width": 0}, {"baudrate": 0}, {"timeout": 0}],
)
def test_constructor_rejects_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SerialCustomerDisplay("/dev/ttyUSB0", **kwargs)  # type: ignore[arg-type]


# --- folding and the till's screens ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Crème brûlée", "Creme brulee"),
        ("ÀÉÎÕÜ ç ñ", "AEIOU c n"),
        ("Straße Øl Æble œuf", "Strasse Ol AEble oeuf"),
        ("4,50 €", "4,50 EUR"),
        ("£3", "GBP3"),
        ("“quoted” – ‘x’…", "\"quoted\" - 'x'..."),
        ("½ kg", "1/2 kg"),
        ("ﬁne ＡＢＣ", "fine ABC"),
        ("a\tb\nc\x00d", "a b c d"),
        ("寿司 ☕", "?? ?"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fit_pads_and_cuts() -> None:
    assert fit("abc", 5) == "abc  "
    assert fit("abcdefgh", 5) == "abcde"
    assert fit("€", 2) == "EU"


def _printable(line: str) -> bool:
    return all(" " <= char <= "~" for char in line)


@given(st.text(), st.text(), st.integers(min_value=1, max_value=40))
def test_fit_always_gives_full_printable_lines(a: str, b: str, width: int) -> None:
    for lines in ((fit(a, width), fit(b, width)),):
        assert len(lines) == 2
        for line in lines:
            assert len(line) == width
            assert _printable(line)


@given(st.text(), st.text(), st.sampled_from(["epson", "cd5220"]))
def test_frame_is_fixed_size_ascii(top: str, bottom: str, command_set: str) -> None:
    display = SerialCustomerDisplay("loop://", command_set=command_set)
    frame = display.frame(top, bottom)
    assert len(frame) == 2 * 20 + 8
    text = frame.replace(b"\x1b\x51\x41", b"").replace(b"\x1b\x51\x42", b"")
    text = text.replace(b"\x1f\x24\x01\x01", b"").replace(b"\x1f\x24\x01\x02", b"")
    assert _printable(text.replace(b"\x0d", b"").decode("ascii"))
