"""The register's log file: device faults in full (errno, the printer's answer), which the
screen shows only as one short line in the top bar."""

from __future__ import annotations

import logging
import os
from pathlib import Path

#: The log file's name, next to the database.
LOG_NAME = "tui-pos.log"


def log_path(db_path: Path) -> Path:
    """Where the register logs: ``tui-pos.log`` next to the database."""
    return db_path.parent / LOG_NAME


def start_log(db_path: Path) -> Path | None:
    """Send the till's log (``tui_pos.*``, INFO and up) to the log file, owner-only.
    None when the file cannot be opened (the till runs without a log, never without a
    screen)."""
    path = log_path(db_path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("tui_pos")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # nothing on the terminal the register draws on
    return path
