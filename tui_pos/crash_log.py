"""What is left behind when the till stops on an error nobody foresaw.

The cashier sees one plain sentence and the process exits with :data:`CRASH_EXIT`; the
traceback goes to an owner-only log next to the database (where the till writes its
files), for whoever looks after the till.
"""

from __future__ import annotations

import traceback
from datetime import UTC, datetime
from pathlib import Path

from tui_pos.files import append_private, private_folder

#: Exit status after an unexpected error (sysexits' EX_SOFTWARE): 0 is a normal quit,
#: 1 a user error, 2 a usage error.
CRASH_EXIT = 70


def crash_log_path(db_path: Path) -> Path:
    """``logs/crash.log`` in the database's folder."""
    return db_path.parent / "logs" / "crash.log"


def record_crash(path: Path, error: BaseException, now: datetime | None = None) -> Path | None:
    """Append ``error`` with its traceback to the log at ``path``; returns ``path`` (None if
    the log itself could not be written: a full or read-only disk)."""
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    text = "".join(traceback.format_exception(error))
    try:
        private_folder(path.parent)
        append_private(path, f"--- {when} tui-pos stopped on an unexpected error\n{text}\n")
    except OSError:
        return None
    return path


def crash_message(log: Path | None) -> str:
    """The sentence shown instead of a traceback."""
    where = f"details are in {log}" if log else "the details could not be written to a log"
    return (
        "tui-pos stopped on an unexpected error (sales already stored are safe; the open "
        f"sale comes back on restart): {where}"
    )
