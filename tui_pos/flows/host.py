"""What the flows use of the App: :class:`FlowHost`.

The flows are typed by this Protocol, not by the App's class: the App builds its flows,
so a flow that imported the App (even for typing) would make the two import each other
(``tests/unit/test_import_cycles.py`` refuses any cycle). :class:`~tui_pos.app.PosApp`
is a FlowHost: a Textual app with the open till, its device hub and its register screen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.screen import Screen
    from textual.timer import Timer
    from textual.worker import Worker, WorkType

    from tui_pos.bootstrap import Till
    from tui_pos.devices.hub import DeviceHub
    from tui_pos.screens.register import RegisterScreen

R = TypeVar("R")


class FlowHost(Protocol):
    """The App as its flows see it (Textual's calls they make, and what the App holds)."""

    @property
    def till(self) -> Till:
        """The open till: its services."""

    @property
    def hub(self) -> DeviceHub:
        """The device hub: printer, drawer, scanners, display."""

    @property
    def register_screen(self) -> RegisterScreen:
        """The sale screen (approvals are asked for on it; the top bar is its)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None:
        """A toast (thread-safe)."""

    def push_screen(self, screen: Screen[Any]) -> Awaitable[Any]:
        """Show ``screen`` on top (awaiting it waits until it is mounted)."""

    async def push_screen_wait(self, screen: Screen[R]) -> R:
        """Show ``screen`` and wait for its answer (in a worker only)."""

    def run_worker(
        self,
        work: WorkType[R],
        *,
        name: str | None = "",
        group: str = "default",
        exit_on_error: bool = True,
        exclusive: bool = False,
        thread: bool = False,
    ) -> Worker[R]:
        """Run ``work`` in a worker (``thread``: in a thread)."""

    def set_interval(self, interval: float, callback: Callable[[], object]) -> Timer:
        """Call ``callback`` every ``interval`` seconds."""

    def call_from_thread(self, callback: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """Run ``callback`` on the UI thread from a thread worker, and wait for it."""
