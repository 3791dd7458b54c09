"""Online backups, rotation and the restore drill, on real SQLite files."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.support.tills import fixed_clock
from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config, DatabaseConfig
from tui_pos.domain.errors import ConfigError, StorageError
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.models import backup as backup_module
from tui_pos.models.backup import (
    BACKUP_NAME,
    backup_database,
    integrity_problems,
    restore_database,
    rotate_backups,
)

LOAF = "5900000000015"  # White Loaf 800g, 1.49
LOAF_ORGANIC = "5900000000022"  # White Loaf 800g Organic, 1.99
NOW = datetime(2026, 11, 25, 21, 30, 5, tzinfo=UTC)

SALE_TABLES = ("sale", "sale_line", "sale_tax", "payment", "stock_movement")


# -- helpers ---------------------------------------------------------------------------


def sell(till: Till, *codes: str) -> int:
    """One completed cash sale of ``codes``; its sale number."""
    for code in codes:
        till.register.enter(code)
    doc = till.register.pay_cash("")
    assert doc is not None and doc.seq is not None
    return doc.seq


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql).fetchall()


def snapshot(path: Path) -> dict[str, Any]:
    """What must survive a backup: row counts, money sums, stock by product."""
    snap: dict[str, Any] = {
        t: query(path, f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in SALE_TABLES
    }
    snap["products"] = query(path, "SELECT COUNT(*) FROM product")[0][0]
    snap["sale_total"] = query(path, "SELECT SUM(total_cents) FROM sale")[0][0]
    snap["line_amount"] = query(path, "SELECT SUM(amount_cents) FROM sale_line")[0][0]
    snap["paid"] = query(path, "SELECT SUM(amount_cents) FROM payment")[0][0]
    snap["stock"] = query(
        path, "SELECT product_id, SUM(qty_milli) FROM stock_movement GROUP BY 1 ORDER BY 1"
    )
    snap["seqs"] = [r[0] for r in query(path, "SELECT seq FROM sale ORDER BY seq")]
    return snap


def open_copy(path: Path, keys: Path) -> Till:
    """Open a database like the till does (this rebinds the models to it), with the
    till's keys from the folder ``keys`` put beside it (backups do not hold them)."""
    for name in ("chain.key", "pin.key"):
        shutil.copyfile(keys / name, path.parent / name)
    return open_till(Config(), path, printer=RecordingPrinter(), clock=fixed_clock)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(directory: Path) -> list[str]:
    """Temporary or SQLite side files in ``directory``."""
    return sorted(
        p.name
        for p in directory.iterdir()
        if p.name.endswith((".tmp", "-journal", "-wal", "-shm")) or p.name.startswith(".")
    )


@pytest.fixture
def selling(demo_till: Till) -> Iterator[Till]:
    """The demo till with three sales made."""
    sell(demo_till, LOAF)
    sell(demo_till, "3*" + LOAF_ORGANIC)
    sell(demo_till, LOAF, LOAF_ORGANIC)
    yield demo_till


# -- backup ----------------------------------------------------------------------------


def test_backup_of_a_selling_till_opens_with_the_same_data(selling: Till, tmp_path: Path) -> None:
    before = snapshot(selling.db_path)
    assert before["sale"] == 3 and before["sale_total"] > 0

    started = time.perf_counter()
    made = backup_database(selling.db_path, tmp_path / "backups", now=NOW)
    elapsed = time.perf_counter() - started

    assert made == tmp_path / "backups" / "till-20261125-213005.db"
    assert elapsed < 5
    assert snapshot(made) == before
    assert integrity_problems(made) == []
    assert query(made, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert made.read_bytes()[18:20] == b"\x01\x01"  # not flagged WAL in the header
    assert sorted(p.name for p in made.parent.iterdir()) == [made.name]

    copy = open_copy(made, selling.db_path.parent)
    try:
        assert copy.register.find_sale("3").total_cents > 0
        assert copy.db.execute_sql("SELECT COUNT(*) FROM sale").fetchone()[0] == 3
    finally:
        copy.close()


def test_backup_file_is_owner_only_in_an_owner_only_directory(
    selling: Till, tmp_path: Path
) -> None:
    old = os.umask(0o022)  # a lax umask must not make the backup readable by others
    try:
        made = backup_database(selling.db_path, tmp_path / "backups", now=NOW)
    finally:
        os.umask(old)
    assert mode(made) == 0o600
    assert mode(made.parent) == 0o700


def test_backup_names_never_overwrite(selling: Till, tmp_path: Path) -> None:
    first = backup_database(selling.db_path, tmp_path, now=NOW)
    second = backup_database(selling.db_path, tmp_path, now=NOW)
    third = backup_database(selling.db_path, tmp_path, now=NOW)
    assert [first.name, second.name, third.name] == [
        "till-20261125-213005.db",
        "till-20261125-213005-1.db",
        "till-20261125-213005-2.db",
    ]
    assert all(BACKUP_NAME.match(p.name) for p in (first, second, third))


def test_backup_name_is_in_utc() -> None:
    paris = datetime(2026, 11, 25, 23, 30, 5, tzinfo=timezone(timedelta(hours=1)))
    assert backup_module.backup_name(paris) == "till-20261125-223005.db"
    assert backup_module.backup_name(datetime(2026, 1, 2, 3, 4, 5)) == "till-20260102-030405.db"


def test_backup_to_a_file_path(selling: Till, tmp_path: Path) -> None:
    dest = tmp_path / "usb" / "tonight.db"
    dest.parent.mkdir()
    assert backup_database(selling.db_path, dest, now=NOW) == dest
    assert mode(dest) == 0o600
    assert snapshot(dest) == snapshot(selling.db_path)

    with pytest.raises(StorageError, match="already exists"):
        backup_database(selling.db_path, dest, now=NOW)
    with pytest.raises(StorageError, match="already exists"):
        backup_database(selling.db_path, selling.db_path, now=NOW)  # never over the live file


def test_backup_while_sales_are_made_between_page_steps(selling: Till, tmp_path: Path) -> None:
    """Sales completed while the copy is half done: the copy is a consistent prefix."""
    steps: list[tuple[int, int]] = []
    during: list[int] = []

    def progress(_status: int, remaining: int, total: int) -> None:
        steps.append((remaining, total))
        if len(during) < 6 and len(steps) % 3 == 0:
            during.append(sell(selling, LOAF, "2*" + LOAF_ORGANIC))

    made = backup_database(selling.db_path, tmp_path, now=NOW, pages=1, progress=progress)

    assert len(during) == 6 and len(steps) > 20  # really copied page by page, sales between
    assert integrity_problems(made) == []
    assert query(made, "PRAGMA foreign_key_check") == []
    seqs = snapshot(made)["seqs"]
    assert seqs == list(range(1, len(seqs) + 1))  # a prefix of the sales, no gap
    assert 3 <= len(seqs) <= 3 + len(during)
    # Every sale in the copy is whole: its lines add up, it is paid, its stock moved.
    assert (
        query(
            made,
            "SELECT s.seq FROM sale s WHERE s.total_cents != "
            "(SELECT SUM(amount_cents) FROM sale_line l WHERE l.sale_id = s.id) "
            "OR NOT EXISTS (SELECT 1 FROM payment p WHERE p.sale_id = s.id)",
        )
        == []
    )
    lines = query(made, "SELECT COUNT(*) FROM sale_line")[0][0]
    moves = query(made, "SELECT COUNT(*) FROM stock_movement WHERE sale_line_id IS NOT NULL")[0][0]
    assert moves == lines
    # SQLite restarts a stepped backup when another connection writes, so the copy
    # finished after the last sale and holds all of them.
    assert seqs == snapshot(selling.db_path)["seqs"]


def test_backup_while_another_connection_keeps_writing(selling: Till, tmp_path: Path) -> None:
    """A writer thread commits non-stop on its own connection during the backup."""
    with closing(sqlite3.connect(selling.db_path)) as setup:
        setup.executescript(
            "CREATE TABLE tick (n INTEGER PRIMARY KEY);"
            "CREATE TABLE tick_total (id INTEGER PRIMARY KEY, n INTEGER, total INTEGER);"
            "INSERT INTO tick_total VALUES (1, 0, 0);"
        )
    stop = threading.Event()
    written = [0]
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with closing(sqlite3.connect(selling.db_path, timeout=5, isolation_level=None)) as c:
                c.execute("PRAGMA synchronous = FULL")
                n = 0
                while not stop.is_set():
                    n += 1
                    c.execute("BEGIN IMMEDIATE")
                    c.execute("INSERT INTO tick VALUES (?)", (n,))
                    c.execute("UPDATE tick_total SET n = ?, total = total + ? WHERE id = 1", (n, n))
                    c.execute("COMMIT")
                    written[0] = n
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 50:
            time.sleep(0.001)
        before = written[0]
        made = [backup_database(selling.db_path, tmp_path, now=NOW) for _ in range(3)]
        after = written[0]
    finally:
        stop.set()
        thread.join(10)
    assert not errors and not thread.is_alive()
    assert after > before  # the writer was not blocked by the backups

    for copy in made:
        assert integrity_problems(copy) == []
        ticks = [r[0] for r in query(copy, "SELECT n FROM tick ORDER BY n")]
        k = len(ticks)
        assert ticks == list(range(1, k + 1))  # a prefix of the commits
        assert query(copy, "SELECT n, total FROM tick_total") == [(k, k * (k + 1) // 2)]
        assert before <= k <= written[0]
        assert snapshot(copy)["sale"] == 3


def test_backup_of_a_missing_database(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="No database at"):
        backup_database(tmp_path / "nothing.db", tmp_path / "b", now=NOW)
    assert not (tmp_path / "b").exists()


# -- backup failures: readable errors, nothing left behind -----------------------------


def test_backup_under_a_regular_file_fails_cleanly(selling: Till, tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a directory")
    for dest in (afile / "x.db", afile / "backups"):
        with pytest.raises(StorageError) as err:
            backup_database(selling.db_path, dest, now=NOW)
        assert f"{afile} is a file, not a directory" in str(err.value)
    assert afile.read_text() == "not a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "afile",
        "chain.key",
        "pin.key",
        "till.db",
        "till.db-shm",
        "till.db-wal",
        "till.db.anchor",
    ]


def test_backup_into_a_missing_directory_fails(selling: Till, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="gone is missing"):
        backup_database(selling.db_path, tmp_path / "gone" / "x.db", now=NOW)
    with pytest.raises(StorageError, match="is the drive mounted"):
        backup_database(selling.db_path, tmp_path / "gone" / "backups", now=NOW)
    assert not (tmp_path / "gone").exists()


def test_backup_when_the_os_refuses_to_write(
    selling: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "b"))

    monkeypatch.setattr("tui_pos.models.backup.tempfile.mkstemp", refuse)
    (tmp_path / "b").mkdir()
    with pytest.raises(StorageError, match="permission denied"):
        backup_database(selling.db_path, tmp_path / "b", now=NOW)
    assert list((tmp_path / "b").iterdir()) == []


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_disk_full_late_in_the_backup_leaves_nothing(
    selling: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    def full(*_args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(f"tui_pos.models.backup.os.{step}", full)
    dest = tmp_path / "b"
    with pytest.raises(StorageError, match="disk is full"):
        backup_database(selling.db_path, dest, now=NOW)
    assert list(dest.iterdir()) == []


def test_a_copy_failing_its_integrity_check_is_removed(
    selling: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup_module, "integrity_problems", lambda _p: ["page 7: bad"])
    dest = tmp_path / "b"
    with pytest.raises(StorageError, match="integrity check .page 7: bad.*removed"):
        backup_database(selling.db_path, dest, now=NOW)
    assert list(dest.iterdir()) == []


def test_real_disk_full_via_a_file_size_limit(selling: Till, tmp_path: Path) -> None:
    """SQLite itself hits the limit (EFBIG, like ENOSPC) while writing the copy."""
    size = selling.db_path.stat().st_size
    assert size > 64 * 1024
    dest = tmp_path / "b"
    dest.mkdir()
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from datetime import datetime
        from pathlib import Path
        from tui_pos.models.backup import backup_database
        from tui_pos.domain.errors import StorageError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))
        try:
            backup_database(Path({str(selling.db_path)!r}), Path({str(dest)!r}),
                            now=datetime(2026, 11, 25))
        except StorageError as exc:
            print(exc)
            sys.exit(3)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    assert "Cannot back up the database" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert list(dest.iterdir()) == []
    assert integrity_problems(selling.db_path) == []  # the till's file is untouched


# -- rotation --------------------------------------------------------------------------


def test_rotation_keeps_the_newest_and_ignores_other_files(tmp_path: Path) -> None:
    names = [
        "till-20261120-210000.db",
        "till-20261121-210000.db",
        "till-20261121-210000-1.db",
        "till-20261121-210000-2.db",
        "till-20261122-090000.db",
        "till-20261122-210000.db",
    ]
    others = [
        "till.db",
        "till-latest.db",
        "notes.txt",
        "till-20261101-000000.db.gz",
        ".till-20261101-000000.db.abc.tmp",
        "till-20261101-000000.db-journal",
    ]
    for name in reversed(names):  # creation order must not matter
        (tmp_path / name).write_bytes(b"x")
    for name in others:
        (tmp_path / name).write_bytes(b"keep me")
    (tmp_path / "till-20261101-000000-9.db").mkdir()  # a directory with a backup's name

    removed = rotate_backups(tmp_path, keep=3)

    assert [p.name for p in removed] == names[:3]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([*names[3:], *others, "till-20261101-000000-9.db"])
    assert rotate_backups(tmp_path, keep=3) == []
    assert [p.name for p in rotate_backups(tmp_path, keep=1)] == names[3:5]


def test_rotation_after_real_backups(selling: Till, tmp_path: Path) -> None:
    made = [
        backup_database(selling.db_path, tmp_path / "b", now=NOW + timedelta(days=d))
        for d in range(5)
    ]
    assert rotate_backups(tmp_path / "b", keep=2) == made[:3]
    assert sorted((tmp_path / "b").iterdir()) == made[3:]


def test_rotation_needs_something_to_keep(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        rotate_backups(tmp_path, keep=0)
    with pytest.raises(StorageError, match="does not exist"):
        rotate_backups(tmp_path / "missing", keep=3)


# -- restore drill ---------------------------------------------------------------------


def test_restore_drill(selling: Till, tmp_path: Path) -> None:
    backed_up = snapshot(selling.db_path)
    made = backup_database(selling.db_path, tmp_path / "backups", now=NOW)
    sell(selling, LOAF)
    sell(selling, "4*" + LOAF_ORGANIC)
    assert snapshot(selling.db_path)["sale"] == 5

    restored = tmp_path / "drill" / "till.db"
    restore_database(made, restored)
    assert mode(restored) == 0o600 and mode(restored.parent) == 0o700
    assert leftovers(restored.parent) == []
    assert snapshot(restored) == backed_up  # exactly the sales up to the backup

    till = open_copy(restored, selling.db_path.parent)
    try:
        assert till.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert till.db.execute_sql("SELECT MAX(seq) FROM sale").fetchone()[0] == 3
        assert sell(till, LOAF) == 4  # the restored till carries on numbering
    finally:
        till.close()
    assert integrity_problems(restored) == []


def test_restore_refuses_an_existing_database_unless_replacing(
    selling: Till, tmp_path: Path
) -> None:
    first = backup_database(selling.db_path, tmp_path / "b", now=NOW)
    sell(selling, LOAF)
    second = backup_database(selling.db_path, tmp_path / "b", now=NOW + timedelta(hours=1))

    target = tmp_path / "restored.db"
    restore_database(first, target)
    with pytest.raises(StorageError, match="already holds a database"):
        restore_database(second, target)
    assert snapshot(target)["sale"] == 3

    # The target in WAL mode with commits still in its -wal: replaced through SQLite.
    with closing(sqlite3.connect(target, isolation_level=None)) as keeper:
        keeper.execute("PRAGMA journal_mode = wal")
        keeper.execute("PRAGMA wal_autocheckpoint = 0")
        keeper.execute("CREATE TABLE scratch (x)")
        assert Path(f"{target}-wal").stat().st_size > 0
        restore_database(second, target, replace=True)
    assert snapshot(target) == snapshot(second)
    assert query(target, "SELECT name FROM sqlite_master WHERE name = 'scratch'") == []
    assert integrity_problems(target) == []

    with pytest.raises(StorageError, match="is the database itself"):
        restore_database(target, target, replace=True)


def test_restore_into_an_empty_file(selling: Till, tmp_path: Path) -> None:
    made = backup_database(selling.db_path, tmp_path / "b", now=NOW)
    target = tmp_path / "empty.db"
    target.touch(mode=0o600)
    restore_database(made, target)
    assert snapshot(target) == snapshot(made)


def test_restore_refuses_a_missing_backup(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="No backup at"):
        restore_database(tmp_path / "nope.db", tmp_path / "till.db")
    assert not (tmp_path / "till.db").exists()


def corrupt_truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def corrupt_middle(path: Path) -> None:
    """Overwrite the root page of the product table (deterministically in use)."""
    (root,) = query(path, "SELECT rootpage FROM sqlite_master WHERE name = 'product'")[0]
    page = query(path, "PRAGMA page_size")[0][0]
    with open(path, "r+b") as f:
        f.seek((root - 1) * page + 8)
        f.write(b"\xa5" * (page - 8))


def corrupt_not_sqlite(path: Path) -> None:
    path.write_bytes(b"this is a spreadsheet, not a database\n" * 200)


@pytest.mark.parametrize("corrupt", [corrupt_truncated, corrupt_middle, corrupt_not_sqlite])
def test_restore_refuses_a_corrupt_backup(selling: Till, tmp_path: Path, corrupt: Any) -> None:
    made = backup_database(selling.db_path, tmp_path / "b", now=NOW)
    corrupt(made)
    target = tmp_path / "drill" / "till.db"
    with pytest.raises(StorageError, match="damaged or not a tui-pos backup") as err:
        restore_database(made, target)
    assert "nothing was restored" in str(err.value)
    assert not target.exists() and not target.parent.exists()


def test_restore_refuses_a_database_that_is_not_a_till(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StorageError, match="not a tui-pos database"):
        restore_database(other, tmp_path / "till.db")


def test_restore_refuses_a_leftover_wal(selling: Till, tmp_path: Path) -> None:
    made = backup_database(selling.db_path, tmp_path / "b", now=NOW)
    target = tmp_path / "till2.db"
    Path(f"{target}-wal").write_bytes(b"old wal")
    with pytest.raises(StorageError, match="left over"):
        restore_database(made, target)
    assert not target.exists()


def test_a_z_backup_folder_that_cannot_be_resolved_stops_the_start(tmp_path: Path) -> None:
    """The backup service is built on first use, but its folder is resolved as the till
    opens: a bad ``database.backup_dir`` is refused before any sale, not after a Z."""
    config = Config(database=DatabaseConfig(backup_dir="~nosuchuser/backups"))
    with pytest.raises(ConfigError, match="nosuchuser"):
        open_till(config, tmp_path / "till.db", printer=RecordingPrinter())
