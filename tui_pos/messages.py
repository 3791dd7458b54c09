"""Messages that cross the UI: past-tense facts posted from threads, the hub or screens.

Devices (posted by :class:`tui_pos.devices.hub.DeviceHub` or a scanner thread, both
thread-safe): ``BarcodeScanned``, ``DeviceStatusChanged``, ``DeviceFailed``,
``DeviceRecovered``, ``PrinterStatusChanged``, ``DrawerOpened``, ``LowStockReached``.
The register screen (bubbling up to the App, which routes them): ``SaleChanged``,
``PaymentStarted``, ``SaleCompleted``, ``ReprintRequested``, ``BadgeScanned`` and
``FlowRequested`` (a key of the register that starts one of the App's flows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from textual.message import Message

if TYPE_CHECKING:  # the log-in screen's input posts these before the till's modules load
    from tui_pos.domain.sale import SaleDocument


class BarcodeScanned(Message):
    """A scanner read a complete code (a device thread, or a keyboard-wedge scan typed
    into a dialog's field and recognised by its content)."""

    def __init__(self, code: str, source: str) -> None:
        super().__init__()
        self.code = code
        self.source = source


class DeviceStatusChanged(Message):
    """A scanner reported trouble or recovery (shown to the cashier)."""

    def __init__(self, text: str, ok: bool, device: str = "") -> None:
        super().__init__()
        self.text = text
        self.ok = ok
        self.device = device  #: which device ("Scanner evdev"), for the top bar


class DeviceFailed(Message):
    """A device failed: ``short`` goes on the top bar, ``detail`` to the log."""

    def __init__(self, device: str, short: str, detail: str = "") -> None:
        super().__init__()
        self.device = device
        self.short = short
        self.detail = detail


class DeviceRecovered(Message):
    """A device worked again (its fault leaves the top bar)."""

    def __init__(self, device: str) -> None:
        super().__init__()
        self.device = device


class PrinterStatusChanged(Message):
    """The printer's state (``label``, empty: not known) and the receipts waiting."""

    def __init__(self, label: str, waiting: int) -> None:
        super().__init__()
        self.label = label
        self.waiting = waiting


class DrawerOpened(Message):
    """A no-sale kick was sent (``problem`` empty) or was not (``problem`` says why)."""

    def __init__(self, problem: str = "") -> None:
        super().__init__()
        self.problem = problem


class LowStockReached(Message):
    """A sale took these products to or below their reorder level."""

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names


class SaleChanged(Message):
    """The open sale changed (the customer display follows it)."""


class PaymentStarted(Message):
    """The payment screen opened: ``remaining_cents`` is due."""

    def __init__(self, remaining_cents: int) -> None:
        super().__init__()
        self.remaining_cents = remaining_cents


class SaleCompleted(Message):
    """A paid sale is stored: drawer, receipt and display follow."""

    def __init__(self, doc: SaleDocument) -> None:
        super().__init__()
        self.doc = doc


class ReprintRequested(Message):
    """The cashier asked for a copy of this sale's receipt."""

    def __init__(self, doc: SaleDocument) -> None:
        super().__init__()
        self.doc = doc


class BadgeScanned(Message):
    """An employee badge was scanned at the sale: that employee takes over the till."""

    def __init__(self, badge: str) -> None:
        super().__init__()
        self.badge = badge


#: The App's flows a register key starts (Ctrl+O, Ctrl+P, Ctrl+K, Ctrl+L, Ctrl+R).
Flow = Literal["no-sale", "print-queue", "cash-menu", "lock", "reports"]


class FlowRequested(Message):
    """A register key asked for one of the App's flows."""

    def __init__(self, flow: Flow) -> None:
        super().__init__()
        self.flow = flow
