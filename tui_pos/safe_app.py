"""The App's three safety nets: notifications are plain text, a user error is shown
once, at one place, and a crash leaves a log. (Importing it also applies
:mod:`tui_pos.styles_cache_fix`, Textual's cache that kept every widget's lines alive,
:mod:`tui_pos.render_cycles_fix`, Textual's rendered lines left to the cyclic
collector, and :mod:`tui_pos.key_lookup_fix`, Textual's look-up of key names in
Unicode's tables.)

- Every toast is shown as text: a notification quotes names, reasons and errors, and
  Textual would read ``[/]`` in them as markup (and crash) or drop ``[drawer]``.
- An exception nobody handled: Textual would print a traceback with local variables on
  the till's terminal and the process would end with status 0. Here the traceback goes
  to the crash log (:mod:`tui_pos.crash_log`); :attr:`SafeApp.return_code` is non-zero
  and the CLI says one plain sentence. This overrides Textual's private
  ``_handle_exception`` (Textual is pinned to a minor range in pyproject.toml;
  ``tests/ui/test_text_safety.py`` runs the real thing in a pty).
- A :class:`PosError` (a refusal, bad input, a storage or device fault: its message is
  for the user) is caught here, once for the whole UI, wherever it is raised: in an
  action (a key: :meth:`SafeApp._dispatch_action`), a worker (:meth:`_handle_exception`),
  the App's own message handlers, or a screen's event handler or callback
  (:class:`ShowsUserErrors`, which every screen mixes in): Textual would otherwise end
  that message loop and the app. Its message is shown as plain text on the screen where
  it happened (its message line when it has one, else a toast; a flow's, which is the
  App's worker, as a toast) and nothing else happens - the app runs on. Screens do not catch it
  themselves unless they do something else with it (keep a dialog open with the error in
  it, say) and then a comment says so. This overrides Textual's private
  ``_dispatch_action`` and ``_dispatch_message`` too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel
from textual.worker import NoActiveWorker, WorkerFailed, get_current_worker

from tui_pos import key_lookup_fix, render_cycles_fix, styles_cache_fix
from tui_pos.crash_log import record_crash
from tui_pos.domain.errors import PosError

styles_cache_fix.apply()  # before any widget renders: see the module
render_cycles_fix.apply()  # (the same)
key_lookup_fix.apply()  # before any screen reads its bindings: see the module

ReturnType = TypeVar("ReturnType")


@runtime_checkable
class SaysErrors(Protocol):
    """A screen with a message line of its own (the register, returns, stock lists)."""

    def say(self, text: str, *, error: bool = False) -> None:
        """Show ``text`` (plain) on the message line; an error rings the bell."""


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

    def show_error(self, error: PosError, where: MessagePump | None = None) -> None:
        """The one place a user error reaches the user: as plain text on the message line
        of the screen where it happened (``where``; None: the screen on top), or as a
        toast where that screen has none or it happened in the App itself (a flow)."""
        screen = where if where is not None else self.screen if self.screen_stack else None
        if isinstance(screen, SaysErrors):
            screen.say(str(error), error=True)
        else:
            self.notify(str(error), severity="error")

    async def _dispatch_action(self, namespace: DOMNode, action_name: str, params: Any) -> bool:
        """Run an action (a key); a PosError it raises is shown, not a crash."""
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except PosError as error:
            self.show_error(error, namespace)
            return True

    async def _dispatch_message(self, message: Message) -> None:
        """The App's own messages (scans, device news, flows): a PosError is shown."""
        try:
            await super()._dispatch_message(message)
        except PosError as error:
            self.show_error(error)

    def _handle_exception(self, error: Exception) -> None:
        """A worker's PosError is shown (the app runs on). Anything else: log the
        traceback, exit with a non-zero status, print nothing on the till."""
        if isinstance(error, WorkerFailed) and isinstance(error.error, PosError):
            try:
                where: MessagePump | None = get_current_worker().node  # whose worker it was
            except NoActiveWorker:
                where = None
            self.show_error(error.error, where)
            return
        if self.crash_log is not None:
            logged = record_crash(self.crash_log, error)
            self.crash_logged = self.crash_logged or logged
        super()._handle_exception(error)  # sets the status; Pilot tests re-raise it
        self._exit_renderables.clear()  # the CLI says where the log is instead


class ShowsUserErrors(MessagePump):
    """Mixed into every screen: a PosError raised by one of its event handlers or
    callbacks is shown by :meth:`SafeApp.show_error` instead of ending the screen."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)
        except PosError as error:
            if not isinstance(self.app, SafeApp):
                raise
            self.app.show_error(error, self)
