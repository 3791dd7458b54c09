"""The devices' line in the register's top bar: one fault per device until it clears.

A printer or drawer fault used to pop two toasts per sale, with the raw errno text, over
the cart. Now each device has at most one short fault on the top bar, which stays until
the device works again; the details (errno, the printer's answer) go to the log, and
``tui-pos devices list`` shows the printer's status and what waits.
"""

from __future__ import annotations

import logging

from rich.text import Text

logger = logging.getLogger("tui_pos.devices")


class DeviceLine:
    """What the top bar says about the devices: the faults, else the printer's state."""

    def __init__(self, note: str = "") -> None:
        self.note = note  #: the printer's state when all is well ("printer ready")
        self.waiting = 0  #: receipts waiting in the print queue
        self._faults: dict[str, str] = {}

    def fault(self, device: str, short: str, detail: str = "") -> bool:
        """Record that ``device`` fails (``short`` on screen, ``detail`` in the log).
        True when the line changed."""
        if detail:
            logger.warning("%s: %s", device, detail)
        if self._faults.get(device) == short:
            return False
        self._faults[device] = short
        return True

    def clear(self, device: str) -> bool:
        """``device`` works again. True when the line changed."""
        if self._faults.pop(device, None) is None:
            return False
        logger.info("%s: working again", device)
        return True

    @property
    def faults(self) -> dict[str, str]:
        """The devices that fail now, with what the bar says about each."""
        return dict(self._faults)

    def render(self) -> Text:
        """The devices' part of the top bar."""
        parts: list[Text] = []
        for device, short in self._faults.items():
            parts.append(Text(f"{device}: {short}", style="bold reverse red"))
        if "Printer" not in self._faults and self.note:
            parts.append(Text(self.note))
        if self.waiting:
            word = "receipt" if self.waiting == 1 else "receipts"
            parts.append(Text(f"{self.waiting} {word} waiting (Ctrl+P)", style="bold yellow"))
        return Text("  ·  ").join(parts)
