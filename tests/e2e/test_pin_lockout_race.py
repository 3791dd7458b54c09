"""The lock-out holds against parallel guessing: 30 real CLI processes at once, 29 with a
wrong PIN and one with the right one (issue 11 item 7)."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.approvals import approved
from tests.support.tills import TEST_PIN_COST
from tui_pos.bootstrap import open_till
from tui_pos.config import Config
from tui_pos.domain.staff import Action, Role

PROCESSES = 30
MAX_ATTEMPTS = 5  #: the default ``staff.max_pin_attempts``
RIGHT, WRONG = "2468", "1357"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _replay(events: list[tuple[str, str]]) -> int:
    """Walk the log-in outcomes in the order they were recorded and check that each one is
    what the lock-out rule says after the ones before it; the number of accepted PINs."""
    failures, locked, accepted = 0, False, 0
    for outcome, detail in events:
        if locked:
            assert (outcome, detail) == ("locked", ""), "a PIN was checked while locked"
        elif outcome == "done":
            failures, accepted = 0, accepted + 1
        elif outcome == "failed":
            failures += 1
            assert failures < MAX_ATTEMPTS, f"{failures} wrong PINs in a row and no lock-out"
        else:
            assert (outcome, detail) == ("locked", f"{MAX_ATTEMPTS} wrong PINs")
            assert failures + 1 == MAX_ATTEMPTS
            locked = True
    assert locked, "29 wrong PINs and the account is not locked"
    return accepted


def _wait_until_reading_stdin(children: list[subprocess.Popen[str]]) -> None:
    """Until every child waits for its PIN on the pipe (the kernel says so) or has ended;
    a bounded wait, then the PINs go anyway."""
    deadline = time.monotonic() + 120
    waiting: list[subprocess.Popen[str]] = list(children)
    while waiting and time.monotonic() < deadline:
        waiting = [c for c in waiting if c.poll() is None and not _reads_stdin(c.pid)]
        time.sleep(0.05)


def _reads_stdin(pid: int) -> bool:
    """The process sleeps in a pipe read (wait channel), or in read(0, ...) (x86-64's
    syscall 0 on fd 0, for kernels that hide wait channels)."""
    try:
        wchan = Path(f"/proc/{pid}/wchan").read_text()
        syscall = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return True  # nothing to look at: do not wait
    return "pipe" in wchan or syscall[:2] == ["0", "0x0"]


def test_thirty_parallel_guesses_are_counted_one_after_another(tmp_path: Path) -> None:
    db = tmp_path / "till.db"
    till = open_till(Config(), db)  # the production scrypt cost: about 40 ms a check
    till.staff.add_employee(
        "1", "Ann Boss", Role.MANAGER, RIGHT, approval=approved(till, Action.STAFF_ADMIN)
    )
    till.staff.add_employee(
        "2", "Bo", Role.CASHIER, "9753", approval=approved(till, Action.STAFF_ADMIN)
    )
    till.close()
    config = tmp_path / "till.toml"
    config.write_text("")
    argv = [sys.executable, "-m", "tui_pos", "--config", str(config), "--db", str(db)]
    pins = [WRONG] * (PROCESSES - 1)
    pins.insert(PROCESSES // 2, RIGHT)
    children = [
        subprocess.Popen(
            [*argv, "staff", "unlock", "2", "--by", "1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in pins
    ]
    _wait_until_reading_stdin(children)
    for child, pin in zip(children, pins, strict=True):  # all at once: the checks overlap
        assert child.stdin is not None
        child.stdin.write(pin + "\n")
        child.stdin.flush()
    results = [child.communicate(timeout=240) for child in children]
    codes = [child.returncode for child in children]
    for (_out, err), code in zip(results, codes, strict=True):
        assert code in (0, 1), err
        assert "Traceback" not in err and "busy" not in err, err  # every attempt was counted

    till = open_till(Config(), db, pin_cost=TEST_PIN_COST)
    try:
        log = till.staff.audit_log(EPOCH, EPOCH + timedelta(days=100 * 365), limit=1000)
        manager = till.staff.store.by_code("1")
    finally:
        till.close()
    logins = sorted((e.seq or 0, e.outcome, e.detail) for e in log if e.action == "login")
    assert len(logins) == PROCESSES
    accepted = _replay([(outcome, detail) for _seq, outcome, detail in logins])
    right_code = codes[pins.index(RIGHT)]
    assert accepted == (1 if right_code == 0 else 0)
    assert codes.count(0) == accepted
    assert manager is not None and manager.locked_until is not None
