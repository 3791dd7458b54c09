"""The App's two safety nets: notifications are plain text, and a crash leaves a log.
(Importing it also applies :mod:`tui_pos.styles_cache_fix`, Textual's cache that kept
every widget's lines alive.)

- Every toast is shown as text: a notification quotes names, reasons and errors, and
  Textual would read ``[/]`` in them as markup (and crash) or drop ``[drawer]``.
- An exception nobody handled: Textual would print a traceback with local variables on
  the till's terminal and the process would end with status 0. Here the traceback goes
  to the crash log (:mod:`tui_pos.crash_log`); :attr:`SafeApp.return_code` is non-zero
  and the CLI says one plain sentence. This overrides Textual's private
  ``_handle_exception`` (Textual is pinned to a minor range in pyproject.toml;
  ``tests/ui/test_text_safety.py`` runs the real thing in a pty).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from textual.app import App
from textual.notifications import SeverityLevel

from tui_pos import styles_cache_fix
from tui_pos.crash_log import record_crash

styles_cache_fix.apply()  # before any widget renders: see the module

ReturnType = TypeVar("ReturnType")


class SafeApp(App[ReturnType]):
    """An App whose toasts are text and whose crashes are logged, not printed."""

    #: Where a crash's traceback is appended (None: nowhere to write).
    crash_log: Path | None = None
    #: The log actually written by the last crash (None if none, or if it failed).
    crash_logged: Path | None = None

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a toast; its message is always taken as text, never as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """Log the traceback, exit with a non-zero status, print nothing on the till."""
        if self.crash_log is not None:
            logged = record_crash(self.crash_log, error)
            self.crash_logged = self.crash_logged or logged
        super()._handle_exception(error)  # sets the status; Pilot tests re-raise it
        self._exit_renderables.clear()  # the CLI says where the log is instead
