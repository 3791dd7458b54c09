"""One field for logging in: employee number, Enter, PIN, Enter (or a badge, Enter).

One widget takes the whole sequence so that keys typed fast (or sent at once, as a
badge scanner or tmux does) are taken in order: with two fields, the PIN's first digits
could land in the number field before the focus moved. After the number the field masks
what is typed; Escape starts again.
"""

from __future__ import annotations

from textual.message import Message

from tui_pos.widgets.entry_line import EntryLine

#: An employee number is at most this many digits; anything else is a badge code.
MAX_CODE_DIGITS = 8

_ASK_CODE = "Employee number (or scan your badge)"


class CredentialsLine(EntryLine):
    """Posts :class:`Credentials` (number and PIN) or :class:`Badge`."""

    class Credentials(Message):
        """A number and a PIN were typed."""

        def __init__(self, code: str, pin: str) -> None:
            super().__init__()
            self.code = code
            self.pin = pin

    class Badge(Message):
        """A badge code was scanned (or typed) instead of a number."""

        def __init__(self, badge: str) -> None:
            super().__init__()
            self.badge = badge

    def __init__(self, **kwargs: object) -> None:
        super().__init__(placeholder=_ASK_CODE, **kwargs)  # type: ignore[arg-type]
        self.code: str | None = None

    def _emit(self, text: str) -> None:
        self.value = ""
        if self.code is None:
            typed = text.strip()
            if typed.isascii() and typed.isdigit() and len(typed) <= MAX_CODE_DIGITS:
                self.code = typed
                self.password = True
                self.placeholder = f"PIN for number {typed}"
            elif typed:
                self.post_message(self.Badge(typed))
            return
        code = self.code
        self.start_again()
        self.post_message(self.Credentials(code, text.strip()))

    def start_again(self) -> None:
        """Back to asking for the number."""
        self.code = None
        self.value = ""
        self.password = False
        self.placeholder = _ASK_CODE
