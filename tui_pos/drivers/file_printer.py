"""Receipt "printers" without hardware: a text file, or none (on-screen preview only)."""

from __future__ import annotations

from pathlib import Path

from tui_pos.domain.receipt import Receipt
from tui_pos.files import append_private, private_folder
from tui_pos.services.ports import DeviceError

CUT = "\n" + "~" * 12 + " cut " + "~" * 12 + "\n\n"


class FilePrinter:
    """Appends each receipt to a text file (one receipt after another, with a cut mark)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def print_receipt(self, receipt: Receipt) -> None:
        """Append one receipt and flush it to disk."""
        barcode = (
            f"\n{'[barcode ' + receipt.barcode + ']':^{receipt.width}}" if receipt.barcode else ""
        )
        for code in receipt.extra_barcodes:
            barcode += f"\n{'[barcode ' + code + ']':^{receipt.width}}"
        try:
            private_folder(self.path.parent)
            append_private(self.path, receipt.text + barcode + CUT)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise DeviceError(f"Receipt file {self.path} cannot be written: {reason}") from exc


class NullPrinter:
    """No printer: receipts are only shown on screen."""

    def print_receipt(self, receipt: Receipt) -> None:
        """Print nothing."""


class RecordingPrinter:
    """A fake printer for tests: keeps every receipt, or fails on demand."""

    def __init__(self, fail_with: str | None = None) -> None:
        self.receipts: list[list[str]] = []
        self.printed: list[Receipt] = []
        self.fail_with = fail_with

    def print_receipt(self, receipt: Receipt) -> None:
        """Record the receipt (or raise DeviceError if told to fail)."""
        if self.fail_with:
            raise DeviceError(self.fail_with)
        self.printed.append(receipt)
        self.receipts.append(list(receipt.lines))
