"""Online backups of the till database, their rotation, and the restore drill.

Backups only go through SQLite's backup API (copying the file by hand while the till
writes can corrupt the copy: see docs and the reliability notes). A backup is:

1. copied into a temporary file in the destination directory (owner-only, 0600) with
   ``sqlite3.Connection.backup``: one step, so it is one consistent snapshot even while
   the till keeps selling (WAL readers do not block the writer);
2. switched to ``journal_mode=DELETE``, so the single file is the whole backup;
3. fsynced and checked with ``PRAGMA integrity_check``;
4. renamed to its final name (a half-written backup never has it), then the directory
   is fsynced.

Any failure (disk full, permission denied, missing directory...) raises
:class:`StorageError` with a readable message and leaves no file behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from tui_pos.domain.errors import StorageError

#: ``sqlite3`` progress callback: (status, remaining pages, total pages).
Progress = Callable[[int, int, int], object]

#: A backup's file name: ``till-YYYYMMDD-HHMMSS.db``, or ``...-N.db`` when that was taken.
BACKUP_NAME = re.compile(r"^till-(\d{8})-(\d{6})(?:-(\d+))?\.db$")

_SIDE_FILES = ("-journal", "-wal", "-shm")
_BUSY_TIMEOUT_S = 5.0


# -- public API ------------------------------------------------------------------------


def backup_name(now: datetime) -> str:
    """The file name of a backup taken at ``now`` (an aware time is named in UTC)."""
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    return f"till-{now:%Y%m%d-%H%M%S}.db"


def backup_database(
    db_path: Path,
    dest: Path,
    *,
    now: datetime,
    pages: int = -1,
    progress: Progress | None = None,
) -> Path:
    """Back up the database at ``db_path`` (it may be in use) to ``dest``; return the file.

    ``dest`` is a directory when it is one, or when it does not exist and has no
    suffix (it is then created, 0700; its parent must exist). The backup is then named
    ``till-YYYYMMDD-HHMMSS.db`` from ``now`` (UTC for an aware ``now``), with ``-1``,
    ``-2``... if that name is taken. Otherwise ``dest`` is the backup file itself: its
    directory must exist and the file must not (an existing file is never overwritten).

    ``pages``/``progress`` are passed to ``sqlite3.Connection.backup``. Keep the default
    ``pages=-1`` (one step, one snapshot): with smaller steps SQLite restarts the copy
    whenever another connection writes, so a busy till could keep it from finishing.

    Raises StorageError (readable message, nothing left behind) on any failure.
    """
    db_path = db_path.expanduser()
    dest = dest.expanduser()
    if not db_path.is_file():
        raise StorageError(f"No database at {db_path}: nothing to back up")
    with _readable_errors("back up the database", dest):
        target = _backup_target(dest, now)
        with _temporary_copy(target) as tmp:
            _copy(_connect_source(db_path), tmp, pages=pages, progress=progress)
            _fsync(tmp)
            problems = integrity_problems(tmp)
            if problems:
                raise StorageError(
                    f"The backup failed its integrity check ({problems[0]}); it was removed. "
                    f"Run 'tui-pos db check' on {db_path}"
                )
            if target.exists():  # taken meanwhile: never overwrite a backup
                raise StorageError(f"{target} already exists: choose another name")
            os.replace(tmp, target)
        _fsync_directory(target.parent, remove_on_failure=target)
    return target


def rotate_backups(directory: Path, keep: int) -> list[Path]:
    """Delete the oldest ``till-*.db`` backups in ``directory`` beyond the newest ``keep``.

    Age is the timestamp in the name (then the ``-N`` suffix). Only regular files named
    like a backup are considered: anything else is never touched. Returns what was
    removed, oldest first.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    directory = directory.expanduser()
    with _readable_errors("rotate the backups", directory):
        backups = []
        for entry in directory.iterdir():
            match = BACKUP_NAME.match(entry.name)
            if match and entry.is_file() and not entry.is_symlink():
                day, time, suffix = match.groups()
                backups.append(((day, time, int(suffix or 0)), entry))
        backups.sort()
        removed = [path for _, path in backups[: max(0, len(backups) - keep)]]
        for path in removed:
            path.unlink()
        if removed:
            _fsync_directory(directory)
    return removed


def restore_database(backup: Path, db_path: Path, *, replace: bool = False) -> None:
    """Restore ``backup`` as the database at ``db_path`` (the restore drill, or a recovery).

    The backup is checked first (integrity_check, and that it is a tui-pos database).
    A missing ``db_path`` is written like a backup (temporary file, fsync, rename;
    directory created 0700, file 0600); an empty file is filled through the backup API.
    An existing database is refused unless ``replace=True``: it is then overwritten in
    place through the backup API, in one transaction, so its ``-wal`` stays consistent.
    Stop the till before replacing its database. Open the result with ``open_till`` as usual.
    """
    backup = backup.expanduser()
    db_path = db_path.expanduser()
    if not backup.is_file():
        raise StorageError(f"No backup at {backup}")
    problems = integrity_problems(backup, require_schema=True)
    if problems:
        raise StorageError(
            f"{backup} is damaged or not a tui-pos backup ({problems[0]}): "
            "nothing was restored; choose another backup"
        )
    with _readable_errors("restore the database", db_path):
        if db_path.exists() and os.path.samefile(backup, db_path):
            raise StorageError(f"{backup} is the database itself: nothing to restore")
        if db_path.exists() and db_path.stat().st_size > 0:
            if not replace:
                raise StorageError(
                    f"{db_path} already holds a database: restore to a new path, "
                    "or replace it on purpose (--replace)"
                )
            _restore_in_place(backup, db_path)
        elif db_path.exists():
            _restore_in_place(backup, db_path)  # an empty file: SQLite fills it
        else:
            _restore_new(backup, db_path)
        problems = integrity_problems(db_path)
        if problems:
            raise StorageError(f"The restored database at {db_path} is damaged: {problems[0]}")


def integrity_problems(path: Path, *, require_schema: bool = False) -> list[str]:
    """``PRAGMA integrity_check`` of the database at ``path``, read-only; [] when fine.

    With ``require_schema``, a file without tui-pos's ``schema_version`` table is a problem.
    """
    try:
        conn = sqlite3.connect(_uri(path, "ro"), uri=True, timeout=_BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        return [f"cannot open it: {exc}"]
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        if require_schema and not problems:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            ).fetchone()
            if found is None:
                problems.append("no schema_version table: not a tui-pos database")
        return problems
    except sqlite3.Error as exc:
        return [f"cannot read it: {exc}"]
    finally:
        conn.close()


# -- steps -----------------------------------------------------------------------------


def _backup_target(dest: Path, now: datetime) -> Path:
    """The final path of the backup; creates the backup directory (0700) if needed."""
    if dest.is_dir():
        return _free_name(dest, now)
    if dest.exists() or dest.is_symlink():
        raise StorageError(
            f"{dest} already exists: give a directory or a new file name for the backup"
        )
    if dest.suffix:  # a file name
        if not dest.parent.is_dir():
            raise StorageError(f"Cannot write the backup {dest}: {_not_a_directory(dest.parent)}")
        return dest
    if not dest.parent.is_dir():
        raise StorageError(
            f"Cannot create the backup directory {dest}: {_not_a_directory(dest.parent)}"
        )
    dest.mkdir(mode=0o700)
    return _free_name(dest, now)


def _not_a_directory(path: Path) -> str:
    if path.exists():
        return f"{path} is a file, not a directory"
    return f"the directory {path} is missing (is the drive mounted?)"


def _free_name(directory: Path, now: datetime) -> Path:
    stem = backup_name(now).removesuffix(".db")
    candidate = directory / f"{stem}.db"
    n = 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = directory / f"{stem}-{n}.db"
    return candidate


@contextlib.contextmanager
def _temporary_copy(target: Path) -> Iterator[Path]:
    """A fresh 0600 temporary file beside ``target``; removed (with any SQLite side
    files) unless it was renamed to ``target``."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        for path in (tmp, *(Path(f"{tmp}{side}") for side in _SIDE_FILES)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _connect_source(db_path: Path) -> sqlite3.Connection:
    # mode=rw (read-only if we may not write it): a missing database is an error, never
    # a new empty file.
    try:
        return sqlite3.connect(_uri(db_path, "rw"), uri=True, timeout=_BUSY_TIMEOUT_S)
    except sqlite3.OperationalError:
        return sqlite3.connect(_uri(db_path, "ro"), uri=True, timeout=_BUSY_TIMEOUT_S)


def _copy(
    source: sqlite3.Connection,
    dest: Path,
    *,
    pages: int = -1,
    progress: Progress | None = None,
    journal_mode: str = "delete",
) -> None:
    """Copy ``source`` (closed afterwards) into the database file ``dest``."""
    try:
        target = sqlite3.connect(dest, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        try:
            target.execute("PRAGMA synchronous = FULL")
            source.backup(target, pages=pages, progress=progress, sleep=0.05)
            # The copy carries the source's WAL flag: a backup must be one file.
            mode = target.execute(f"PRAGMA journal_mode = {journal_mode}").fetchone()[0]
            if mode != journal_mode:
                raise StorageError(f"Could not set journal_mode={journal_mode} (got {mode})")
        finally:
            target.close()
    finally:
        source.close()


def _restore_new(backup: Path, db_path: Path) -> None:
    for side in ("-wal", "-journal"):
        leftover = Path(f"{db_path}{side}")
        if leftover.exists():
            # SQLite would replay it into the restored file and corrupt it.
            raise StorageError(
                f"{leftover} is left over from another database: move it away, then restore"
            )
    if not db_path.parent.is_dir():
        db_path.parent.mkdir(parents=True, mode=0o700)
    with _temporary_copy(db_path) as tmp:
        _copy(_connect_backup(backup), tmp)
        _fsync(tmp)
        if db_path.exists():
            raise StorageError(f"{db_path} appeared during the restore: nothing was replaced")
        os.replace(tmp, db_path)
    _fsync_directory(db_path.parent, remove_on_failure=db_path)


def _restore_in_place(backup: Path, db_path: Path) -> None:
    source = _connect_backup(backup)
    try:
        target = sqlite3.connect(_uri(db_path, "rw"), uri=True, timeout=_BUSY_TIMEOUT_S)
        try:
            target.execute("PRAGMA synchronous = FULL")
            source.backup(target, sleep=0.05)
            if target.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            target.close()
    finally:
        source.close()


def _connect_backup(backup: Path) -> sqlite3.Connection:
    return sqlite3.connect(_uri(backup, "ro"), uri=True, timeout=_BUSY_TIMEOUT_S)


def _uri(path: Path, mode: str) -> str:
    return f"{path.resolve().as_uri()}?mode={mode}"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: Path, *, remove_on_failure: Path | None = None) -> None:
    """Make a rename durable; some filesystems cannot fsync a directory (ignored)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        if exc.errno in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            return
        if remove_on_failure is not None:
            with contextlib.suppress(OSError):
                remove_on_failure.unlink()
        raise


# -- error messages --------------------------------------------------------------------


@contextlib.contextmanager
def _readable_errors(action: str, where: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise StorageError(_describe_os(action, where, exc)) from exc
    except sqlite3.Error as exc:
        raise StorageError(_describe_sqlite(action, where, exc)) from exc


def _describe_os(action: str, where: Path, exc: OSError) -> str:
    path = exc.filename or where
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EFBIG: "the file is too large for this disk (or a size limit)",
        errno.EACCES: f"permission denied on {path}",
        errno.EPERM: f"operation not permitted on {path}",
        errno.EROFS: f"{path} is on a read-only filesystem",
        errno.ENOENT: f"{path} does not exist",
        errno.ENOTDIR: f"{path} is not a directory (a file is in the way)",
        errno.EISDIR: f"{path} is a directory",
        errno.EIO: "an input/output error (a failing disk or a removed drive?)",
    }
    reason = reasons.get(exc.errno or 0, f"{exc.strerror or exc} ({path})")
    return f"Cannot {action} to {where}: {reason}; nothing was written"


def _describe_sqlite(action: str, where: Path, exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "disk is full" in text:
        reason = "the disk is full"
    elif "readonly" in text or "read-only" in text:
        reason = "it is read-only"
    elif "locked" in text or "busy" in text:
        reason = "the database is busy (another program holds it): try again"
    elif "unable to open" in text:
        reason = "a file cannot be opened (check the path and permissions)"
    elif "malformed" in text or "not a database" in text:
        reason = "a database file is damaged: run 'tui-pos db check'"
    elif "disk i/o" in text:
        reason = "an input/output error (disk full, failing, or removed?)"
    else:
        reason = str(exc)
    return f"Cannot {action} ({where}): {reason}; nothing was written"
