"""A dialog's text field that lets a keyboard-wedge scan through as a scan.

A scanner that types like a keyboard types wherever the focus is. When Enter completes a
valid GTIN in a dialog's field (an amount, a discount, a search), that is a scan, not what
the field asks for: it is taken out of the field and posted as :class:`BarcodeScanned`
for the app to route, and the field's own Enter does not happen.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from tui_pos.messages import BarcodeScanned

KEYBOARD_SOURCE = "keyboard"


def looks_scanned(text: str) -> bool:
    """A complete GTIN (EAN-8, UPC-A, EAN-13, GTIN-14 with a valid check digit)."""
    # the barcode rules load with the register, behind the log-in screen's first frame
    from tui_pos.domain.barcode import is_valid_gtin

    return is_valid_gtin(text.strip())


class ScanAwareInput(Input):
    """An Input whose Enter on a complete GTIN becomes a scan."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key in ("enter", "ctrl+j") and looks_scanned(self.value):
            event.stop()
            event.prevent_default()
            code = self.value.strip()
            self.value = ""
            self.post_message(BarcodeScanned(code, KEYBOARD_SOURCE))
            return
        await super()._on_key(event)
