"""Issue 11, items 1 (crash) and 11: an unexpected error exits non-zero with a log and no
traceback on the till; every file the till writes is 0600 whatever the umask; deeply
nested JSON and duplicated CSV columns are clear errors (exit 1).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.cli import main
from tui_pos.crash_log import CRASH_EXIT
from tui_pos.domain.receipt import printer_test_receipt
from tui_pos.domain.segments import SegmentRule
from tui_pos.domain.staff import Action
from tui_pos.drivers.escpos.file_transport import FileTransport
from tui_pos.drivers.file_printer import FilePrinter
from tui_pos.services.customer_export import export_segment_file

ROOT = Path(__file__).resolve().parents[2]

#: The register, with the log-in screen made to fail as it opens.
CRASHING_CHILD = """
import sys
from tui_pos.screens.authorize import LoginScreen

def planted(self):
    raise RuntimeError("planted crash for the test")

LoginScreen.on_mount = planted
from tui_pos.cli import main
main(["--db", sys.argv[1], "run"])
"""


def _run_in_pty(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``args`` on a pseudo-terminal of 80x24 (as on a till); its status and output."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    output = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        status = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return status, output.decode("utf-8", "replace")


def test_an_unexpected_error_exits_non_zero_with_a_log(tmp_path: Path) -> None:
    db = tmp_path / "till" / "till.db"
    env = {**os.environ, "HOME": str(tmp_path), "TERM": "xterm-256color"}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "no-config")
    env.pop("TUI_POS_CONFIG", None)  # naming a missing file is an error
    status, output = _run_in_pty([sys.executable, "-c", CRASHING_CHILD, str(db)], env)
    log = db.parent / "logs" / "crash.log"
    assert status == CRASH_EXIT, output
    assert "Traceback" not in output and "planted crash" not in output
    assert "tui-pos stopped on an unexpected error" in output and str(log) in output
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: planted crash for the test" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


# -- file modes -----------------------------------------------------------------------------


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _modes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*")}


def test_the_cli_writes_owner_only_files_under_umask_000(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = home / "till" / "till.db"
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(tmp_path / "no-config")}
    env.pop("TUI_POS_CONFIG", None)  # naming a missing file is an error
    tui_pos = [sys.executable, "-m", "tui_pos", "--db", str(db)]
    commands = [
        ["db", "init"],
        ["db", "backup", str(db.parent / "backups")],
        ["devices", "test-print"],  # the default printer: a receipts file by the database
        ["staff", "add", "--number", "1", "--name", "Mia", "--role", "manager"],  # pin.key
    ]
    for command in commands:
        done = subprocess.run(
            [*tui_pos, *command],
            input="2468\n",  # the PIN, for staff add
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            preexec_fn=lambda: os.umask(0),
            timeout=120,
        )
        assert done.returncode == 0, (command, done.stderr)
    modes = _modes(db.parent)
    files = {name: mode for name, mode in modes.items() if (db.parent / name).is_file()}
    assert any(name.startswith("receipts") for name in files), files
    assert any(name.startswith("backups/") for name in files), files
    assert "till.db" in files and "pin.key" in files, files
    assert {name: mode for name, mode in files.items() if mode != 0o600} == {}
    folders = {name: mode for name, mode in modes.items() if name not in files}
    assert {name: mode for name, mode in folders.items() if mode & 0o077} == {}


def test_library_writers_are_owner_only_under_umask_000(demo_till: Till, tmp_path: Path) -> None:
    receipt = printer_test_receipt("Shop", 42)
    with umask(0):
        FilePrinter(tmp_path / "printer" / "receipts.txt").print_receipt(receipt)
        FileTransport(tmp_path / "escpos.bin").write(b"\x1b@hello")
        demo_till.customers.save_segment(
            "all", SegmentRule(), approval=approved(demo_till, Action.CUSTOMER_ADMIN)
        )
        export = export_segment_file(
            demo_till.customers,
            "all",
            tmp_path / "exports",
            datetime(2026, 11, 25),
            approved(demo_till, Action.CUSTOMER_ADMIN),
        )
    for path in (tmp_path / "printer" / "receipts.txt", tmp_path / "escpos.bin", export):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    old = tmp_path / "old-receipts.txt"  # left world-readable by an older version
    old.write_text("")
    old.chmod(0o644)
    FilePrinter(old).print_receipt(receipt)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


# -- inputs -----------------------------------------------------------------------------------


def _cli(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_deeply_nested_json_is_a_clear_error(cli_db: Path, tmp_path: Path) -> None:
    for text in ("[" * 100_000, '{"orders": ' + "[" * 100_000, "{" + '"a":{' * 50_000):
        file = tmp_path / "orders.json"
        file.write_text(text, encoding="utf-8")
        status, output = _cli(cli_db, "import", "orders", str(file))
        assert status == 1, output
        assert "nothing imported" in output and (
            "nests too deeply" in output or "not JSON" in output
        )
    assert _count(cli_db, "online_order") == 0


def test_a_duplicated_csv_column_is_refused_by_name(cli_db: Path, tmp_path: Path) -> None:
    products = tmp_path / "products.csv"
    products.write_text(
        "barcode,name,price,tax,category,stock,price\n5900000000015,Loaf,1.00,A,Bread,1,9.99\n"
    )
    status, output = _cli(cli_db, "import", "products", str(products))
    assert status == 1 and "line 1" in output and "given twice: price" in output, output
    customers = tmp_path / "customers.csv"
    customers.write_text("name,phone,Name\nAda,0123456789,Bo\n")
    status, output = _cli(cli_db, "import", "customers", str(customers))
    assert status == 1 and "given twice: name" in output, output
    assert _count(cli_db, "customer") == 0


def test_import_refuses_a_card_with_a_wrong_check_digit(cli_db: Path, tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("name,card\nAda,2400000000014\n")
    status, output = _cli(cli_db, "import", "customers", str(customers))
    assert status == 1 and "line 2" in output and "check digit" in output, output
    assert _count(cli_db, "customer") == 0
