"""The evdev scanner source: key decoding, device specs, the read loop with a fake device."""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import sys
import threading
from collections import deque
from collections.abc import Iterator

import pytest
from evdev import InputEvent, ecodes
from hypothesis import given
from hypothesis import strategies as st

from tests.support.scanner_thread import WAIT, Running
from tui_pos.domain.errors import ConfigError
from tui_pos.drivers.scanners import make_scanner, terminator_text
from tui_pos.drivers.scanners.discovery import EvdevInfo, list_evdev_devices
from tui_pos.drivers.scanners.evdev_source import (
    DeviceSpec,
    EvdevScanner,
    find_device_path,
    key_events_for,
    parse_spec,
)
from tui_pos.drivers.scanners.keymap import EvdevKeyDecoder


def key(code: int, value: int = 1) -> InputEvent:
    return InputEvent(0, 0, ecodes.EV_KEY, code, value)


def tap(*codes: int) -> list[InputEvent]:
    return [e for code in codes for e in (key(code, 1), key(code, 0))]


def decode_all(events: list[InputEvent], decoder: EvdevKeyDecoder | None = None) -> list[str]:
    decoder = decoder or EvdevKeyDecoder()
    return [code for e in events if (code := decoder.feed(e)) is not None]


# --- decoder -----------------------------------------------------------------------------


def test_digits_and_enter() -> None:
    events = tap(ecodes.KEY_4, ecodes.KEY_0, ecodes.KEY_0, ecodes.KEY_1, ecodes.KEY_ENTER)
    assert decode_all(events) == ["4001"]


def test_keypad_digits_symbols_and_keypad_enter() -> None:
    events = tap(
        ecodes.KEY_KP1,
        ecodes.KEY_KP2,
        ecodes.KEY_KPDOT,
        ecodes.KEY_KP5,
        ecodes.KEY_KPMINUS,
        ecodes.KEY_KPPLUS,
        ecodes.KEY_KPASTERISK,
        ecodes.KEY_KPSLASH,
        ecodes.KEY_KP0,
        ecodes.KEY_KPENTER,
    )
    assert decode_all(events) == ["12.5-+*/0"]


def test_shift_gives_upper_case_and_symbols_until_released() -> None:
    events = [
        key(ecodes.KEY_LEFTSHIFT, 1),
        *tap(ecodes.KEY_A, ecodes.KEY_B, ecodes.KEY_1, ecodes.KEY_MINUS),
        key(ecodes.KEY_LEFTSHIFT, 2),  # shift autorepeat while held
        key(ecodes.KEY_LEFTSHIFT, 0),
        *tap(ecodes.KEY_C, ecodes.KEY_1, ecodes.KEY_MINUS),
        key(ecodes.KEY_RIGHTSHIFT, 1),
        *tap(ecodes.KEY_D),
        key(ecodes.KEY_RIGHTSHIFT, 0),
        *tap(ecodes.KEY_ENTER),
    ]
    assert decode_all(events) == ["AB!_c1-D"]


def test_caps_lock_toggles_letters_only() -> None:
    events = [
        *tap(ecodes.KEY_CAPSLOCK, ecodes.KEY_A, ecodes.KEY_1),
        key(ecodes.KEY_LEFTSHIFT, 1),
        *tap(ecodes.KEY_B),
        key(ecodes.KEY_LEFTSHIFT, 0),
        *tap(ecodes.KEY_CAPSLOCK, ecodes.KEY_C, ecodes.KEY_ENTER),
    ]
    assert decode_all(events) == ["A1bc"]


def test_autorepeat_is_ignored() -> None:
    events = [
        key(ecodes.KEY_7, 1),
        key(ecodes.KEY_7, 2),
        key(ecodes.KEY_7, 2),
        key(ecodes.KEY_7, 0),
        *tap(ecodes.KEY_ENTER),
    ]
    assert decode_all(events) == ["7"]


def test_non_key_events_and_unknown_keys_are_ignored() -> None:
    events = [
        InputEvent(0, 0, ecodes.EV_MSC, ecodes.MSC_SCAN, 458783),
        *tap(ecodes.KEY_2, ecodes.KEY_F1, ecodes.KEY_UP),
        InputEvent(0, 0, ecodes.EV_SYN, ecodes.SYN_REPORT, 0),
        *tap(ecodes.KEY_3, ecodes.KEY_ENTER),
    ]
    assert decode_all(events) == ["23"]


def test_empty_and_blank_codes_are_ignored() -> None:
    events = tap(ecodes.KEY_ENTER, ecodes.KEY_SPACE, ecodes.KEY_KPENTER, ecodes.KEY_9)
    events += tap(ecodes.KEY_ENTER)
    assert decode_all(events) == ["9"]


def test_over_long_code_is_discarded_whole_and_the_next_one_read() -> None:
    decoder = EvdevKeyDecoder(max_length=8)
    events = key_events_for("123456789") + key_events_for("12345678")
    assert decode_all(events, decoder) == ["12345678"]


def test_two_codes_back_to_back() -> None:
    events = key_events_for("4006381333931") + key_events_for("96385074", "kpenter")
    assert decode_all(events) == ["4006381333931", "96385074"]


def test_tab_ends_a_code_only_when_asked() -> None:
    events = key_events_for("12", "tab") + key_events_for("34")
    assert decode_all(events) == ["1234"]  # Tab is not a character: ignored
    assert decode_all(events, EvdevKeyDecoder(tab_terminates=True)) == ["12", "34"]


def test_ctrl_combinations() -> None:
    ctrl_down, ctrl_up = key(ecodes.KEY_LEFTCTRL, 1), key(ecodes.KEY_LEFTCTRL, 0)
    events = [
        *tap(ecodes.KEY_0, ecodes.KEY_1),
        ctrl_down,
        *tap(ecodes.KEY_RIGHTBRACE, ecodes.KEY_C),
        ctrl_up,
        *tap(ecodes.KEY_2),
        ctrl_down,
        *tap(ecodes.KEY_M),  # Ctrl+M is a carriage return
        ctrl_up,
    ]
    assert decode_all(events) == ["012"]
    assert decode_all(events, EvdevKeyDecoder(fnc1="\x1d")) == ["01\x1d2"]


def test_alt_held_keys_are_ignored() -> None:
    events = [key(ecodes.KEY_LEFTALT, 1), *tap(ecodes.KEY_KP6, ecodes.KEY_KP5)]
    events += [key(ecodes.KEY_LEFTALT, 0), *tap(ecodes.KEY_8, ecodes.KEY_ENTER)]
    assert decode_all(events) == ["8"]


def test_reset_forgets_the_partial_code_and_modifiers() -> None:
    decoder = EvdevKeyDecoder()
    decode_all([key(ecodes.KEY_LEFTSHIFT, 1), *tap(ecodes.KEY_A)], decoder)
    assert decoder.pending == "A"
    decoder.reset()
    assert decoder.pending == ""
    assert decode_all(tap(ecodes.KEY_A, ecodes.KEY_ENTER), decoder) == ["a"]


@given(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=64).filter(
        lambda s: s.strip() != ""
    ),
    st.sampled_from(["enter", "kpenter"]),
)
def test_key_events_round_trip_through_the_decoder(text: str, terminator: str) -> None:
    events = key_events_for(text, terminator)
    assert all(isinstance(e, InputEvent) for e in events)
    assert decode_all(events) == [text]


def test_key_events_for_shifts_upper_case_and_rejects_untypeable_text() -> None:
    codes = [(e.code, e.value) for e in key_events_for("aB", "none") if e.type == ecodes.EV_KEY]
    assert codes == [
        (ecodes.KEY_A, 1),
        (ecodes.KEY_A, 0),
        (ecodes.KEY_LEFTSHIFT, 1),
        (ecodes.KEY_B, 1),
        (ecodes.KEY_B, 0),
        (ecodes.KEY_LEFTSHIFT, 0),
    ]
    with pytest.raises(ValueError):
        key_events_for("é")
    with pytest.raises(ValueError):
        key_events_for("1", "escape")


# --- device specs ------------------------------------------------------------------------

DEVICES = [
    EvdevInfo("/dev/input/event2", "AT Translated Set 2 keyboard", "0001:0001"),
    EvdevInfo("/dev/input/event5", "Honeywell Scanner Consumer Control", "0c2e:0b61", "", False),
    EvdevInfo("/dev/input/event6", "Honeywell Scanner Keyboard", "0c2e:0b61"),
    EvdevInfo("/dev/input/event7", "Other Scanner", "05e0:1200"),
]


def test_parse_spec_forms() -> None:
    assert parse_spec("/dev/input/event3") == DeviceSpec("path", "/dev/input/event3")
    by_id = "/dev/input/by-id/usb-Honeywell_1900-event-kbd"
    assert parse_spec(f"  {by_id} ") == DeviceSpec("path", by_id)
    assert parse_spec("name:Honeywell Scanner") == DeviceSpec("name", "Honeywell Scanner")
    assert parse_spec("NAME: scanner") == DeviceSpec("name", "scanner")
    assert parse_spec("0C2E:0B61") == DeviceSpec("usb", "0c2e:0b61")
    assert parse_spec("5e0:1200") == DeviceSpec("usb", "05e0:1200")


@pytest.mark.parametrize("spec", ["event3", "name:", "0c2e:0b6100", "zz:12", ""])
def test_parse_spec_rejects_other_text(spec: str) -> None:
    with pytest.raises(ConfigError, match="scanner.device"):
        parse_spec(spec)


def test_find_device_path() -> None:
    assert find_device_path(parse_spec("/dev/input/event9"), DEVICES) == "/dev/input/event9"
    assert find_device_path(parse_spec("name:honeywell"), DEVICES) == "/dev/input/event6"
    assert find_device_path(parse_spec("name:CONSUMER"), DEVICES) == "/dev/input/event5"
    assert find_device_path(parse_spec("name:scanner"), DEVICES) == "/dev/input/event6"
    assert find_device_path(parse_spec("0c2e:0b61"), DEVICES) == "/dev/input/event6"
    assert find_device_path(parse_spec("5E0:1200"), DEVICES) == "/dev/input/event7"
    assert find_device_path(parse_spec("name:zebra"), DEVICES) is None
    assert find_device_path(parse_spec("1234:5678"), DEVICES) is None
    assert find_device_path(parse_spec("name:scanner"), []) is None


def test_default_opener_reports_a_missing_device_as_not_found() -> None:
    statuses: queue.Queue[tuple[str, bool]] = queue.Queue()
    stop = threading.Event()
    scanner = EvdevScanner("/dev/input/by-id/no-such-scanner", retry_seconds=0.01)
    thread = threading.Thread(
        target=scanner.run, args=(lambda c: None, lambda m, ok: statuses.put((m, ok)), stop)
    )
    thread.start()
    message, ok = statuses.get(timeout=WAIT)
    stop.set()
    thread.join(WAIT)
    assert not thread.is_alive()
    assert not ok
    assert message.startswith("scanner /dev/input/by-id/no-such-scanner not found (")
    assert statuses.empty()  # retries are not reported again


def test_discovery_returns_a_list_without_raising() -> None:
    devices = list_evdev_devices()
    assert isinstance(devices, list)
    assert all(isinstance(d, EvdevInfo) for d in devices)


# --- the read loop -----------------------------------------------------------------------


class FakeDevice:
    """An input device with a pipe as its fd: ``push`` queues events and wakes select()."""

    def __init__(self) -> None:
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        self._events: deque[InputEvent] = deque()
        self._lock = threading.Lock()
        self._unplugged = False
        self.calls: list[str] = []

    def push(self, events: list[InputEvent]) -> None:
        with self._lock:
            self._events.extend(events)
        os.write(self._w, b"!")

    def unplug(self) -> None:
        self._unplugged = True
        os.write(self._w, b"!")

    def fileno(self) -> int:
        return self._r

    def read(self) -> Iterator[InputEvent]:
        with contextlib.suppress(BlockingIOError):
            os.read(self._r, 4096)
        if self._unplugged:
            raise OSError(errno.ENODEV, "No such device")
        with self._lock:
            if not self._events:
                raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
            events, self._events = list(self._events), deque()
        return iter(events)

    def grab(self) -> None:
        self.calls.append("grab")

    def ungrab(self) -> None:
        self.calls.append("ungrab")
        if self._unplugged:
            raise OSError(errno.ENODEV, "No such device")

    def close(self) -> None:
        self.calls.append("close")
        os.close(self._r)
        os.close(self._w)


class BusyDevice(FakeDevice):
    def grab(self) -> None:
        raise OSError(errno.EBUSY, "Device or resource busy")


class Opener:
    """Hands out the scripted devices or errors, one per call; then 'not found'."""

    def __init__(self, *outcomes: FakeDevice | OSError) -> None:
        self.outcomes = deque(outcomes)
        self.specs: list[str] = []

    def __call__(self, spec: str) -> FakeDevice:
        self.specs.append(spec)
        outcome = self.outcomes.popleft() if self.outcomes else FileNotFoundError(2, "gone")
        if isinstance(outcome, OSError):
            raise outcome
        return outcome


def scanner_with(opener: Opener, grab: bool = True) -> EvdevScanner:
    return EvdevScanner(
        "0c2e:0b61", grab, open_device=opener, retry_seconds=0.01, poll_seconds=0.02
    )


def test_run_reads_codes_in_order_and_grabs_and_releases_the_device() -> None:
    device = FakeDevice()
    opener = Opener(device)
    running = Running(scanner_with(opener))
    assert running.status() == ("scanner 0c2e:0b61 connected", True)
    device.push(key_events_for("4006381333931") + key_events_for("Ab-1"))
    device.push(key_events_for("96385074"))
    assert [running.code(), running.code(), running.code()] == [
        "4006381333931",
        "Ab-1",
        "96385074",
    ]
    running.finish()
    assert device.calls == ["grab", "ungrab", "close"]
    assert opener.specs == ["0c2e:0b61"]
    assert running.statuses.empty()


def test_run_without_grab_does_not_grab() -> None:
    device = FakeDevice()
    running = Running(scanner_with(Opener(device), grab=False))
    assert running.status()[1]
    device.push(key_events_for("12"))
    assert running.code() == "12"
    running.finish()
    assert device.calls == ["close"]


def test_unplug_reports_and_reconnects_and_scanning_goes_on() -> None:
    first, second = FakeDevice(), FakeDevice()
    opener = Opener(first, FileNotFoundError(2, "No such file"), OSError(13, "denied"), second)
    running = Running(scanner_with(opener))
    assert running.status() == ("scanner 0c2e:0b61 connected", True)
    first.push(key_events_for("111"))
    assert running.code() == "111"
    first.push(key_events_for("22")[:4])  # half a code, then the cable is pulled
    first.unplug()
    assert running.status() == ("scanner 0c2e:0b61 disconnected, waiting", False)
    assert running.status() == ("scanner 0c2e:0b61 connected", True)
    assert first.calls == ["grab", "ungrab", "close"]
    second.push(key_events_for("333"))
    assert running.code() == "333"  # the half code from before was dropped
    running.finish()
    assert second.calls == ["grab", "ungrab", "close"]
    assert running.statuses.empty()  # the failed retries were not reported one by one
    assert len(opener.specs) == 4


def test_missing_at_start_then_plugged_in() -> None:
    device = FakeDevice()
    running = Running(scanner_with(Opener(FileNotFoundError(2, "No such file"), device)))
    assert running.status() == ("scanner 0c2e:0b61 not found (No such file), waiting", False)
    assert running.status() == ("scanner 0c2e:0b61 connected", True)
    device.push(key_events_for("5"))
    assert running.code() == "5"
    running.finish()


def test_a_device_grabbed_by_another_program_is_reported_busy_and_retried() -> None:
    busy, device = BusyDevice(), FakeDevice()
    running = Running(scanner_with(Opener(busy, device)))
    message, ok = running.status()
    assert (message, ok) == ("scanner 0c2e:0b61 is busy (Device or resource busy), waiting", False)
    assert busy.calls == ["close"]
    assert running.status() == ("scanner 0c2e:0b61 connected", True)
    running.finish()


def test_stop_while_waiting_for_the_device_ends_promptly() -> None:
    scanner = EvdevScanner("name:x", open_device=Opener(), retry_seconds=30.0)
    running = Running(scanner)
    assert not running.status()[1]
    running.finish()


def test_a_bad_spec_is_a_config_error_at_construction() -> None:
    with pytest.raises(ConfigError):
        EvdevScanner("event3")


# --- make_scanner ------------------------------------------------------------------------


def test_make_scanner_evdev() -> None:
    scanner = make_scanner("evdev", " name:Scanner ", True, "\r")
    assert isinstance(scanner, EvdevScanner)
    assert scanner.name == "evdev:name:Scanner"
    assert scanner.grab
    tab = make_scanner("evdev", "0c2e:0b61", False, "\\t")
    assert isinstance(tab, EvdevScanner)
    assert not tab.grab


@pytest.mark.parametrize("mode", ["keyboard", "none"])
def test_make_scanner_without_a_source(mode: str) -> None:
    assert make_scanner(mode, "", True, "\r") is None


def test_make_scanner_errors() -> None:
    with pytest.raises(ConfigError, match="needs scanner.device"):
        make_scanner("evdev", "  ", True, "\r")
    with pytest.raises(ConfigError, match="scanner.device"):
        make_scanner("evdev", "event3", True, "\r")
    with pytest.raises(ConfigError, match="cannot end an evdev scan"):
        make_scanner("evdev", "0c2e:0b61", True, "#")
    with pytest.raises(ConfigError, match="scanner.mode"):
        make_scanner("hid", "x", True, "\r")


def test_make_scanner_without_evdev_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "evdev", None)  # makes "import evdev" fail
    with pytest.raises(ConfigError) as info:
        make_scanner("evdev", "0c2e:0b61", True, "\r")
    assert str(info.value) == (
        'scanner.mode = "evdev" needs the evdev package: pip install "tui-pos[evdev]"'
    )


def test_terminator_text() -> None:
    assert terminator_text("\r") == "\r"
    assert terminator_text("\\r\\n") == "\r\n"
    assert terminator_text("CRLF") == "\r\n"
    assert terminator_text("tab") == "\t"
    assert terminator_text("\x03") == "\x03"
    with pytest.raises(ConfigError):
        terminator_text("")
