"""Receipt "printers" without hardware: a text file, or none (on-screen preview only)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from tui_pos.services.ports import DeviceError

CUT = "\n" + "~" * 12 + " cut " + "~" * 12 + "\n\n"


class FilePrinter:
    """Appends each receipt to a text file (one receipt after another, with a cut mark)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def print_lines(self, lines: Sequence[str]) -> None:
        """Append one receipt and flush it to disk."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write("\n".join(lines) + CUT)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise DeviceError(f"Receipt file {self.path} cannot be written: {reason}") from exc


class NullPrinter:
    """No printer: receipts are only shown on screen."""

    def print_lines(self, lines: Sequence[str]) -> None:
        """Print nothing."""


class RecordingPrinter:
    """A fake printer for tests: keeps every receipt, or fails on demand."""

    def __init__(self, fail_with: str | None = None) -> None:
        self.receipts: list[list[str]] = []
        self.fail_with = fail_with

    def print_lines(self, lines: Sequence[str]) -> None:
        """Record the receipt (or raise DeviceError if told to fail)."""
        if self.fail_with:
            raise DeviceError(self.fail_with)
        self.receipts.append(list(lines))
