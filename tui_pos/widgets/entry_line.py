"""The entry line: scans and typed codes, one complete code per Enter, never merged.

A keyboard-wedge scanner types a code and Enter faster than the app handles messages.
Input's own Enter goes through a binding that runs later, so following keystrokes could
land in the same value (two codes merged) or be wiped by a clear. Here Enter (CR, or LF
as ``ctrl+j``) is handled in the key event itself, in order: the value is taken and
cleared at once and posted as :class:`EntryLine.CodeEntered`.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input

TERMINATORS = frozenset({"enter", "ctrl+j"})


class EntryLine(Input):
    """An Input that posts :class:`CodeEntered` for each Enter-terminated text."""

    class CodeEntered(Message):
        """A complete line was entered (scanned or typed)."""

        def __init__(self, entry: EntryLine, text: str) -> None:
            super().__init__()
            self.entry = entry
            self.text = text

    async def _on_key(self, event: events.Key) -> None:
        if event.key in TERMINATORS:
            event.stop()
            event.prevent_default()
            self._emit(self.value)
            return
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        # A scanner in a terminal that brackets fast input as a paste: each line is a code.
        event.stop()
        event.prevent_default()  # Input's own paste handler would insert the text again
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")
        *complete, rest = text.split("\n")
        for i, line in enumerate(complete):
            self._emit((self.value if i == 0 else "") + line)
        if rest:
            self.insert_text_at_cursor(rest)

    def _emit(self, text: str) -> None:
        self.value = ""
        self.post_message(self.CodeEntered(self, text))
