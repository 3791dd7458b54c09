"""Quitting the real ``tui-pos run`` while the printer hangs is prompt and loses no receipt.

The till runs in a pseudo-terminal against a network printer on 127.0.0.1 (timeout 5 s)
that hangs either before the receipt (``silent``: it never answers the status query) or
in the middle of it (``stall``: it answers status, then stops reading when the receipt
comes). Ctrl+Q is pressed while the receipt owed from before the start waits on it: the
process must end within a generous 2 s (the figure is printed), and the receipt must
still be owed at the next start, where it prints: the original if nothing was sent, a
COPY if it was (it may have reached the paper).
"""

from __future__ import annotations

import fcntl
import os
import select
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from tests.support.escpos_decode import decode
from tests.support.fake_printer import FakeTcpPrinter
from tests.support.tills import copy_database, fixed_clock, open_test_till
from tui_pos.config import Config
from tui_pos.drivers.escpos import EscposPrinter, NetworkTransport
from tui_pos.drivers.file_printer import RecordingPrinter

TUI_POS = Path(sys.executable).parent / "tui-pos"
LOAF = "5900000000015"
QUIT_BOUND_SECONDS = 2.0


def _drain(fd: int, stop: threading.Event, seen: bytearray) -> None:
    """Read the app's screen output so it never blocks on a full pty."""
    while not stop.is_set():
        if select.select([fd], [], [], 0.05)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            seen += chunk


def _wait(condition: object, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"{what} did not happen within {timeout} s")


@pytest.mark.parametrize(
    ("hang", "blocked_at", "left", "reprint"),
    [
        ("silent", b"\x10\x04\x01", "queued", "original"),
        ("stall", b"Sale T1-000001", "sending", "copy"),
    ],
)
def test_quit_with_a_hung_printer_is_prompt_and_keeps_the_job(
    tmp_path: Path,
    demo_template: Path,
    capsys: pytest.CaptureFixture[str],
    hang: str,
    blocked_at: bytes,
    left: str,
    reprint: str,
) -> None:
    db = tmp_path / "till.db"
    copy_database(demo_template, db)
    db.chmod(0o600)
    till = open_test_till(Config(), db, printer=RecordingPrinter(), clock=fixed_clock)
    till.register.enter(LOAF)
    assert till.register.pay_cash("") is not None  # its receipt is owed
    till.close()

    with FakeTcpPrinter(mode=hang) as fake:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[printer]\ndriver = "network"\ntarget = "127.0.0.1:{fake.port}"\ntimeout = 5\n'
        )
        config.chmod(0o600)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "HOME": str(tmp_path)}
        child = subprocess.Popen(
            [str(TUI_POS), "--config", str(config), "--db", str(db), "run"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        stop, screen = threading.Event(), bytearray()
        reader = threading.Thread(target=_drain, args=(master, stop, screen), daemon=True)
        reader.start()
        try:
            # the app now waits (up to 5 s) for an answer that will not come
            _wait(lambda: blocked_at in fake.received, "the receipt's print")
            _wait(lambda: b"\x1b[?1049h" in screen, "the app's screen")
            time.sleep(0.3)  # the app is idle, the printer thread blocked
            os.write(master, b"\x11")  # Ctrl+Q: nobody is logged in, so a manager approves
            _wait(lambda: b"Quit the till" in screen, "the quit approval")
            asked = time.monotonic()  # from the approval on: what the quit itself takes
            os.write(master, b"1\r2468\r")
            code = child.wait(timeout=15)
            took = time.monotonic() - asked
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            stop.set()
            reader.join(timeout=2)
            os.close(master)
        assert code == 0, bytes(screen[-2000:]).decode(errors="replace")
        with capsys.disabled():
            print(f"\n  quit with a {hang} printer: {took * 1000:.0f} ms")
        assert took < QUIT_BOUND_SECONDS

        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT kind, status FROM print_job").fetchall() == [
                ("receipt", left)
            ], "the receipt is still owed"

        # the next start: the printer is fine again; the receipt prints
        fake.mode = "online"
        printer = EscposPrinter(NetworkTransport("127.0.0.1", fake.port, timeout=1))
        again = open_test_till(Config(), db, printer=printer, clock=fixed_clock)
        try:
            run = again.print_queue.run()
            assert run.failed is None and len(run.printed) == 1
        finally:
            again.close()
        receipts = [
            "\n".join(decode(job)) for job in fake.wait_until_idle(2) if b"Sale T1-000001" in job
        ]
        copies = sum("*** COPY ***" in text for text in receipts)
        # stall: the original went out before the quit (and printed once the printer woke)
        assert (len(receipts) - copies, copies) == ((1, 1) if reprint == "copy" else (1, 0))
