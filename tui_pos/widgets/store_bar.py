"""The register's top bar: store, till, cashier, the devices and the store server link.

A device fault comes first (it stays there until the device works again), so 80 columns
never hide it; once the printer has reported, its state says more than where it is.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui_pos.widgets.device_line import DeviceLine


class StoreBar(Static):
    """One row: store, till, cashier, devices (faults first), sync state."""

    def __init__(
        self, store_name: str, till: str, printer_note: str, *, id: str | None = None
    ) -> None:
        self.store_name = store_name
        self.till = till
        self.printer_note = printer_note
        self.cashier = ""
        self.sync_status = ""
        self.devices = DeviceLine(printer_note)  #: the devices' faults and the queue
        super().__init__(self._bar(), id=id)

    def _bar(self) -> Text:
        devices = self.devices.render()
        if not devices.plain:
            devices = Text(self.printer_note)
        parts = [Text(self.store_name, style="bold"), Text(f"till {self.till}")]
        if self.cashier:
            parts.append(Text(self.cashier, style="bold"))
        if self.devices.faults:
            parts.insert(0, devices)
        else:
            parts.append(devices)
        if self.sync_status:
            parts.append(Text(self.sync_status))
        bar = Text("  ·  ").join(parts)
        bar.no_wrap = True
        bar.overflow = "ellipsis"
        return bar

    def _show(self) -> None:
        self.update(self._bar())

    def set_cashier(self, text: str) -> None:
        """Who is logged in."""
        self.cashier = text
        self._show()

    def set_sync_status(self, text: str) -> None:
        """The store server link's state (online / N waiting / offline / conflict)."""
        self.sync_status = text
        self._show()

    def device_failed(self, device: str, short: str, detail: str = "") -> None:
        """``device`` fails: ``short`` here until it works again, ``detail`` to the log."""
        if self.devices.fault(device, short, detail):
            self._show()

    def device_recovered(self, device: str) -> None:
        """``device`` works again."""
        if self.devices.clear(device):
            self._show()

    def printer_status(self, label: str, waiting: int) -> None:
        """The printer's state (empty: where receipts go) and the receipts waiting."""
        self.devices.note = label or self.printer_note
        self.devices.waiting = waiting
        self._show()
