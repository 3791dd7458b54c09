"""One catch of user errors for the whole command line: the root group.

Whichever command raises a PosError (a refusal, bad input, a storage fault) or an
OSError (a file that is not there), the root group prints its message once on stderr
and exits 1, with no traceback; click's usage errors still exit 2. No command module
catches them itself (tui_pos/cli/root.py ``RootGroup``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tui_pos.cli import main


def cli(db: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], input=stdin)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "till.db"
    made = cli(path, "staff", "add", "--number", "1", "--name", "Ann", "--role", "manager",
               stdin="2468\n")  # fmt: skip
    assert made.exit_code == 0, made.output
    return path


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        # a DomainError (StaffError) from the service
        (("staff", "set-pin", "42", "--by", "1"), "2468\n1357\n", "no employee number 42"),
        # a refusal at signing
        (("staff", "unlock", "1", "--by", "1"), "1111\n", "Wrong PIN"),
        # a DomainError from the customer service
        (("customer", "export", "nobody", "--by", "1"), "2468\n", "No customer with card or id"),
        # an OSError: the file is not there
        (("import", "products", "/nonexistent/products.csv", "--by", "1"), "2468\n", "No such"),
    ],
)
def test_a_user_error_is_one_line_on_stderr_and_exit_1(
    db: Path, args: tuple[str, ...], stdin: str, message: str
) -> None:
    assert_user_error(cli(db, *args, stdin=stdin), message)


def test_a_config_error_from_a_report_is_one_too(db: Path) -> None:
    # a ConfigError: a read-only command on a database that is not there
    assert_user_error(cli(db.with_name("typo.db"), "report", "x", "--by", "1"), "no database at")


def assert_user_error(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tui-pos: ") and message in lines[0]
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # handled: not an escaped error


def test_a_usage_error_still_exits_2(db: Path) -> None:
    result = cli(db, "staff", "add", "--number", "2")
    assert result.exit_code == 2 and "Missing option" in result.stderr


def _closed_port_url() -> str:
    """A store server address where nothing listens (the port was free a moment ago)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("args", [("sync", "status"), ("sync", "now")])
def test_sync_commands_on_a_till_never_enrolled(db: Path, args: tuple[str, ...]) -> None:
    assert_user_error(cli(db, *args), "this till is not enrolled with a store server")


def test_sync_enroll_and_now_without_a_server(db: Path) -> None:
    """The sync group has no catch of its own either: an unreachable server is its
    message on stderr and exit 1; ``sync now`` records the till as offline."""
    import json

    from tui_pos.models.database import open_database
    from tui_pos.sync import state

    url = _closed_port_url()
    assert_user_error(cli(db, "sync", "enroll", url, "CODE"), "enrollment refused: server")
    database = open_database(db)
    state.enrolled(database, url, "S01", "T1", "token", (0, ""))
    database.close()
    assert_user_error(cli(db, "sync", "now"), f"sync: server {url} not reachable")
    status = cli(db, "sync", "status", "--format", "json")
    assert status.exit_code == 0 and json.loads(status.stdout)["offline_since"] is not None
