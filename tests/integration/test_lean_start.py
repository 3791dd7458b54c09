"""Start-up cost (issue 17): a command imports what it needs, not the whole till.

Each case runs the real entry point in a fresh interpreter and lists the modules it
loaded: the command line loads a command's module only when it is chosen, the read-only
reports open the database with their own services only (no register, devices, Rich for
JSON, store server or Textual), and Peewee does not probe the server's PostgreSQL driver.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui_pos.bootstrap import open_till
from tui_pos.config import Config
from tui_pos.drivers.file_printer import NullPrinter

_RUN = """
import json, sys
from tui_pos.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

#: Modules no read-only report needs: the whole till's factory, the register, devices,
#: the UI, the store server and its driver, mail, tables (JSON output), the cart and the
#: customer rules (the ports, sale documents and config name them in annotations only).
NOT_FOR_REPORTS = (
    "tui_pos.bootstrap",
    "tui_pos.domain.cart",
    "tui_pos.domain.customer",
    "tui_pos.services.register",
    "tui_pos.devices",
    "tui_pos.cli.db",
    "tui_pos.cli.staff",
    "tui_pos.server",
    "tui_pos.sync",
    "textual",
    "rich",
    "psycopg",
    "smtplib",
)


def _loaded(args: list[str], home: Path) -> tuple[str, list[str]]:
    env = {"XDG_CONFIG_HOME": str(home / "config"), "PATH": "/usr/bin:/bin", "HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


def _any(loaded: list[str], packages: tuple[str, ...]) -> list[str]:
    return [m for m in loaded if m in packages or m.startswith(tuple(f"{p}." for p in packages))]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "till.db"
    open_till(Config(), path, printer=NullPrinter()).close()
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["report", "x", "--format", "json"],
        ["report", "sales", "--by", "hour", "--format", "json"],
        ["report", "z", "--date", "2026-01-05", "--format", "csv"],
    ],
    ids=["x", "sales-by-hour", "z-of-a-day"],
)
def test_a_read_only_report_loads_only_its_own_services(
    db: Path, tmp_path: Path, args: list[str]
) -> None:
    try:
        out, loaded = _loaded(["--db", str(db), *args], tmp_path)
    except subprocess.CalledProcessError as exc:  # z of a day with no close: exit 1
        assert "No Z close" in exc.stderr, exc.stderr
        loaded = json.loads(exc.stderr.strip().splitlines()[-1])
    else:
        assert out.strip()  # the report was printed
    assert "tui_pos.report_till" in loaded
    assert _any(loaded, NOT_FOR_REPORTS) == []


def test_a_table_report_loads_rich(db: Path, tmp_path: Path) -> None:
    out, loaded = _loaded(["--db", str(db), "report", "x"], tmp_path)
    assert "X report" in out
    assert "rich.table" in loaded


def test_the_entry_point_loads_no_command_before_one_is_chosen(tmp_path: Path) -> None:
    out, loaded = _loaded(["--help"], tmp_path)
    assert "report" in out and "sync" in out  # --help lists every command (loads them)
    _, loaded = _loaded(["--version"], tmp_path)
    assert _any(loaded, ("tui_pos.bootstrap", "tui_pos.cli.reports", "peewee", "rich")) == []


_FIRST_FRAME = """
import json, sys
import tui_pos.cli.root as root
import tui_pos.cli.start as start
from textual.app import App
root.on_terminal = lambda *a: True  # stdout is a pipe here
start.require_terminal = lambda *a: None
App.run = lambda self, *a, **k: print(json.dumps(sorted(sys.modules)))
root.main(sys.argv[1:], standalone_mode=False)
"""

#: What the register's first frame (its log-in screen) does without: the till is opened,
#: and the register loaded, in a thread behind it.
NOT_FOR_THE_FIRST_FRAME = (
    "tui_pos.bootstrap",
    "tui_pos.till_db",
    "tui_pos.models",
    "tui_pos.services.register",
    "tui_pos.devices",
    "tui_pos.flows",
    "tui_pos.screens.register",
    "tui_pos.screens.tender",
    "tui_pos.domain.sale",  # the messages the entry line posts name it for typing only
    "peewee",
    "sqlite3",
    "tui_pos.sync",
    "psycopg",
)


def test_the_register_paints_its_log_in_before_it_loads_the_till(db: Path, tmp_path: Path) -> None:
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_FRAME, "--db", str(db), "run"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    loaded = json.loads(done.stdout.strip().splitlines()[0])
    assert "tui_pos.app" in loaded and "tui_pos.screens.authorize" in loaded
    assert _any(loaded, NOT_FOR_THE_FIRST_FRAME) == []


_CONSOLE_SCRIPT = """
import json, sys
import tui_pos.cli.start as start
from textual.app import App
start.on_terminal = lambda *a: True  # stdout is a pipe here
start.require_terminal = lambda *a: None
App.run = lambda self, *a, **k: print(json.dumps(sorted(sys.modules)))
sys.argv = ["tui-pos", *sys.argv[1:]]
from tui_pos.entry import main
main()
"""


@pytest.mark.parametrize(
    ("args", "lean"),
    [
        ([], True),
        (["run"], True),
        (["--db", "{db}"], True),
        (["--db", "{db}", "run"], True),
        (["--db", "{new}", "run"], False),  # a new database: its recovery code first
        (["--db", "{db}", "demo"], False),
        (["--db", "{db}", "--db", "{db}"], False),
    ],
    ids=["bare", "run", "db", "db-run", "new-db", "demo", "db-twice"],
)
def test_a_plain_start_of_an_existing_till_does_not_load_click(
    db: Path, tmp_path: Path, args: list[str], lean: bool
) -> None:
    config = tmp_path / "config" / "tui-pos"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(f'[database]\npath = "{db}"\n')
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    argv = [a.format(db=db, new=tmp_path / "new.db") for a in args]
    done = subprocess.run(
        [sys.executable, "-c", _CONSOLE_SCRIPT, *argv],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if args[-1:] == ["demo"] or args.count("--db") > 1:  # the full command line took it
        assert '"click"' in done.stdout or "needs a terminal" in done.stderr, done
        return
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "tui_pos.app" in loaded
    assert ("click" not in loaded) is lean
    if lean:
        assert _any(loaded, (*NOT_FOR_THE_FIRST_FRAME, "tui_pos.config")) == []


@pytest.mark.parametrize(
    ("text", "later"),
    [
        ('[store]\nname = "Corner Shop"\n[display]\nascii = true\n', True),
        ('[store]\ncurrency = "euro"\n', True),  # bad, but not a first-frame key
        ('[keymap]\ntender-cash = "f5"\n', False),  # checked before the App starts
        ("[store]\nname = 7\n", False),  # not certainly valid: the full way says why
        ('[database]\npath = "~/till.db"\n', False),  # expanded the full way
    ],
    ids=["first-frame-keys", "bad-elsewhere", "keymap", "bad-name", "home-path"],
)
def test_the_config_is_read_behind_the_first_frame_when_the_lean_keys_are_certain(
    db: Path, tmp_path: Path, text: str, later: bool
) -> None:
    """The first frame reads the store name and the console mode with tomllib; the config
    package reads the whole file in the opening thread (tests/ui/test_till_opening.py)."""
    config = tmp_path / "till.toml"
    config.write_text(text)
    code = _CONSOLE_SCRIPT.replace(
        "App.run = lambda self, *a, **k: print(json.dumps(sorted(sys.modules)))",
        "App.run = lambda self, *a, **k: print(json.dumps([sorted(sys.modules),"
        " [self.first.store_name, self.first.ascii]]))",
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path / "x"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code, "--config", str(config), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if not later and "tui_pos.config" not in done.stdout:  # refused before the App
        assert done.returncode == 1 and "tui-pos:" in done.stderr, done
        return
    loaded, first = json.loads(done.stdout.strip().splitlines()[-1])
    assert ("tui_pos.config" not in loaded) is later
    if text.startswith("[store]\nname"):
        assert first == ["Corner Shop", True]
