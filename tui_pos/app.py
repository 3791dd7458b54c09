"""The Textual application: it mounts the register and routes messages, nothing more.

Who does what (docs/DESIGN.md, "The App and its flows"):
- ``flows/session.py``: log-in, idle lock, badge hand-over;
- ``flows/cash.py`` and ``flows/records.py``: the Ctrl+K menu, no-sale, X/Z, staff tables;
- ``flows/links.py``: customer mail and the store server link;
- ``devices/hub.py``: scanner threads, the printer thread, drawer and customer display,
  posting past-tense messages (``messages.py``) that are routed here to the screens.
The App is built with its services by :func:`build_app` from the one factory's
:class:`~tui_pos.bootstrap.Till`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.binding import Binding

from tui_pos.bootstrap import Till
from tui_pos.crash_log import crash_log_path
from tui_pos.devices.hub import DeviceHub
from tui_pos.domain.errors import StorageError
from tui_pos.domain.staff import Action, Approval
from tui_pos.flows.cash import CashFlows
from tui_pos.flows.links import Links
from tui_pos.flows.records import RecordFlows
from tui_pos.flows.session import Session
from tui_pos.keymap_check import APP_BINDINGS, check_keymap
from tui_pos.messages import (
    BadgeScanned,
    BarcodeScanned,
    DeviceFailed,
    DeviceRecovered,
    DeviceStatusChanged,
    DrawerOpened,
    FlowRequested,
    LowStockReached,
    PaymentStarted,
    PrinterStatusChanged,
    ReprintRequested,
    SaleChanged,
    SaleCompleted,
)
from tui_pos.safe_app import SafeApp
from tui_pos.screens.authorize import with_permission
from tui_pos.screens.register import RegisterScreen, ScreenSettings
from tui_pos.screens.returns import StoreServices
from tui_pos.services import customer_display
from tui_pos.widgets.console_mode import (
    ASCII_STYLES,
    ASCII_THEME,
    key_word,
    use_plain_scrollbars,
    wants_ascii,
)
from tui_pos.widgets.keys_bar import SUSPENDED_CLASS

STYLES = Path(__file__).parent / "styles" / "app.tcss"


class PosApp(SafeApp[None]):
    """The till. It receives its services from :func:`build_app`."""

    CSS_PATH = STYLES
    TITLE = "tui-pos"
    ENABLE_COMMAND_PALETTE = False
    SUSPENDED_SCREEN_CLASS = SUSPENDED_CLASS  # a dialog hides the key bar beneath it
    # Screens get -narrow below 110 columns and -short below 30 rows (styles/app.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS = APP_BINDINGS

    def __init__(self, till: Till, login_hint: str = "") -> None:
        self.ascii = wants_ascii(till.config.display.ascii, os.environ)
        super().__init__(css_path=[STYLES, ASCII_STYLES] if self.ascii else None)
        self.till = till
        self.crash_log = crash_log_path(till.db_path)
        self.staff = till.staff  #: who is logged in (screens gate actions through it)
        self.hub = DeviceHub(self, till)
        self.session = Session(self, login_hint)
        self.cash = CashFlows(self)
        self.records = RecordFlows(self)
        self.links = Links(self)
        self._journal_problem: str | None = None
        store = till.config.store
        self.register_screen = RegisterScreen(
            till.register,
            ScreenSettings(
                store_name=store.name,
                till=store.till,
                currency=store.currency,
                quick_cash=tuple(store.quick_cash),
                printer_note=till.printer_note,
            ),
            StoreServices(
                returns=till.returns,
                stock=till.stock,
                online_orders=till.online_orders,
                permit=self.permit,
                remote=till.remote_returns,
            ),
            customers=till.customers,
            export_dir=till.db_path.parent / "exports",
            writer=till.sale_writer,
            receipt_mail=till.receipt_mail,
            receipts=till.receipts,
        )

    def permit(self, action: Action, what: str, then: Callable[[Approval], object]) -> None:
        """``with_permission`` on the screen on top: ``then(approval)`` at once if the
        cashier may do ``action``, else after someone's approval (audited either way)."""
        with_permission(self.screen, action, what, then)

    # -- start and stop ---------------------------------------------------------------
    def on_mount(self) -> None:
        """Apply the key map, open the register, start the session and the devices."""
        if self.ascii:
            self.theme = ASCII_THEME
            use_plain_scrollbars()
        self.set_keymap(dict(self.till.config.keymap))
        self.push_screen(self.register_screen)
        self.session.start()
        self.hub.start()
        self.call_after_refresh(self.links.start)  # not needed for the first frame

    def on_unmount(self) -> None:
        """Stop the scanner threads and the link; abandon the printer (owed stays queued)."""
        self.hub.stop()
        self.links.stop()

    async def on_event(self, event: events.Event) -> None:
        """Every key press counts as activity for the idle lock."""
        if isinstance(event, events.Key):
            self.session.key_pressed()
        await super().on_event(event)

    def get_key_display(self, binding: Binding) -> str:
        """Key names as a VT font can show them in ASCII mode (Up, Enter, F2)."""
        shown = super().get_key_display(binding)
        if self.ascii:
            modifiers, key = binding.parse_key()
            word = key_word(key)
            if word is not None:
                return "^" + word if modifiers == ["ctrl"] else "+".join([*modifiers, word])
        return shown

    # -- the App's keys ---------------------------------------------------------------
    async def action_quit(self) -> None:
        """Leave the register: whoever may quit (``[staff.permissions]``, managers by
        default), else after their approval. A till without staff quits at once."""
        if not self.staff.has_staff():
            self.exit()
            return
        with_permission(self.screen, Action.QUIT, "Quit the till", lambda _a: self.exit())

    def action_help(self) -> None:
        """Every key of this screen and what it does (F1 again or Esc closes it)."""
        from tui_pos.screens.help import HelpScreen, keys_of  # loaded on first use

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        title = type(self.screen).__doc__ or ""
        name = getattr(self.screen, "title_text", "") or title.strip().split("\n")[0]
        self.push_screen(HelpScreen(str(name), keys_of(self.screen)))

    # -- from the register screen -----------------------------------------------------
    def on_flow_requested(self, message: FlowRequested) -> None:
        """A register key that starts one of the App's flows."""
        if message.flow == "lock":
            self.session.lock()
        elif message.flow == "cash-menu":
            self.cash.start(self.cash.menu)
        elif message.flow == "no-sale":
            self.cash.start(self.cash.no_sale)
        elif message.flow == "print-queue":
            self.show_print_queue()
        elif message.flow == "reports":
            from tui_pos.screens.reports import ReportsScreen  # loaded on first use

            till = self.till
            self.push_screen(
                ReportsScreen(till.analysis, till.config.store.name, till.loyalty_analytics)
            )

    def on_badge_scanned(self, message: BadgeScanned) -> None:
        """An employee badge at the sale: that employee takes over."""
        self.session.switch_cashier(message.badge)

    def on_sale_completed(self, message: SaleCompleted) -> None:
        """Drawer, receipt and customer display follow a stored sale."""
        self.hub.sale_completed(message.doc)

    def on_reprint_requested(self, message: ReprintRequested) -> None:
        """Queue a copy of the receipt and print it."""
        try:
            self.hub.reprint(message.doc)
        except StorageError as exc:
            self.notify(str(exc), severity="error")

    def on_sale_changed(self, _message: SaleChanged) -> None:
        """Warn if the open sale is not crash-safe; the customer display follows the sale."""
        problem = self.till.cart_journal.problem
        if problem and problem != self._journal_problem:
            self.notify(problem, title="Crash journal", severity="error", timeout=60)
        self._journal_problem = problem
        if self.till.devices.display is None:
            return
        lines = self.till.register.cart.lines
        self.hub.show_on_display(
            customer_display.item(lines[-1])
            if lines
            else customer_display.welcome(self.till.config.store.name)
        )

    def on_payment_started(self, message: PaymentStarted) -> None:
        """Show the customer what is due."""
        currency = self.till.config.store.currency
        self.hub.show_on_display(customer_display.total(message.remaining_cents, currency))

    def show_print_queue(self) -> None:
        """List the receipts waiting; Enter retries them."""
        from tui_pos.screens.print_queue import PrintQueueScreen  # loaded on first use

        try:
            jobs = self.till.print_queue.pending()
        except StorageError as exc:
            self.notify(str(exc), severity="error")
            return
        if not jobs:
            self.notify("No receipt is waiting for the printer")
            return
        note = self.hub.printer_label or self.till.printer_note
        screen = PrintQueueScreen(jobs, self.till.config.store.till, note)
        self.push_screen(screen, lambda retry: self.hub.print_pending() if retry else None)

    # -- from the devices ---------------------------------------------------------------
    def on_barcode_scanned(self, message: BarcodeScanned) -> None:
        """Route a scan: to the screen on top if it takes scans (the sale, a price check),
        else it is refused with a beep (a scan never becomes an amount or a discount)."""
        accept = getattr(self.screen, "accept_scan", None)
        if accept is not None:
            accept(message.code)
        else:
            self.bell()
            self.notify(f"Scan {message.code} ignored: close this dialog first", severity="warning")

    def on_device_status_changed(self, message: DeviceStatusChanged) -> None:
        """A scanner went away (a fault on the top bar until it is back) or came back."""
        device = message.device or "Scanner"
        bar = self.register_screen.store_bar
        if message.ok:
            bar.device_recovered(device)
        else:
            bar.device_failed(device, "not connected", message.text)

    def on_device_failed(self, message: DeviceFailed) -> None:
        """One line per device on the top bar until it works again; details to the log."""
        self.register_screen.store_bar.device_failed(message.device, message.short, message.detail)

    def on_device_recovered(self, message: DeviceRecovered) -> None:
        """The device's fault leaves the top bar."""
        self.register_screen.store_bar.device_recovered(message.device)

    def on_printer_status_changed(self, message: PrinterStatusChanged) -> None:
        """The printer's state and the receipts waiting, on the top bar."""
        self.register_screen.store_bar.printer_status(message.label, message.waiting)

    def on_drawer_opened(self, message: DrawerOpened) -> None:
        """A no-sale: asked for by the cashier, so the answer is on the message line."""
        if message.problem:
            self.register_screen.say(f"Drawer not opened: {message.problem}", error=True)
        else:
            self.notify("Drawer opened (no sale recorded)")

    def on_low_stock_reached(self, message: LowStockReached) -> None:
        """Tell the cashier when a sale took items to or below their reorder level."""
        names = message.names
        shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
        self.notify(
            f"{shown} at or below the reorder level (Ctrl+G, l: low stock)",
            title="Low stock",
            severity="warning",
            timeout=20,
        )


def build_app(till: Till, login_hint: str = "") -> PosApp:
    """The app for a till built by :func:`tui_pos.bootstrap.open_till`."""
    check_keymap(till.config.keymap, till.config.source)
    return PosApp(till, login_hint)
