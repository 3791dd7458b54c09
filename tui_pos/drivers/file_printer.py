"""Receipt "printers" without hardware: a text file, or none (on-screen preview only)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tui_pos.domain.errors import DeviceError
from tui_pos.domain.receipt import Receipt
from tui_pos.files import PRIVATE_DIR, open_private
from tui_pos.services.ports import PrinterStatus, SendHook

CUT = "\n" + "~" * 12 + " cut " + "~" * 12 + "\n\n"
#: Written before the next receipt when the last one was cut short (a crash mid-write).
INTERRUPTED = "\n*** receipt interrupted ***" + CUT


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


class FilePrinter:
    """Appends each receipt to a text file (one receipt after another, with a cut mark).

    A write is confirmed by ``fsync``. The mark of a send is ``offset:length:digest``, so
    ``delivered`` can tell after a crash whether that receipt is in the file. The file's
    folder is created when missing, but not its parents: a folder that is not there (an
    unmounted stick, a typo) is reported, and the status poll retries until it is back.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def _data(receipt: Receipt) -> bytes:
        barcode = (
            f"\n{'[barcode ' + receipt.barcode + ']':^{receipt.width}}" if receipt.barcode else ""
        )
        for code in receipt.extra_barcodes:
            barcode += f"\n{'[barcode ' + code + ']':^{receipt.width}}"
        return (receipt.text + barcode + CUT).encode("utf-8")

    def _error(self, exc: OSError) -> DeviceError:
        if isinstance(exc, FileNotFoundError):
            return DeviceError(f"Receipt folder {self.path.parent} is missing")
        reason = exc.strerror or str(exc)
        return DeviceError(f"Receipt file {self.path} cannot be written: {reason}")

    def print_receipt(self, receipt: Receipt, before_send: SendHook | None = None) -> None:
        """Append one receipt and fsync it; raises DeviceError if it cannot be written."""
        data = self._data(receipt)
        try:
            if not self.path.parent.is_dir():
                self.path.parent.mkdir(mode=PRIVATE_DIR)  # not its parents: see the class docstring
            fd = open_private(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)  # 0600
        except OSError as exc:
            raise self._error(exc) from exc
        try:
            size = os.fstat(fd).st_size
            if not self._ends_with_cut(size):  # the last write was cut short (a crash)
                data = INTERRUPTED.encode("utf-8") + data
            if before_send is not None:
                before_send(f"{size}:{len(data)}:{_digest(data)}")
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError as exc:
            raise self._error(exc) from exc
        finally:
            os.close(fd)

    def _ends_with_cut(self, size: int) -> bool:
        if size == 0:
            return True
        tail = CUT.encode("utf-8")
        with self.path.open("rb") as existing:
            existing.seek(max(size - len(tail), 0))
            return existing.read(len(tail)) == tail

    def delivered(self, mark: str) -> bool | None:
        """Whether the receipt sent with ``mark`` is in the file: whole (True), not at all
        (False, the file ends where it was to start), or None (cut short, or unreadable)."""
        try:
            offset_text, length_text, digest = mark.split(":")
            offset, length = int(offset_text), int(length_text)
        except ValueError:
            return None
        try:
            with self.path.open("rb") as existing:
                size = os.fstat(existing.fileno()).st_size
                if size <= offset:
                    return False
                existing.seek(offset)
                return True if _digest(existing.read(length)) == digest else None
        except OSError:
            return None

    def status(self) -> PrinterStatus:
        """Ready when the receipt file (or its folder, to create it in) can be written."""
        folder = self.path.parent
        if not folder.is_dir():
            if folder.parent.is_dir() and os.access(folder.parent, os.W_OK):
                return PrinterStatus(online=True, detail="file")
            return PrinterStatus(online=False, detail="receipt folder missing")
        target = self.path if self.path.exists() else folder
        if not os.access(target, os.W_OK):
            what = "receipt file" if target == self.path else "receipt folder"
            return PrinterStatus(online=False, detail=f"{what} read-only")
        return PrinterStatus(online=True, detail="file")

    def abort(self) -> None:
        """Nothing to abort: a write to a local file does not hang."""


class NullPrinter:
    """No printer: receipts are only shown on screen."""

    def print_receipt(self, receipt: Receipt, before_send: SendHook | None = None) -> None:
        """Print nothing (a receipt with nowhere to go is done at once)."""
        if before_send is not None:
            before_send("")

    def delivered(self, mark: str) -> bool | None:
        """Always True: there is nothing to print."""
        return True

    def abort(self) -> None:
        """Nothing to abort."""


class RecordingPrinter:
    """A fake printer for tests: keeps every receipt, or fails on demand."""

    def __init__(self, fail_with: str | None = None) -> None:
        self.receipts: list[list[str]] = []
        self.printed: list[Receipt] = []
        self.fail_with = fail_with

    def print_receipt(self, receipt: Receipt, before_send: SendHook | None = None) -> None:
        """Record the receipt (or raise DeviceError, before sending, if told to fail)."""
        if self.fail_with:
            raise DeviceError(self.fail_with)
        if before_send is not None:
            before_send(str(len(self.printed)))
        self.printed.append(receipt)
        self.receipts.append(list(receipt.lines))

    def delivered(self, mark: str) -> bool | None:
        """Whether the receipt sent with ``mark`` (its index) was recorded."""
        return mark.isdigit() and int(mark) < len(self.printed)

    def abort(self) -> None:
        """Nothing to abort."""
