"""The real ``tui-pos`` entry point in tmux: a cashier's sale, read back from the screen."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_pos.demo.catalog import weight_label

pytestmark = pytest.mark.tmux

TUI_POS = Path(sys.executable).parent / "tui-pos"


#: The block and rounded glyphs a Linux console's font does not have.
NOT_ON_A_VT = set("▔▁▎▊▀▄▌▐█╭╮╰╯⏎↑↓")

#: (columns, rows, TERM): a desktop terminal, and a till's own console (80x24 here;
#: a Linux VT is 80x25 and TERM=linux switches the screen to ASCII).
CONSOLES = [(120, 40, "xterm-256color"), (80, 24, "linux")]


@pytest.fixture(params=CONSOLES, ids=lambda c: f"{c[0]}x{c[1]}-{c[2]}")
def session(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[str, dict[str, str], Path]]:
    width, height, term = request.param
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed (.ci/run installs it)")
    name = f"tui-pos-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": term,
    }
    db = tmp_path / "demo.db"
    # Keep the pane after the app exits so a crash stays readable in the failure message.
    # TERM is set in the pane's command: tmux gives a pane its own TERM otherwise.
    command = f"TERM={term} {TUI_POS} demo --db {db}; echo tui-pos exited with $?; sleep 60"
    # A private server (-L): it starts with this environment, not a running server's.
    subprocess.run(
        [*_tmux(name), "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height)]
        + [command],
        check=True,
        env=env,
    )
    try:
        yield name, env, db
    finally:
        subprocess.run([*_tmux(name), "kill-server"], check=False)


def _tmux(name: str) -> list[str]:
    return ["tmux", "-L", name]


def _screen(name: str) -> str:
    return subprocess.run(
        [*_tmux(name), "capture-pane", "-p", "-t", name],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _wait_for(name: str, text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(name)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def _ready(name: str, text: str, timeout: float = 30.0) -> str:
    """Wait for a dialog's text, then a moment for its field to take the focus: tmux types
    at once, faster than any cashier (keys sent in the same instant could reach the field
    that had the focus before)."""
    screen = _wait_for(name, text, timeout)
    time.sleep(0.5)
    return screen


def _keys(name: str, *keys: str) -> None:
    subprocess.run([*_tmux(name), "send-keys", "-t", name, *keys], check=True)


def test_cashier_sells_a_mixed_basket_in_the_real_app(
    session: tuple[str, dict[str, str], Path],
) -> None:
    name, env, db = session
    # The demo's cashier logs in, then records the opening float the till asks for.
    _ready(name, "Demo staff", timeout=120)  # the demo store takes 30 s on a busy 2-core box
    _keys(name, "3", "Enter", "9024", "Enter")
    _ready(name, "Opening float")
    _keys(name, "100", "Enter")
    _wait_for(name, "Opening float 100.00 recorded")
    # Loaf, 3 organic loaves, 0.512 kg bananas by PLU, 250 g of ham from a scale label.
    for code in ("5900000000015", "3*5900000000022", "0.512*4011", weight_label("00001", 250)):
        _keys(name, code, "Enter")
    screen = _wait_for(name, "Ham Sliced (deli)")
    assert "Bananas" in screen and "0.512 kg" in screen
    assert "TOTAL 12.85 EUR" in screen  # 1.49 + 5.97 + 0.66 + 4.73
    assert re.search(r"(F1|f1) Help (F2|f2) Find", screen)  # the key bar, at any size
    if env["TERM"] == "linux":  # ASCII borders and key names: what a VT font can draw
        assert not NOT_ON_A_VT & set(screen), sorted(NOT_ON_A_VT & set(screen))
    _keys(name, "9999999999999", "Enter")
    screen = _wait_for(name, "Bad check digit")
    assert "TOTAL 12.85 EUR" in screen
    _keys(name, "F10")
    _ready(name, "Payment")
    _keys(name, "20", "Enter")
    # The sale is stored off the UI thread: its number and "stored" come when it is
    # durable (on a loaded machine a moment after the payment screen shows the change).
    screen = _wait_for(name, " stored")
    assert re.search(r"T1-[0-9]{6} stored", screen) and "CHANGE 7.15" in screen
    _keys(name, "F11")
    if env["TERM"] == "linux":  # 80x24: the preview says it scrolls; End shows the end
        screen = _wait_for(name, "Up/Down scroll")
        assert "Ham Sliced (deli)" in screen and "Change" in screen
        _keys(name, "End")
    _wait_for(name, "Thank you!")
    _keys(name, "Escape")
    # Quitting needs a manager (the demo's cashier may not leave a kiosk till).
    _keys(name, "C-q")
    _ready(name, "Approval needed: Quit the till")
    _keys(name, "1", "Enter", "2468", "Enter")
    assert "tui-pos exited with 0" in _wait_for(name, "tui-pos exited with")

    result = subprocess.run(
        [str(TUI_POS), "--db", str(db), "report", "z", "--format", "json", "--by", "2"],
        input="1357\n",  # the demo supervisor signs the Z close
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    report = json.loads(result.stdout)
    assert report["z_number"] == 11  # the demo history closed ten days before today
    assert report["sales_count"] == 1
    assert report["gross_cents"] == 1285
    assert report["net_cents"] == 1285
    assert report["tax_by_code"]["B"]["tax_cents"] == 67  # 12.85 incl. 5.5 %
    assert report["tenders_cents"] == {"cash": 1285, "card": 0, "store_credit": 0, "points": 0}
    assert report["opening_float_cents"] == 10000
    assert report["cash_expected_cents"] == 10000 + 1285
    assert report["closed_by"] == "Sam Supervisor"  # who signed the command-line close
    receipts = (db.parent / "receipts" / "T1.txt").read_text(encoding="utf-8")
    assert "TOTAL EUR" in receipts and "12.85" in receipts
    assert "Cashier: Chris Cashier" in receipts
