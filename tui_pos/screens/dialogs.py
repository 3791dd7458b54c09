"""Small typed dialogs: ask for a text and apply it, or ask for a yes/no.

A key that opens dialogs opens the first one at once (``ask``) and hands its answer to a
flow: an ``async`` method decorated with ``@work(group=FLOW_GROUP)`` that reads top to
bottom, ``await answer``, the next dialogs with ``await self.app.push_screen_wait(...)``,
the approval from ``await approval_for(...)`` (:mod:`tui_pos.screens.authorize`), then the
service call. No dialog takes a result callback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar, cast

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

from tui_pos.domain.errors import PosError
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.scan_aware_input import ScanAwareInput

T = TypeVar("T")

#: The worker group of the flows (the screens' and the App's): they wait for the cashier's
#: answers, so a test waits for the other workers (``tests/support/settle.py``), never these.
FLOW_GROUP = "flow"


def ask(app: App[Any], dialog: Screen[T]) -> asyncio.Future[T]:
    """Open ``dialog`` now; its answer, for a flow to await.

    A key's first dialog opens in the key's handler, not in the flow's worker (which starts
    a loop turn later): keys already queued behind the function key (a scanner's burst,
    type-ahead on a busy till) then reach the dialog, as they did before the flows.
    """
    answer: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    # (typed like push_screen_wait: a dismissed dialog gives its result type)
    app.push_screen(dialog, cast(Callable[[T | None], None], answer.set_result))
    return answer


class PromptScreen(ShowsUserErrors, ModalScreen[T | None]):
    """Ask for one line of text; ``apply`` turns it into the result or raises DomainError.

    On an error the dialog stays open with the message, so nothing changes until the input
    is valid. Escape cancels (result None).
    """

    BINDINGS = [
        Binding("enter", "submit", "OK", id="dialog-ok"),
        Binding("escape", "cancel", "Cancel", id="dialog-cancel"),
    ]

    def __init__(
        self,
        title: str,
        hint: str,
        apply: Callable[[str], T],
        *,
        value: str = "",
        scan_aware: bool = True,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.apply = apply
        self.value = value
        self.scan_aware = scan_aware  # False for fields where digits are the answer

    def compose(self) -> ComposeResult:
        """A title, a hint, the input and an error line."""
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.hint, classes="dialog-hint", markup=False)
            field = ScanAwareInput if self.scan_aware else Input
            yield field(value=self.value, id="prompt-input")
            yield Static("", id="prompt-error", classes="error", markup=False)
        yield KeysBar()

    async def action_submit(self) -> None:
        """Apply what is typed (the OK key; Enter in the field does the same)."""
        await self.query_one("#prompt-input", Input).action_submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Apply the text; stay open on a refusal."""
        event.stop()
        try:
            result = self.apply(event.value)
        except PosError as exc:
            self.app.bell()
            self.query_one("#prompt-error", Static).update(str(exc))
            event.input.clear()
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)


class ConfirmScreen(ShowsUserErrors, ModalScreen[bool]):
    """A yes/no question: y or Enter confirms, n or Escape declines."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        """The question and the keys."""
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title", markup=False)
            yield Static("[b]y[/b] / Enter = yes    [b]n[/b] / Esc = no", classes="dialog-hint")
        yield KeysBar()

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)


class BusyScreen(ShowsUserErrors, ModalScreen[None]):
    """Slow work in progress (a report read in a thread): says what, takes no keys, and
    is closed by the flow that opened it."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        """What is being done."""
        with Vertical(classes="dialog"):
            yield Label(self.text, classes="dialog-title", markup=False)
            yield Static("Checking... one moment", classes="dialog-hint")
        yield KeysBar()
