"""The app retries a receipt file in a missing or read-only folder by itself, once fixed.

The till is opened from a config with ``printer.driver = "file"`` (as a shop would), a
sale waits in the print queue, the app starts and cannot write the receipt; the folder
is then fixed and the app's status poll (made fast here) prints it without a key press.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

import tui_pos.devices.hub
from tests.support.settle import settle
from tests.support.tills import copy_database, fixed_clock, open_test_till
from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.config import Config

LOAF = "5900000000015"


def _till(tmp_path: Path, demo_template: Path, receipts: Path) -> Till:
    path = tmp_path / "till.db"
    copy_database(demo_template, path)
    base = Config()
    config = replace(base, printer=replace(base.printer, driver="file", target=str(receipts)))
    till = open_test_till(config, path, clock=fixed_clock)
    till.register.enter(LOAF)
    assert till.register.pay_cash("") is not None  # its receipt waits in the queue
    return till


def _status(till: Till) -> list[str]:
    with sqlite3.connect(till.db_path) as conn:
        return [str(s) for (s,) in conn.execute("SELECT status FROM print_job ORDER BY id")]


def _error(till: Till) -> str:
    with sqlite3.connect(till.db_path) as conn:
        return "".join(str(e) for (e,) in conn.execute("SELECT last_error FROM print_job"))


async def _until(pilot, condition: Callable[[], bool], what: str) -> None:
    for _ in range(250):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{what} never happened")


@contextmanager
def _read_only(folder: Path) -> Iterator[Callable[[], None]]:
    """Make ``folder`` read-only (a read-only bind mount for root, who ignores modes);
    yields the function that makes it writable again."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield lambda: folder.chmod(0o755)
        folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {mounted.stderr.decode().strip()}")
    state = {"mounted": True}

    def fix() -> None:
        subprocess.run(["umount", str(folder)], check=True)
        state["mounted"] = False

    try:
        remount = ["mount", "-o", "remount,ro,bind", str(folder)]
        if subprocess.run(remount, capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only here")
        yield fix
    finally:
        if state["mounted"]:
            subprocess.run(["umount", "-l", str(folder)], check=False)


async def _prints_once_fixed(
    till: Till, receipts: Path, fix: Callable[[], None], label: str
) -> None:
    app = build_app(till)
    assert till.devices.status_printer is not None
    assert till.devices.status_printer.status().label == label
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: bool(_error(till)), "the first attempt")
        assert _status(till) == ["queued"], _error(till)
        fix()
        await _until(pilot, lambda: _status(till) == ["printed"], "the retry")
        await settle(pilot)
    text = receipts.read_text()
    assert text.count("Sale T1-000001") == 1 and "*** COPY ***" not in text


async def test_receipt_file_in_a_missing_folder_prints_once_the_folder_is_there(
    tmp_path: Path, demo_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tui_pos.devices.hub, "STATUS_POLL_SECONDS", 0.1)
    stick = tmp_path / "stick"  # not mounted yet: the printer must not make it
    receipts = stick / "receipts" / "T1.txt"
    till = _till(tmp_path, demo_template, receipts)
    try:
        await _prints_once_fixed(
            till, receipts, stick.mkdir, "printer offline (receipt folder missing)"
        )
    finally:
        till.close()


async def test_receipt_file_in_a_read_only_folder_prints_once_it_is_writable(
    tmp_path: Path, demo_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tui_pos.devices.hub, "STATUS_POLL_SECONDS", 0.1)
    folder = tmp_path / "receipts"
    folder.mkdir()
    receipts = folder / "T1.txt"
    till = _till(tmp_path, demo_template, receipts)
    try:
        with _read_only(folder) as fix:
            await _prints_once_fixed(
                till, receipts, fix, "printer offline (receipt folder read-only)"
            )
    finally:
        till.close()
