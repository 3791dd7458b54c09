"""The command line without click (the lean starts of the register and of the two reports
do not load it): the global options read by hand, what it says on stderr and how it ends
(a user error as its message and exit code 1, the terminal check, a new recovery code)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from tui_pos.domain.errors import PosError

_USER_ERRORS = (PosError, OSError)


def global_options(argv: Sequence[str]) -> tuple[dict[str, str], list[str]] | None:
    """The leading ``--config P`` and ``--db P`` of a command line read by hand (by the
    lean starts), each at most once and written ``--name value``, and the arguments after
    them; None when they are written any other way (click reads that command line)."""
    args = list(argv)
    found: dict[str, str] = {}
    while args and args[0] in ("--config", "--db"):
        if len(args) < 2 or args[0] in found or args[1].startswith("-"):
            return None
        found[args[0]] = args[1]
        args = args[2:]
    return found, args


def say(text: str) -> None:
    """One message on stderr, for the person at the till."""
    print(text, file=sys.stderr, flush=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a user error into a message on stderr and exit code 1 (no traceback)."""
    try:
        yield
    except _USER_ERRORS as exc:
        say(f"tui-pos: {exc}")
        sys.exit(1)


def on_terminal(streams: tuple[TextIO, ...] = ()) -> bool:
    """True when every stream (stdin and stdout by default) is a terminal."""
    for stream in streams or (sys.stdin, sys.stdout):
        try:
            if not stream.isatty():
                return False
        except (AttributeError, ValueError):
            return False
    return True


def require_terminal(streams: tuple[TextIO, ...] = ()) -> None:
    """Refuse to open the register without a terminal to draw it on (exit 1)."""
    if not on_terminal(streams):
        say(
            "tui-pos: the register needs a terminal (stdin and stdout are not one); "
            "run it on a console or in a terminal. See docs/kiosk.md for a till that "
            "starts by itself."
        )
        sys.exit(1)


def show_new_recovery_code(code: str | None, db_path: Path) -> None:
    """The recovery code this open issued (a database's first), if it issued one."""
    if code is not None:
        show_recovery_code(code, f"New database {db_path}: its")


def show_recovery_code(code: str, lead: str) -> None:
    """A recovery code on stderr (after ``lead``): shown this once, kept nowhere else."""
    say(
        f"{lead} recovery code is {code}\n"
        "  Write it down and keep it away from the till: it is shown only now, and it is "
        "the way back if the PIN key file is lost (tui-pos staff reset-key)."
    )
