"""Ending the register's process promptly once everything is stored and closed."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
from typing import NoReturn


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` without tearing the interpreter down.

    Called after the register closed normally: every sale is committed (synchronous=FULL)
    and the database is closed. Tearing down Textual's modules takes 0.3-0.8 s on a busy
    till, and a printer thread still waiting on a hung printer has nothing left to lose
    (what it did not confirm stays owed in the print queue). atexit handlers still run
    and logs and standard streams are flushed; only the module teardown is skipped.
    """
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
