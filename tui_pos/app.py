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
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.binding import Binding
from textual.worker import get_current_worker

from tui_pos import startup_gc
from tui_pos.crash_log import crash_log_path
from tui_pos.domain.errors import PosError, StorageError
from tui_pos.domain.staff import Action
from tui_pos.keymap_check import APP_BINDINGS, check_keymap
from tui_pos.safe_app import SafeApp
from tui_pos.screens.authorize import LoginScreen, approval_for
from tui_pos.screens.dialogs import FLOW_GROUP, ask
from tui_pos.till_opening import TillOpening, first_frame, load_register_modules
from tui_pos.widgets.console_mode import (
    ASCII_STYLES,
    ASCII_THEME,
    key_word,
    use_plain_scrollbars,
    wants_ascii,
)
from tui_pos.widgets.keys_bar import SUSPENDED_CLASS

if TYPE_CHECKING:  # loaded behind the first frame (till_opening.REGISTER_MODULES)
    from textual.screen import Screen

    from tui_pos.bootstrap import Till
    from tui_pos.devices.hub import DeviceHub
    from tui_pos.domain.staff import Approval
    from tui_pos.flows.cash import CashFlows
    from tui_pos.flows.links import Links
    from tui_pos.flows.records import RecordFlows
    from tui_pos.flows.session import Session
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
    from tui_pos.screens.register import RegisterScreen
    from tui_pos.services.staff import Staff

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

    #: The till and what works on it: set when it is open (:attr:`opened`).
    till: Till
    staff: Staff  #: who is logged in (screens gate actions through it)
    hub: DeviceHub
    session: Session
    cash: CashFlows
    records: RecordFlows
    links: Links
    register_screen: RegisterScreen

    def __init__(self, till: Till | TillOpening, login_hint: str = "") -> None:
        first = till.first if isinstance(till, TillOpening) else first_frame(till.config)
        self.ascii = wants_ascii(first.ascii, os.environ)
        super().__init__(css_path=[STYLES, ASCII_STYLES] if self.ascii else None)
        self.first = first  #: what the first frame shows (the config's keys)
        self.crash_log = crash_log_path(till.db_path)
        self.login_hint = login_hint
        #: the till still to open behind the log-in screen (None: given open)
        self.opening = till if isinstance(till, TillOpening) else None
        self.opened = False  #: the till is open and its services run
        self.open_error: str | None = None  #: why the till could not be opened
        self._journal_problem: str | None = None
        if not isinstance(till, TillOpening):
            self._use_till(till)

    def _use_till(self, till: Till) -> None:
        """Build the flows, the device hub and the register screen on the open till."""
        from tui_pos.devices.hub import DeviceHub
        from tui_pos.flows.cash import CashFlows
        from tui_pos.flows.links import Links
        from tui_pos.flows.records import RecordFlows
        from tui_pos.flows.session import Session
        from tui_pos.screens.register import RegisterScreen, ScreenSettings
        from tui_pos.screens.returns import StoreServices

        self.till = till
        self.staff = till.staff
        self.hub = DeviceHub(self, till)
        self.records = RecordFlows(self)
        self.cash = CashFlows(self, self.records)
        self.session = Session(self, self.cash, self.login_hint)
        self.links = Links(self)
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
        self.opened = True

    async def permit(self, action: Action, what: str) -> Approval | None:
        """``approval_for`` on the screen on top, for a flow: the cashier's own approval if
        they may do ``action``, else someone's (audited either way); None if refused."""
        return await approval_for(self.screen, action, what)

    # -- start and stop ---------------------------------------------------------------
    def on_mount(self) -> None:
        """Apply the key map; open the register at once, or show the log-in screen (its
        field disabled) while the till opens in a thread behind it."""
        if self.ascii:
            self.theme = ASCII_THEME
            use_plain_scrollbars()
        self.set_keymap(dict(self.first.keymap))
        self.call_after_refresh(startup_gc.release)  # held until the first frame
        if self.opened:
            self._start()
            return
        self.call_after_refresh(self._open_behind_login)  # the first frame goes first

    def get_default_screen(self) -> Screen[Any]:
        """The first screen: the register on an open till, else the log-in screen (its
        field disabled) while the till opens behind it. Textual's blank default screen is
        never built (making, styling, resizing and hiding it took about 10 ms of the first
        frame)."""
        if self.opened:
            return self.register_screen
        return LoginScreen(None, self.first.store_name)

    def _open_behind_login(self) -> None:
        self.run_worker(self._open_till, thread=True, group="opening", name="open the till")

    def _open_till(self) -> None:
        """In a thread: load the register's modules, open the database (migrations, chain
        check) and build the services; the UI thread takes over with the open till."""
        assert self.opening is not None
        try:
            load_register_modules()
            till = self.opening.open()
        except (PosError, OSError) as exc:
            self.call_from_thread(self._not_opened, str(exc))
            return
        till.db.close()  # this thread's connection; the UI thread opens its own
        if get_current_worker().is_cancelled:  # the App is stopping
            till.close()
            return
        self.call_from_thread(self._till_opened, till)

    def _till_opened(self, till: Till) -> None:
        self._use_till(till)
        self._start()  # the session shows its own log-in screen

    def _not_opened(self, problem: str) -> None:
        """The database could not be opened: the CLI says why (exit status 1)."""
        self.open_error = problem
        self.exit()

    def _start(self) -> None:
        """Open the register (the first screen already, or over the log-in screen that
        waited, which stays beneath it as the bottom of the stack), start the session and
        the devices."""
        if self.screen is not self.register_screen:
            self.push_screen(self.register_screen)
        self.session.start()
        self.hub.start()
        self.call_after_refresh(self.links.start)  # not needed for the first frame

    def close_till(self) -> None:
        """Close the till this App ran on, if it was opened (the CLI, once the App ended)."""
        if self.opened:
            self.till.close()

    def on_unmount(self) -> None:
        """Stop the scanner threads and the link; abandon the printer (owed stays queued)."""
        if self.opened:
            self.hub.stop()
            self.links.stop()

    async def on_event(self, event: events.Event) -> None:
        """Every key press counts as activity for the idle lock."""
        if isinstance(event, events.Key) and self.opened:
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
        default), else after their approval. A till without staff quits at once; one
        still opening cannot tell yet (its database may be busy: the open gives up after
        ``database.busy_timeout_ms`` and the App ends with the reason)."""
        if not self.opened:
            self.notify("Opening the till: quit when it is open", severity="warning")
            return
        if not self.staff.has_staff():
            self.exit()
            return
        self._quit_if_approved(approval_for(self.screen, Action.QUIT, "Quit the till"))

    @work(group=FLOW_GROUP)
    async def _quit_if_approved(self, approved: Awaitable[Approval | None]) -> None:
        if await approved is not None:
            self.exit()

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
        from tui_pos.services import customer_display

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
        from tui_pos.services import customer_display

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
        self._retry_printing(ask(self, PrintQueueScreen(jobs, self.till.config.store.till, note)))

    @work(group=FLOW_GROUP)
    async def _retry_printing(self, retry: Awaitable[bool]) -> None:
        """Enter on the print queue (True) prints what waits."""
        if await retry:
            self.hub.print_pending()

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
