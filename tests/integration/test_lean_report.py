"""The lean start of ``report x`` and ``report sales --by hour`` (issue 17).

Each case runs the real console script's entry (``tui_pos.entry.main``) and the full
command line (``tui_pos.cli.root.main``, click) as processes on the same database, and
compares what they print on stdout and stderr and their exit codes, byte for byte. The
entry also lists the modules it loaded, which tells which path answered: the lean one
loads neither click, Peewee nor the config package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.tills import TEST_PIN_COST, copy_database, log_in_manager
from tui_pos.bootstrap import open_till
from tui_pos.config import Config
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.lean_config import (
    BUSY_TIMEOUT_RANGE,
    DEFAULT_BUSY_TIMEOUT_MS,
    DEFAULT_STORE_NAME,
    DEFAULT_TAX_CODES,
    DEFAULT_TILL,
    TILL_PATTERN,
)
from tui_pos.lean_report import Request, parse_args

_ENTRY = """
import json, os, sys
from tui_pos.entry import main
sys.argv[0] = "tui-pos"
try:
    main()
finally:
    with open(os.environ["LOADED_FILE"], "w") as out:
        json.dump(sorted(sys.modules), out)
"""
_FULL = """
import sys
from tui_pos.cli.root import main
main(sys.argv[1:], prog_name="tui-pos")
"""
LEAN_NEVER = ("click", "peewee", "tui_pos.config", "tui_pos.cli.root", "tui_pos.services.staff")
LOAF, MILK = "5900000000015", "5900000000022"


@pytest.fixture
def sold(tmp_path: Path, demo_template: Path) -> Iterator[Path]:
    """A demo till without staff that sold two baskets today (the real clock)."""
    path = copy_database(demo_template, tmp_path / "till.db")
    till = open_till(Config(), path, printer=RecordingPrinter(), pin_cost=TEST_PIN_COST)
    for basket in ((LOAF, LOAF), (LOAF,)):
        for code in basket:
            till.register.enter(code)
        till.register.pay_cash("")
    till.close()
    yield path


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TUI_POS_CONFIG"}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), **extra)
    return env


def _run(code: str, args: list[str], env: dict[str, str], stdin: str = "") -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True, env=env
    )
    return done.returncode, done.stdout, done.stderr


def both(
    args: list[str], home: Path, stdin: str = "", **env: str
) -> tuple[tuple[int, str, str], list[str]]:
    """The entry's (exit code, stdout, stderr), checked equal to the full command line's,
    and the modules the entry loaded."""
    loaded_file = home / "loaded.json"
    entry = _run(_ENTRY, args, _env(home, LOADED_FILE=str(loaded_file), **env), stdin)
    full = _run(_FULL, args, _env(home, **env), stdin)
    assert entry == full
    return entry, json.loads(loaded_file.read_text())


def _lean(loaded: list[str]) -> bool:
    return not [m for m in loaded if m.split(".")[0] in LEAN_NEVER or m in LEAN_NEVER]


REPORTS = [
    ["report", "x", "--format", "json"],
    ["report", "x", "--format", "csv"],
    ["report", "x", "--date", "TODAY", "--format", "json"],
    ["report", "x", "--date", "TODAY", "--format", "csv", "--by", "7"],
    ["report", "sales", "--by", "hour", "--format", "json"],
    ["report", "sales", "--by", "hour", "--format", "csv"],
    ["report", "sales", "--by", "hour", "--date", "TODAY", "--format", "json", "--as", "7"],
    ["report", "sales", "--by", "hour", "--from", "2026-01-01", "--format", "csv"],
    ["report", "sales", "--format", "json", "--by", "hour", "--to", "TODAY"],
]


@pytest.mark.parametrize("args", REPORTS, ids=[" ".join(a) for a in REPORTS])
def test_the_lean_start_prints_what_the_full_command_prints(
    sold: Path, tmp_path: Path, args: list[str]
) -> None:
    from datetime import date

    today = date.today().isoformat()
    (code, out, err), loaded = both(
        ["--db", str(sold), *[today if a == "TODAY" else a for a in args]], tmp_path
    )
    assert (code, err) == (0, "")
    assert out.strip()
    assert _lean(loaded), [m for m in loaded if m.split(".")[0] in ("click", "peewee")]
    assert "rich" not in loaded


def test_a_report_of_a_real_year_is_the_same_both_ways(sold: Path, tmp_path: Path) -> None:
    (code, out, _), loaded = both(
        ["--db", str(sold), "report", "sales", "--by", "hour", "--format", "json"], tmp_path
    )
    data = json.loads(out)
    assert code == 0 and _lean(loaded)
    assert sum(row["sales"] for row in data["rows"]) == 2  # the two baskets sold today


BAD = [
    ["report", "x", "--date", "2026-13-01", "--format", "json"],
    ["report", "x", "--format", "xml"],
    ["report", "x", "--format"],
    ["report", "x", "--colour", "red", "--format", "json"],
    ["report", "sales", "--by", "hour", "--from", "2026-02-30", "--format", "json"],
    ["report", "sales", "--by", "hour", "--date", "2026-01-01", "--to", "2026-01-02",
     "--format", "json"],
    ["report", "sales", "--by", "fortnight", "--format", "json"],
    ["report", "sales", "--format", "json"],
]  # fmt: skip


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a) for a in BAD])
def test_a_bad_argument_gets_the_full_commands_message_and_exit_code(
    sold: Path, tmp_path: Path, args: list[str]
) -> None:
    (code, out, err), loaded = both(["--db", str(sold), *args], tmp_path)
    assert code in (1, 2) and out == "" and err.strip()
    assert not _lean(loaded)


def test_a_missing_database_is_the_full_commands_error(tmp_path: Path) -> None:
    (code, _, err), loaded = both(
        ["--db", str(tmp_path / "nope.db"), "report", "x", "--format", "json"], tmp_path
    )
    assert code == 1 and "no database at" in err
    assert not (tmp_path / "nope.db").exists()


def test_a_till_with_staff_signs_its_report_the_full_way(sold: Path, tmp_path: Path) -> None:
    till = open_till(Config(), sold, printer=RecordingPrinter(), pin_cost=TEST_PIN_COST)
    log_in_manager(till)  # adds employee 1 (PIN 2468)
    audited = till.db.execute_sql("SELECT COUNT(*) FROM audit_event").fetchone()[0]
    till.close()
    args = ["--db", str(sold), "report", "x", "--format", "json", "--by", "1"]
    (code, out, err), loaded = both(args, tmp_path, stdin="2468\n")
    assert code == 0 and json.loads(out)["kind"] == "X"
    assert not _lean(loaded)
    till = open_till(Config(), sold, printer=RecordingPrinter(), pin_cost=TEST_PIN_COST)
    rows = till.db.execute_sql(
        "SELECT action, detail FROM audit_event ORDER BY id DESC LIMIT 2"
    ).fetchall()
    count = till.db.execute_sql("SELECT COUNT(*) FROM audit_event").fetchone()[0]
    till.close()
    assert count > audited  # each run (entry, full) recorded who asked for the report
    assert any("X report" in str(detail) for _, detail in rows), rows
    (code, _, err), _ = both(args[:-2], tmp_path)  # nobody named: refused the same way
    assert code == 1 and "--by" in err


def test_the_config_keys_it_reads_are_used_as_the_full_command_uses_them(
    sold: Path, tmp_path: Path
) -> None:
    config = tmp_path / "till.toml"
    config.write_text(
        '[store]\ntill = "T1"\nname = "Corner shop"\n\n[database]\npath = "till.db"\n'
        'busy_timeout_ms = 2000\n\n[printer]\ndriver = "none"\n'
    )
    (code, out, _), loaded = both(
        ["--config", str(config), "report", "x", "--format", "json"], tmp_path
    )
    assert code == 0 and json.loads(out)["till"] == "T1" and _lean(loaded)
    (code, out, _), loaded = both(
        ["report", "sales", "--by", "hour", "--format", "csv"], tmp_path,
        TUI_POS_CONFIG=str(config),
    )  # fmt: skip
    assert code == 0 and out.startswith("hour") and _lean(loaded)
    other = tmp_path / "other.toml"
    other.write_text('[store]\ntill = "T2"\n[database]\npath = "till.db"\n')
    (code, out, _), loaded = both(["--config", str(other), "report", "x", "--format", "json"],
                                  tmp_path)  # fmt: skip
    assert code == 0 and json.loads(out)["till"] == "T2" and _lean(loaded)


BAD_CONFIGS = [
    '[store]\ntill = "no spaces"\n[database]\npath = "till.db"\n',
    '[store]\ntill = 7\n[database]\npath = "till.db"\n',
    '[database]\npath = "till.db"\nbusy_timeout_ms = 5\n',
    '[database]\npath = "till.db"\nbusy_timeout_ms = true\n',
    '[database]\npath = "till.db"\nurl = "postgresql://x"\n',
    '[database\npath = "till.db"\n',
    '[database]\npath = "~nobody-here/till.db"\n',
    'store = "T1"\n[database]\npath = "till.db"\n',
]


@pytest.mark.parametrize("text", BAD_CONFIGS)
def test_a_config_it_is_not_sure_of_gets_the_full_commands_answer(
    sold: Path, tmp_path: Path, text: str
) -> None:
    config = tmp_path / "till.toml"
    config.write_text(text)
    (code, _, err), loaded = both(
        ["--config", str(config), "report", "x", "--format", "json"], tmp_path
    )
    assert code == 1 and err.startswith("tui-pos: ")
    assert not _lean(loaded)


def test_a_config_named_that_does_not_exist_is_the_full_commands_error(
    sold: Path, tmp_path: Path
) -> None:
    (code, _, err), _ = both(
        ["--db", str(sold), "report", "x", "--format", "json"], tmp_path,
        TUI_POS_CONFIG=str(tmp_path / "missing.toml"),
    )  # fmt: skip
    assert code == 1 and "not found" in err


def test_a_database_of_another_schema_is_left_to_the_full_command(
    sold: Path, tmp_path: Path
) -> None:
    till = open_till(Config(), sold, printer=RecordingPrinter())
    till.db.execute_sql(
        "INSERT INTO \"schema_version\" VALUES (9999, 'from the future', '2030-01-01')"
    )
    till.close()
    (code, _, err), loaded = both(["--db", str(sold), "report", "x", "--format", "json"], tmp_path)
    assert code == 1 and "newer than this tui-pos" in err and not _lean(loaded)


def test_the_lean_rules_are_the_configs_own() -> None:
    config = Config()
    assert config.store.till == DEFAULT_TILL
    assert config.database.busy_timeout_ms == DEFAULT_BUSY_TIMEOUT_MS
    assert tuple(t.code for t in config.taxes) == DEFAULT_TAX_CODES
    assert config.store.name == DEFAULT_STORE_NAME and config.display.ascii is False
    from dataclasses import fields

    from tui_pos.config import DatabaseConfig, StoreConfig

    till_key = next(f for f in fields(StoreConfig) if f.name == "till").metadata["key"]
    busy_key = next(f for f in fields(DatabaseConfig) if f.name == "busy_timeout_ms")
    assert till_key.pattern == TILL_PATTERN.pattern
    assert (busy_key.metadata["key"].low, busy_key.metadata["key"].high) == BUSY_TIMEOUT_RANGE


def test_only_the_two_reports_in_plain_form_are_taken() -> None:
    assert parse_args(["report", "x", "--format", "json"]) == Request(None, None, "x", "json")
    assert parse_args(["--db", "a.db", "report", "sales", "--by", "hour", "--format", "csv"]) == (
        Request(None, "a.db", "hour", "csv")
    )
    for args in (
        ["report", "x"],  # a table: Rich, the full command
        ["report", "x", "--format=json"],
        ["report", "x", "--format", "json", "--format", "csv"],
        ["report", "x", "--store", "S1", "--format", "json"],
        ["report", "z", "--format", "json"],
        ["report", "sales", "--by", "item", "--format", "json"],
        ["report", "sales", "--by", "hour", "--top", "3", "--format", "json"],
        ["--db", "--help", "report", "x", "--format", "json"],
        ["--help"],
        [],
    ):
        assert parse_args(args) is None, args
