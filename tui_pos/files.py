"""Files the till writes are its owner's alone: files 0600, folders 0700, whatever the umask.

Receipts, logs, exports, backups, key files and the database hold sales and personal
data. ``tui-pos`` narrows the process umask once at start (:func:`keep_files_private`),
so that files made by libraries (SQLite's ``-wal``/``-shm``, a backup's target) are
private too; the till's own writers also open through :func:`open_private`, so they stay
private when used as a library under any umask.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: Only the owner may read or write what the till creates.
PRIVATE_UMASK = 0o077
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def keep_files_private() -> None:
    """Make every file this process creates from now on owner-only."""
    os.umask(PRIVATE_UMASK)


def private_folder(path: Path) -> None:
    """Create ``path`` (and its parents) owner-only if it does not exist."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)


def open_private(path: Path, flags: int) -> int:
    """``os.open`` for writing: a file it creates is 0600, and an existing regular file
    left readable by others (an older version's 0644) is made 0600. A device (a printer
    under /dev) is left as it is."""
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode) and stat.S_IMODE(mode) & ~PRIVATE_FILE:
            os.fchmod(fd, PRIVATE_FILE)
    except OSError:
        os.close(fd)
        raise
    return fd


def append_private(path: Path, text: str) -> None:
    """Append ``text`` (UTF-8) to an owner-only file and flush it to disk."""
    fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())


def write_private(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to an owner-only file, replacing what it held."""
    fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        out.write(text)
