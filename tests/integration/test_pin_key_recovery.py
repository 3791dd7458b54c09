"""A lost PIN key is refused, not silently replaced, and the recovery code brings the till
back (issue 11 item 6), through the real command line."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tui_pos.cli import main

CODE = re.compile(r"recovery code is ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})")


def _cli(db: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], input=stdin)


def _code(result: Result) -> str:
    found = CODE.findall(result.stderr)
    assert len(found) == 1, result.output
    return str(found[0])


def _failures(db: Path, number: str) -> int:
    with sqlite3.connect(db) as con:
        row = con.execute("SELECT failed_attempts FROM employee WHERE code = ?", (number,))
        return int(row.fetchone()[0])


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, str]:
    """A database made by ``db init`` with a manager (1, PIN 2468) and a cashier (2, 1357);
    its recovery code."""
    db = tmp_path / "till.db"
    made = _cli(db, "db", "init")
    assert made.exit_code == 0, made.output
    code = _code(made)
    assert _cli(db, "staff", "add", "--number", "1", "--name", "Ann", "--role", "manager",
                stdin="2468\n").exit_code == 0  # fmt: skip
    added = _cli(db, "staff", "add", "--number", "2", "--name", "Bo", "--role", "cashier",
                 "--by", "1", stdin="2468\n1357\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    return db, code


def test_the_recovery_code_is_shown_once_and_kept_only_as_a_hash(
    shop: tuple[Path, str],
) -> None:
    db, code = shop
    again = _cli(db, "db", "init")
    assert again.exit_code == 0 and "recovery code" not in again.output
    raw = b"".join(p.read_bytes() for p in db.parent.glob("till.db*"))
    assert code.encode() not in raw and code.replace("-", "").encode() not in raw
    key = db.parent / "pin.key"
    assert key.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "args",
    [
        ("run",),
        ("staff", "unlock", "2", "--by", "1"),
        ("staff", "set-pin", "2", "--by", "1"),
        ("report", "x", "--by", "1"),
        ("export", "stock", "--by", "1"),
    ],
)
def test_a_missing_key_is_refused_and_not_replaced(
    shop: tuple[Path, str], args: tuple[str, ...]
) -> None:
    db, _code_ = shop
    key = db.parent / "pin.key"
    key.unlink()
    result = _cli(db, *args, stdin="2468\n8642\n8642\n")
    assert result.exit_code == 1, result.output
    assert f"The PIN key {key} is missing" in result.stderr
    assert "tui-pos staff reset-key --recovery-code CODE" in result.stderr
    assert "Traceback" not in result.output
    assert not key.exists()  # no new key behind everyone's back
    assert _failures(db, "1") == 0  # the right PIN did not count as a wrong one


def test_a_damaged_key_points_to_the_recovery(shop: tuple[Path, str]) -> None:
    db, _code_ = shop
    (db.parent / "pin.key").write_text("not hex\n")
    result = _cli(db, "staff", "unlock", "2", "--by", "1", stdin="2468\n")
    assert result.exit_code == 1 and "is damaged" in result.stderr
    assert "staff reset-key" in result.stderr


def test_reset_key_with_the_recovery_code_brings_the_till_back(shop: tuple[Path, str]) -> None:
    db, code = shop
    key = db.parent / "pin.key"
    old_key = key.read_bytes()
    key.unlink()

    wrong = _cli(db, "staff", "reset-key", "--recovery-code", "AAAA-BBBB-CCCC-DDDD-EEEE",
                 "--manager", "1", stdin="9731\n9731\n")  # fmt: skip
    assert wrong.exit_code == 1 and "Wrong recovery code" in wrong.stderr
    assert not key.exists()
    cashier = _cli(db, "staff", "reset-key", "--recovery-code", code, "--manager", "2",
                   stdin="9731\n9731\n")  # fmt: skip
    assert cashier.exit_code == 1 and "2 is not an active manager" in cashier.stderr
    assert not key.exists()

    typed = code.lower().replace("-", " ")  # case, spaces and dashes do not matter
    reset = _cli(db, "staff", "reset-key", "--recovery-code", typed, "--manager", "1",
                 stdin="9731\n9731\n")  # fmt: skip
    assert reset.exit_code == 0, reset.output
    new_code = _code(reset)
    assert new_code != code
    assert key.exists() and key.read_bytes() != old_key
    assert key.stat().st_mode & 0o777 == 0o600

    old_pin = _cli(db, "staff", "unlock", "2", "--by", "1", stdin="2468\n")
    assert old_pin.exit_code == 1 and "Wrong PIN" in old_pin.stderr
    cleared = _cli(db, "staff", "unlock", "1", "--by", "2", stdin="1357\n")
    assert cleared.exit_code == 1
    assert "Bo has no PIN since the PIN key was replaced" in cleared.stderr
    assert _failures(db, "2") == 0  # not a guess: nothing counted
    assert _cli(db, "staff", "set-pin", "2", "--by", "1", stdin="9731\n8642\n8642\n").exit_code == 0
    assert _cli(db, "staff", "unlock", "1", "--by", "2", stdin="8642\n").exit_code == 1  # cashier
    audit = _cli(db, "report", "audit", "--format", "csv", "--by", "1", stdin="9731\n")
    assert audit.exit_code == 0, audit.output
    assert "pin_key_reset,done,Ann" in audit.stdout

    reused = _cli(db, "staff", "reset-key", "--recovery-code", code, stdin="")
    assert reused.exit_code == 1 and "Wrong recovery code" in reused.stderr


def test_a_new_recovery_code_replaces_the_old_one(shop: tuple[Path, str]) -> None:
    db, code = shop
    unsigned = _cli(db, "staff", "recovery-code")
    assert unsigned.exit_code == 1 and "--by NUMBER" in unsigned.stderr
    refused = _cli(db, "staff", "recovery-code", "--by", "2", stdin="1357\n")
    assert refused.exit_code == 1 and "may not do this: Staff admin" in refused.stderr
    made = _cli(db, "staff", "recovery-code", "--by", "1", stdin="2468\n")
    assert made.exit_code == 0, made.output
    fresh = _code(made)
    (db.parent / "pin.key").unlink()
    old = _cli(db, "staff", "reset-key", "--recovery-code", code, "--manager", "1",
               stdin="9731\n9731\n")  # fmt: skip
    assert old.exit_code == 1 and "Wrong recovery code" in old.stderr
    new = _cli(db, "staff", "reset-key", "--recovery-code", fresh, "--manager", "1",
               stdin="9731\n9731\n")  # fmt: skip
    assert new.exit_code == 0, new.output


def test_a_key_is_made_only_while_no_pin_depends_on_it(tmp_path: Path) -> None:
    db = tmp_path / "till.db"
    first = _cli(db, "db", "init")
    key = tmp_path / "pin.key"
    (tmp_path / "pin.key").unlink()  # lost before any employee: nothing was keyed with it
    again = _cli(db, "db", "init")
    assert again.exit_code == 0 and key.exists()
    assert "recovery code" not in again.stderr  # the first code still stands
    assert _code(first)
