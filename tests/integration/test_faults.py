"""Storage faults: a clear message, the open sale kept, nothing corrupted, a retry stores once.

Real faults where this machine allows them (root: a small tmpfs for a full disk,
``chattr +i`` for files root cannot write, a second SQLite connection holding the write
lock); each test skips with the reason when its fault cannot be produced here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

import tui_pos.cli.root
from tests.support.tills import copy_database, fixed_clock
from tui_pos.bootstrap import Till, open_till
from tui_pos.cli import main
from tui_pos.config import Config
from tui_pos.domain.errors import StorageError
from tui_pos.drivers.file_printer import RecordingPrinter

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
BANANAS = "0.250*4011"  # 0.250 kg at 1.29/kg


# -- helpers ------------------------------------------------------------------------------


def _query(db_path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Read through a separate, read-only connection (what another process would see)."""
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql, params).fetchall()


def _integrity(db_path: Path) -> str:
    return str(_query(db_path, "PRAGMA integrity_check")[0][0])


def _sale_uuids(db_path: Path) -> list[str]:
    return [str(r[0]) for r in _query(db_path, "SELECT uuid FROM sale ORDER BY seq")]


def _chain(exc: BaseException) -> str:
    """The messages of an exception and everything it was raised from or during."""
    seen: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 20:
        seen.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return " <- ".join(seen)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _start_sale(till: Till, reference: str) -> None:
    """Two lines and a card part payment: an open sale with money already taken."""
    reg = till.register
    reg.enter(LOAF)
    reg.enter(BANANAS)
    reg.pay_card("1.00", reference)


def _assert_sale_kept(till: Till, cart_before: dict[str, object]) -> None:
    reg = till.register
    assert reg.cart.to_dict() == cart_before, "the open sale changed"
    state = reg.tender_state()
    assert [p.kind for p in state.payments] == ["card", "cash"]
    assert state.remaining_cents == 0


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


@contextmanager
def _immutable(*paths: Path) -> Iterator[None]:
    """``chattr +i``: not even root may write these files; always undone."""
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("chattr +i needs root and e2fsprogs")
    done: list[Path] = []
    try:
        for path in paths:
            result = _run(["chattr", "+i", str(path)])
            if result.returncode != 0:
                pytest.skip(f"chattr +i is not supported here: {result.stderr.strip()}")
            done.append(path)
        yield
    finally:
        for path in done:
            _run(["chattr", "-i", str(path)])


def _open(path: Path) -> Till:
    return open_till(Config(), path, printer=RecordingPrinter(), clock=fixed_clock)


# -- disk full ----------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs (root only); unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = _run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mount_point)])
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        if _run(["umount", str(mount_point)]).returncode != 0:
            _run(["umount", "-l", str(mount_point)])


def _fill(path: Path) -> None:
    """Write ``path`` until the file system has no byte left."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        for size in (65536, 4096, 512, 1):
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)


def _refused_while_full(till: Till, acknowledged: list[str]) -> StorageError:
    """Pay the open sale until the full disk refuses it; return that refusal.

    SQLite can still commit on a full disk when the transaction fits in WAL space it
    already has (after a checkpoint the WAL is rewritten from its start): such a sale is
    stored for good, so it is acknowledged and the next sale is tried.
    """
    for attempt in range(50):
        uuid = till.register.cart.uuid
        try:
            doc = till.register.pay_cash("")
        except StorageError as refusal:
            return refusal
        assert doc is not None and doc.uuid == uuid
        acknowledged.append(uuid)
        _start_sale(till, f"R-{attempt}")
    pytest.fail("the full disk never refused a sale")


@contextmanager
def _till_on_a_full_disk(disk: Path, demo_template: Path) -> Iterator[tuple[Till, list[str], Path]]:
    """A demo till on ``disk``, sold on until the disk is full; the last sale is refused.

    Yields the till (its last sale open and paid), the UUIDs of the sales it acknowledged,
    and the filler file that takes most of the disk.
    """
    db_path = disk / "till.db"
    copy_database(demo_template, db_path)
    till = _open(db_path)
    try:
        filler = disk / "filler"
        # Leave ~640 KiB: room for a few sales, then the WAL cannot grow.
        filler.write_bytes(b"\0" * (shutil.disk_usage(disk).free - 640 * 1024))
        acknowledged: list[str] = []
        for attempt in range(300):
            _start_sale(till, f"T-{attempt}")
            uuid = till.register.cart.uuid
            try:
                doc = till.register.pay_cash("10")
            except StorageError:
                break
            assert doc is not None and doc.uuid == uuid
            acknowledged.append(uuid)
        else:
            pytest.fail("the disk never filled up")
        # The failed transaction may have given pages back: take every byte left, so the
        # disk is certainly still full when the test retries.
        _fill(disk / "topup")
        yield till, acknowledged, filler
    finally:
        till.close()


def test_disk_full_keeps_the_sale_and_stores_it_once_after_space_is_freed(
    small_disk: Path, demo_template: Path
) -> None:
    with _till_on_a_full_disk(small_disk, demo_template) as (till, acknowledged, filler):
        reg = till.register
        # Enter on the payment screen again while the disk is still full: refused again
        # (or, if it fitted in WAL space already there, stored for good).
        refusal = _refused_while_full(till, acknowledged)
        cart_before = reg.cart.to_dict()  # the refused sale, with its card payment
        open_uuid = reg.cart.uuid
        assert "disk is full" in _chain(refusal), _chain(refusal)
        assert acknowledged, "no sale fitted on the disk at all"
        _assert_sale_kept(till, cart_before)
        assert _integrity(till.db_path) == "ok"
        assert _sale_uuids(till.db_path) == acknowledged, "stored sales != acknowledged sales"

        filler.unlink()  # the shop owner frees space
        (small_disk / "topup").unlink()
        doc = reg.pay_cash("")
        assert doc is not None and doc.uuid == open_uuid
        assert reg.cart.is_empty
        assert _sale_uuids(till.db_path) == [*acknowledged, open_uuid]
        payments = _query(
            till.db_path,
            "SELECT p.kind FROM payment p JOIN sale s ON s.id = p.sale_id WHERE s.uuid = ?",
            (open_uuid,),
        )
        assert sorted(kind for (kind,) in payments) == ["card", "cash"]  # type: ignore[type-var]
        assert _integrity(till.db_path) == "ok"
        # A further retry of the same document stores nothing more.
        reg.store.record_sale(doc)
        assert _sale_uuids(till.db_path) == [*acknowledged, open_uuid]


def test_disk_full_message_says_the_disk_is_full_and_the_sale_was_not_stored(
    small_disk: Path, demo_template: Path
) -> None:
    with _till_on_a_full_disk(small_disk, demo_template) as (till, acked, _filler):
        message = str(_refused_while_full(till, acked))
        assert "disk is full" in message and "NOT stored" in message, message


# -- read-only ------------------------------------------------------------------------------


def test_read_only_database_at_start_is_refused_and_left_untouched(demo_till: Till) -> None:
    path = demo_till.db_path
    demo_till.close()
    before = _digest(path)
    with _immutable(path), pytest.raises(StorageError) as failure:
        _open(path)
    assert "read-only" in str(failure.value)
    assert _digest(path) == before


def test_sale_on_a_read_only_database_is_refused_and_kept(demo_till: Till) -> None:
    till, reg = demo_till, demo_till.register
    _start_sale(till, "T-1")
    stored_before = _sale_uuids(till.db_path)
    till.db.close()  # the next statement reopens it: read-only, as after a restart
    with _immutable(till.db_path):
        cart_before = reg.cart.to_dict()
        with pytest.raises(StorageError) as failure:
            reg.pay_cash("10")
        message = str(failure.value)
        assert "read-only" in message and "NOT stored" in message, message
        _assert_sale_kept(till, cart_before)
        assert _sale_uuids(till.db_path) == stored_before
    till.db.close()  # writable again; the till reconnects (a read-only handle stays so)
    doc = reg.pay_cash("")
    assert doc is not None
    assert _sale_uuids(till.db_path) == [*stored_before, doc.uuid]
    assert _integrity(till.db_path) == "ok"


@contextmanager
def _failing_filesystem(till: Till) -> Iterator[None]:
    """Writes to the database and its WAL fail under the open till (EPERM, like EROFS).

    The -shm file is left alone: it is memory-mapped, and a write to an immutable mapping
    would kill the process with SIGBUS.
    """
    wal = till.db_path.with_name(till.db_path.name + "-wal")
    assert wal.exists(), "the till runs in WAL mode"
    with _immutable(till.db_path, wal):
        yield


def test_writes_failing_under_the_till_keep_the_sale_for_a_retry(demo_till: Till) -> None:
    till, reg = demo_till, demo_till.register
    _start_sale(till, "T-1")
    stored_before = _sale_uuids(till.db_path)
    cart_before = reg.cart.to_dict()
    with _failing_filesystem(till):
        with pytest.raises(StorageError) as failure:
            reg.pay_cash("10")
        assert "disk I/O error" in _chain(failure.value), _chain(failure.value)
        _assert_sale_kept(till, cart_before)
        assert _sale_uuids(till.db_path) == stored_before
    doc = reg.pay_cash("")
    assert doc is not None and doc.uuid == cart_before["uuid"]
    assert _sale_uuids(till.db_path) == [*stored_before, doc.uuid]
    assert _integrity(till.db_path) == "ok"


def test_writes_failing_under_the_till_say_the_sale_was_not_stored(demo_till: Till) -> None:
    _start_sale(demo_till, "T-1")
    with _failing_filesystem(demo_till), pytest.raises(StorageError) as failure:
        demo_till.register.pay_cash("10")
    message = str(failure.value)
    assert "NOT stored" in message and "rollback" not in message, message


# -- deleted under the till ------------------------------------------------------------------


def test_sale_after_the_database_was_deleted_is_refused(demo_till: Till) -> None:
    till, reg = demo_till, demo_till.register
    for path in till.db_path.parent.glob(till.db_path.name + "*"):
        path.unlink()
    reg.enter(LOAF)
    with pytest.raises(StorageError):
        reg.pay_cash("")
    assert not reg.cart.is_empty


# -- locked ---------------------------------------------------------------------------------


def test_locked_database_is_busy_then_stores_the_sale_once(demo_till: Till) -> None:
    till, reg = demo_till, demo_till.register
    till.db.execute_sql("PRAGMA busy_timeout = 200")
    _start_sale(till, "T-1")
    stored_before = _sale_uuids(till.db_path)
    cart_before = reg.cart.to_dict()
    blocker = sqlite3.connect(till.db_path, isolation_level=None, timeout=0)
    try:
        blocker.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        with pytest.raises(StorageError) as failure:
            reg.pay_cash("10")
        waited = time.monotonic() - started
        assert "busy" in str(failure.value), str(failure.value)
        assert waited < 3.0, f"the cashier waited {waited:.1f} s"
        _assert_sale_kept(till, cart_before)
        assert _sale_uuids(till.db_path) == stored_before
    finally:
        blocker.rollback()
        blocker.close()
    doc = reg.pay_cash("")
    assert doc is not None and doc.uuid == cart_before["uuid"]
    assert _sale_uuids(till.db_path) == [*stored_before, doc.uuid]
    assert _integrity(till.db_path) == "ok"


# -- a report while selling -------------------------------------------------------------------


def test_reports_running_while_selling_never_make_a_sale_fail(demo_till: Till) -> None:
    till, reg = demo_till, demo_till.register
    stop = threading.Event()
    problems: list[Exception] = []
    runs = {"app": 0, "raw": 0}

    def through_the_app() -> None:  # the app's report store, on this thread's connection
        try:
            while not stop.is_set():
                till.reports.x_report()
                runs["app"] += 1
        except Exception as exc:  # reported to the main thread
            problems.append(exc)
        finally:
            till.db.close()

    def raw_reader() -> None:  # another program: long read transactions with aggregates
        try:
            with closing(sqlite3.connect(till.db_path, isolation_level=None)) as conn:
                while not stop.is_set():
                    conn.execute("BEGIN")
                    conn.execute(
                        "SELECT COUNT(*), SUM(s.total_cents), SUM(l.amount_cents)"
                        " FROM sale s JOIN sale_line l ON l.sale_id = s.id"
                    ).fetchall()
                    conn.execute(
                        "SELECT kind, SUM(amount_cents) FROM payment GROUP BY kind"
                    ).fetchall()
                    time.sleep(0.005)
                    conn.execute("COMMIT")
                    runs["raw"] += 1
        except Exception as exc:  # reported to the main thread
            problems.append(exc)

    threads = [threading.Thread(target=through_the_app), threading.Thread(target=raw_reader)]
    for thread in threads:
        thread.start()
    stored = []
    try:
        for i in range(100):
            reg.enter(LOAF)
            reg.enter("2*" + LOAF)
            doc = reg.pay_card("", f"T-{i}") if i % 2 else reg.pay_cash("20")
            assert doc is not None, f"sale {i} was not stored"
            stored.append(doc.uuid)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert not problems, problems
    assert runs["app"] > 0 and runs["raw"] > 0
    assert _sale_uuids(till.db_path) == stored
    report = till.reports.x_report()
    assert report.to_dict()["sales_count"] == 100
    assert _integrity(till.db_path) == "ok"


# -- the command line: missing or broken config, a file that is not a database --------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and XDG dirs in tmp_path; the register UI must never start in these tests."""
    fake = tmp_path / "home"
    fake.mkdir()
    monkeypatch.setenv("HOME", str(fake))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(fake / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(fake / ".local" / "share"))
    # no config file: the defaults (TUI_POS_CONFIG naming a missing file is an error)
    monkeypatch.delenv("TUI_POS_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)

    def no_ui(till: Till) -> None:
        till.close()
        raise AssertionError("the register would have started")

    monkeypatch.setattr(tui_pos.cli.root, "open_register", no_ui)
    return fake


def _files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


BAD_CONFIGS = {
    "bad TOML": (b'[store]\nname = "Shop"\ncurrency = EUR\n', ["line 3", "invalid TOML"]),
    "wrong type": (b"[printer]\nwidth = 42\ntimeout = 'soon'\n", ["line 3", "printer.timeout"]),
    "unknown key": (b'[store]\n\nnmae = "Shop"\n', ["line 3", "nmae", "name"]),
    "not UTF-8": (b'[store]\nname = "Caf\xe9"\n', ["line 2", "UTF-8"]),
    "nested too deep": (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", ["nested"]),
}


@pytest.mark.parametrize("command", [[], ["db", "init"], ["report", "x"]], ids=" ".join)
@pytest.mark.parametrize("case", [*BAD_CONFIGS, "missing", "a directory"])
def test_missing_or_broken_config_exits_1_and_creates_nothing(
    home: Path, tmp_path: Path, case: str, command: list[str]
) -> None:
    config = tmp_path / "till.toml"
    expected = ["not found"] if case == "missing" else ["cannot read"]
    if case in BAD_CONFIGS:
        content, expected = BAD_CONFIGS[case]
        config.write_bytes(content)
    elif case == "a directory":
        config.mkdir()
    db = tmp_path / "data" / "till.db"
    result = CliRunner().invoke(main, ["--config", str(config), "--db", str(db), *command])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert str(config) in result.output
    for words in expected:
        assert words in result.output, result.output
    assert not db.parent.exists(), "a database was created for a broken config"
    assert _files_under(home) == [], "something was written in the home directory"


def _not_a_database(kind: str, demo_template: Path) -> bytes:
    rng = random.Random(kind)
    good = demo_template.read_bytes()
    return {
        "random bytes": rng.randbytes(8192),
        "text": b"barcode,name,price\n" * 200,
        "truncated": good[:8192],
        "header then garbage": good[:100] + rng.randbytes(len(good) - 100),
        "garbage pages": good[:4096] + rng.randbytes(len(good) - 4096),
    }[kind]


JUNK = ["random bytes", "text", "truncated", "header then garbage", "garbage pages"]


@pytest.mark.parametrize("command", [[], ["run"], ["report", "x"], ["db", "init"]], ids=" ".join)
@pytest.mark.parametrize("kind", JUNK)
def test_a_file_that_is_not_a_database_exits_1_with_a_readable_message(
    home: Path, tmp_path: Path, demo_template: Path, kind: str, command: list[str]
) -> None:
    db = tmp_path / "till.db"
    content = _not_a_database(kind, demo_template)
    db.write_bytes(content)
    result = CliRunner().invoke(main, ["--db", str(db), *command])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert "damaged" in result.output and "db check" in result.output, result.output
    assert db.read_bytes() == content, "the damaged file was changed"


@pytest.mark.parametrize("kind", ["random bytes", "truncated"])
def test_db_migrate_on_a_file_that_is_not_a_database_exits_1(
    home: Path, tmp_path: Path, demo_template: Path, kind: str
) -> None:
    db = tmp_path / "till.db"
    db.write_bytes(_not_a_database(kind, demo_template))
    result = CliRunner().invoke(main, ["--db", str(db), "db", "migrate"])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
