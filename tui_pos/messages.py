"""Messages that cross the UI: scans and device news, posted from threads or widgets."""

from __future__ import annotations

from textual.message import Message


class BarcodeScanned(Message):
    """A scanner read a complete code (a device thread, or a keyboard-wedge scan typed
    into a dialog's field and recognised by its content)."""

    def __init__(self, code: str, source: str) -> None:
        super().__init__()
        self.code = code
        self.source = source


class DeviceStatusChanged(Message):
    """A device reported trouble or recovery (shown to the cashier)."""

    def __init__(self, text: str, ok: bool, device: str = "") -> None:
        super().__init__()
        self.text = text
        self.ok = ok
        self.device = device  #: which device ("Scanner evdev"), for the top bar
