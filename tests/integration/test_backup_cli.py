"""Backups from the command line and after a Z close; the restore drill end to end."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from tests.support.tills import MANAGER_CODE, MANAGER_PIN
from tui_pos.bootstrap import Till
from tui_pos.cli import main

LOAF = "5900000000015"


def _cli(*args: str, stdin: str = "") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


#: The fixture manager signs: the till has staff.
SIGNED = ("--by", MANAGER_CODE)
PIN = MANAGER_PIN + "\n"


def test_z_close_takes_a_rotated_backup_and_the_restore_drill_verifies(
    demo_till: Till, tmp_path: Path
) -> None:
    db = str(demo_till.db_path)
    demo_till.register.enter(LOAF)
    demo_till.register.pay_cash("")
    demo_till.close()
    code, _out, err = _cli("--db", db, "report", "z", "--format", "json", *SIGNED, stdin=PIN)
    assert code == 0, err
    backups = sorted((Path(db).parent / "backups").glob("till-*.db"))
    assert len(backups) == 1 and "backup written" in err
    assert oct(backups[0].stat().st_mode & 0o777) == "0o600"

    restored = tmp_path / "restored" / "till.db"
    restored.parent.mkdir()
    code, out, err = _cli("db", "restore", str(backups[0]), str(restored))
    assert code == 0, err
    assert "put the till's chain.key and pin.key beside" in err  # keys are not in backups
    for key in ("chain.key", "pin.key"):
        shutil.copyfile(Path(db).parent / key, restored.parent / key)
    code, out, err = _cli("--db", str(restored), "db", "verify")
    assert code == 0 and "journal ok" in out, err
    today = date.today().isoformat()  # the CLI closes with the real clock
    code, out, err = _cli("--db", str(restored), "report", "z", "--date", today, *SIGNED, stdin=PIN)
    assert code == 0 and "Z #1" in out

    code, _out, err = _cli("db", "restore", str(backups[0]), str(restored))
    assert code == 1 and "--replace" in err and "Traceback" not in err


def test_db_backup_with_keep(demo_till: Till, tmp_path: Path) -> None:
    db = str(demo_till.db_path)
    dest = tmp_path / "copies"
    for _ in range(3):
        code, out, err = _cli(
            "--db", db, "db", "backup", str(dest), "--keep", "2", *SIGNED, stdin=PIN
        )
        assert code == 0, err
    assert len(list(dest.glob("till-*.db"))) == 2
    code, _out, err = _cli("--db", str(tmp_path / "nope.db"), "db", "backup", str(dest))
    assert code == 1 and "no database there" in err
