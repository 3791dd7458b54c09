"""The till on its own console, from the command line: config init/paths, TUI_POS_CONFIG,
read-only commands, and ``run`` without a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.integration import test_cli
from tui_pos.cli import main
from tui_pos.cli.config_group import example_config
from tui_pos.config import load_config, parse_config

REPO = Path(__file__).resolve().parents[2]
home = test_cli.home  # the fake home: no real config or data directory is touched


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_the_example_config_ships_in_the_package_and_is_the_repositorys() -> None:
    text = example_config()
    assert text == (REPO / "config.example.toml").read_text(encoding="utf-8")
    assert parse_config(text).display.ascii is False  # every key valid, defaults


def test_config_init_writes_the_commented_example(home: Path) -> None:
    result = cli("config", "init")
    assert result.exit_code == 0, result.output
    written = home / ".config" / "tui-pos" / "config.toml"
    assert written.read_text(encoding="utf-8") == example_config()
    assert "# " in written.read_text(encoding="utf-8")  # commented
    assert load_config(written).store.till == "T1"
    # A second init does not overwrite what was edited; --force does.
    written.write_text('[store]\nname = "Mine"\n', encoding="utf-8")
    again = cli("config", "init")
    assert again.exit_code == 1 and "exists" in again.stderr
    assert load_config(written).store.name == "Mine"
    assert cli("config", "init", "--force").exit_code == 0
    assert written.read_text(encoding="utf-8") == example_config()


def test_config_paths_says_where_everything_goes(home: Path, tmp_path: Path) -> None:
    config = tmp_path / "till.toml"
    config.write_text('[database]\npath = "data/till.db"\n', encoding="utf-8")
    result = cli("--config", str(config), "config", "paths")
    assert result.exit_code == 0, result.output
    lines = dict(line.split(":", 1) for line in result.output.splitlines())
    assert lines["config"].strip() == str(config)
    assert lines["database"].strip() == f"{tmp_path / 'data' / 'till.db'} (not created yet)"
    assert lines["pin key"].strip() == str(tmp_path / "data" / "pin.key")
    assert lines["backups"].strip() == str(tmp_path / "data" / "backups")
    assert lines["receipts"].strip() == str(tmp_path / "data" / "receipts" / "T1.txt")
    assert not (tmp_path / "data").exists()  # showing paths creates nothing


@pytest.mark.parametrize("how", ["env", "option"])
def test_a_named_config_file_that_is_missing_is_an_error(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    missing = tmp_path / "typo.toml"
    if how == "env":
        monkeypatch.setenv("TUI_POS_CONFIG", str(missing))
        result = cli("report", "x")
    else:
        result = cli("--config", str(missing), "report", "x")
    assert result.exit_code == 1
    assert str(missing) in result.stderr and "not found" in result.stderr
    assert "Traceback" not in result.output
    assert not list(home.rglob("*.db"))  # and nothing was created meanwhile


@pytest.mark.parametrize(
    "command",
    [
        ["report", "x"],
        ["report", "z", "--date", "2026-11-25"],
        ["report", "sales", "--by", "item"],
        ["report", "hours"],
        ["export", "stock"],
        ["staff", "list"],
        ["promo", "list"],
        ["db", "check"],
        ["db", "verify"],
    ],
    ids=" ".join,
)
def test_read_only_commands_never_create_a_database(
    home: Path, tmp_path: Path, command: list[str]
) -> None:
    db = tmp_path / "no-till-here" / "till.db"
    result = cli("--db", str(db), *command)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not db.exists() and not (db.parent / "pin.key").exists()


def test_run_refuses_to_start_without_a_terminal(home: Path, tmp_path: Path) -> None:
    # CliRunner's stdin and stdout are not terminals (as under a service with no tty).
    result = cli("--db", str(tmp_path / "till.db"), "run")
    assert result.exit_code == 1
    assert "needs a terminal" in result.stderr and "Traceback" not in result.output
    result = cli("demo", "--db", str(tmp_path / "demo.db"))
    assert result.exit_code == 1 and "needs a terminal" in result.stderr
    assert not (tmp_path / "demo.db").exists()  # refused before making the demo store


def test_device_details_go_to_the_log_file_not_the_screen(tmp_path: Path) -> None:
    import logging
    import stat

    from tui_pos.run_log import start_log
    from tui_pos.widgets.device_line import DeviceLine

    path = start_log(tmp_path / "till.db")
    logger = logging.getLogger("tui_pos")
    try:
        assert path == tmp_path / "tui-pos.log"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        line = DeviceLine("printer ready")
        assert line.fault("Printer", "receipt not printed", "[Errno 111] Connection refused")
        assert not line.fault("Printer", "receipt not printed", "[Errno 111] again")  # one
        shown = line.render().plain
        assert shown == "Printer: receipt not printed" and "Errno" not in shown
        assert line.clear("Printer") and line.render().plain == "printer ready"
        for handler in logger.handlers:
            handler.flush()
        logged = path.read_text(encoding="utf-8")
        assert "Printer: [Errno 111] Connection refused" in logged
        assert "Printer: working again" in logged
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        logger.propagate = True
