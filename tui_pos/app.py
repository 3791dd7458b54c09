"""The Textual application: the register screen, with devices driven from worker threads.

Everything that blocks on a device runs in a thread owned by the App (so a receipt does not
die with a closed screen): printing goes through the persistent print queue, the drawer kick
has a deadline, the customer display shows only the latest state, scanner devices are read
by long-lived threads that post :class:`BarcodeScanned`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from difflib import get_close_matches
from functools import partial
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from tui_pos.bootstrap import Till
from tui_pos.domain.errors import ConfigError
from tui_pos.domain.sale import SaleDocument
from tui_pos.messages import BarcodeScanned, DeviceStatusChanged
from tui_pos.screens.dialogs import ConfirmScreen, PromptScreen
from tui_pos.screens.print_queue import PrintQueueScreen
from tui_pos.screens.receipt import ReceiptScreen
from tui_pos.screens.register import RegisterActions, RegisterScreen, ScreenSettings
from tui_pos.screens.resume import ResumeScreen
from tui_pos.screens.search import SearchScreen
from tui_pos.screens.tender import TenderScreen
from tui_pos.services import customer_display
from tui_pos.services.ports import DeviceError, StorageError
from tui_pos.services.printing import describe_failure

STYLES = Path(__file__).parent / "styles" / "app.tcss"

#: How often the printer is asked for its status (seconds).
STATUS_POLL_SECONDS = 10.0


class PosApp(App[None]):
    """The till. It receives its services from :func:`build_app`."""

    CSS_PATH = STYLES
    TITLE = "tui-pos"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit", priority=True)]

    def __init__(self, till: Till) -> None:
        super().__init__()
        self.till = till
        self._stop_scanners = threading.Event()
        self._display_shown: tuple[str, str] | None = None
        self._journal_problem: str | None = None
        self._printer_label = ""  #: the printer's last reported state, for the top bar

    # -- start and stop ---------------------------------------------------------------
    def on_mount(self) -> None:
        """Apply the key map, open the register, start the devices."""
        self.set_keymap(dict(self.till.config.keymap))
        store = self.till.config.store
        settings = ScreenSettings(
            store_name=store.name,
            till=store.till,
            currency=store.currency,
            quick_cash=tuple(store.quick_cash),
            printer_note=self.till.printer_note,
        )
        actions = RegisterActions(
            after_sale=self.after_sale,
            reprint=self.reprint,
            preview=self.preview,
            no_sale=self.no_sale,
            print_queue=self.show_print_queue,
            sale_changed=self.sale_changed,
            payment_started=self.payment_started,
        )
        self.register_screen = RegisterScreen(self.till.register, settings, actions)
        self.push_screen(self.register_screen)
        for source in self.till.devices.scanners:
            threading.Thread(
                target=source.run,
                args=(
                    partial(self._scanned, source.name),
                    self._device_status,
                    self._stop_scanners,
                ),
                name=f"scanner {source.name}",
                daemon=True,
            ).start()
        if self.till.devices.status_printer is not None:
            self.set_interval(STATUS_POLL_SECONDS, self.poll_printer)
            self.poll_printer()
        self._in_thread(self._print_pending, "print")  # receipts left from before

    def on_unmount(self) -> None:
        """Let the scanner threads finish."""
        self._stop_scanners.set()

    def _in_thread(self, work: Callable[[], None], group: str, exclusive: bool = False) -> None:
        self.run_worker(work, thread=True, group=group, exclusive=exclusive, exit_on_error=False)

    # -- scanners -----------------------------------------------------------------------
    def _scanned(self, source: str, code: str) -> None:
        self.post_message(BarcodeScanned(code, source))  # thread-safe

    def _device_status(self, text: str, ok: bool) -> None:
        self.post_message(DeviceStatusChanged(text, ok))  # thread-safe

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
        """Tell the cashier a device went away or came back."""
        self.notify(message.text, severity="information" if message.ok else "error")

    # -- printing -----------------------------------------------------------------------
    def after_sale(self, doc: SaleDocument) -> None:
        """After a stored sale: drawer (if cash), then the receipt, then the display."""
        asked_at = time.monotonic()
        self.show_on_display(
            customer_display.change(doc.paid_cents + doc.change_cents, doc.change_cents)
        )
        self._in_thread(partial(self._after_sale_blocking, doc, asked_at), "print")

    def _after_sale_blocking(self, doc: SaleDocument, asked_at: float) -> None:
        problem = self.till.drawer.open_for_sale(doc, asked_at)
        if problem:
            self.call_from_thread(self.notify, problem, severity="warning", timeout=15)
        self._print_pending()

    def _print_pending(self) -> None:
        try:
            run = self.till.print_queue.run()
            waiting = len(self.till.print_queue.pending())
        except StorageError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=30)
            return
        if run.failed is not None:
            self.call_from_thread(
                self.notify,
                describe_failure(run, self.till.config.store.till)
                + ". The sale is stored; the receipt waits (Ctrl+P).",
                title="Receipt not printed",
                severity="error",
                timeout=30,
            )
        self.call_from_thread(self._show_waiting, waiting)

    def _show_waiting(self, waiting: int) -> None:
        note = f"{waiting} receipt{'s' if waiting > 1 else ''} waiting" if waiting else ""
        status = self._printer_label
        self.register_screen.set_device_status("  ·  ".join(x for x in (status, note) if x))

    def poll_printer(self) -> None:
        """Ask the printer how it is (in a thread); print waiting receipts when it is back."""
        self._in_thread(self._poll_printer_blocking, "printer-status", exclusive=True)

    def _poll_printer_blocking(self) -> None:
        printer = self.till.devices.status_printer
        assert printer is not None
        status = printer.status()
        self._printer_label = status.label
        try:
            waiting = len(self.till.print_queue.pending())
        except StorageError:
            waiting = 0
        if status.ready and waiting:
            self._print_pending()
        else:
            self.call_from_thread(self._show_waiting, waiting)

    def reprint(self, doc: SaleDocument) -> None:
        """Queue a copy of a receipt and print it."""
        try:
            self.till.print_queue.queue_copy(doc)
        except StorageError as exc:
            self.notify(str(exc), severity="error")
            return
        self._in_thread(self._print_pending, "print")

    def show_print_queue(self) -> None:
        """List the receipts waiting; Enter retries them."""
        try:
            jobs = self.till.print_queue.pending()
        except StorageError as exc:
            self.notify(str(exc), severity="error")
            return
        if not jobs:
            self.notify("No receipt is waiting for the printer")
            return

        def closed(retry: bool | None) -> None:
            if retry:
                self._in_thread(self._print_pending, "print")

        store = self.till.config.store
        note = self._printer_label or self.till.printer_note
        self.push_screen(PrintQueueScreen(jobs, store.till, note), closed)

    def preview(self, doc: SaleDocument) -> None:
        """Show a sale's receipt on screen."""
        self.push_screen(ReceiptScreen(self.till.receipts.lines(doc)))

    # -- drawer -------------------------------------------------------------------------
    def no_sale(self) -> None:
        """Open the drawer without a sale."""
        asked_at = time.monotonic()

        def kick() -> None:
            try:
                problem = self.till.drawer.no_sale(asked_at)
            except StorageError as exc:
                problem = str(exc)
            if problem:
                self.call_from_thread(self.notify, problem, severity="warning")
            else:
                self.call_from_thread(self.notify, "Drawer opened (no sale recorded)")

        self._in_thread(kick, "drawer")

    # -- customer display -----------------------------------------------------------------
    def sale_changed(self) -> None:
        """Warn if the open sale is not crash-safe; update the customer display."""
        problem = self.till.cart_journal.problem
        if problem and problem != self._journal_problem:
            self.notify(problem, title="Crash journal", severity="error", timeout=60)
        self._journal_problem = problem
        if self.till.devices.display is None:
            return
        register = self.till.register
        if register.cart.lines:
            lines = customer_display.item(register.cart.lines[-1])
        else:
            lines = customer_display.welcome(self.till.config.store.name)
        self.show_on_display(lines)

    def payment_started(self) -> None:
        """Show the customer what is due."""
        state = self.till.register.tender_state()
        self.show_on_display(
            customer_display.total(state.remaining_cents, self.till.config.store.currency)
        )

    def show_on_display(self, lines: tuple[str, str]) -> None:
        """Send two lines to the customer display (latest wins; failures are shown)."""
        display = self.till.devices.display
        if display is None or lines == self._display_shown:
            return
        self._display_shown = lines

        def show() -> None:
            try:
                display.show(*lines)
            except DeviceError as exc:
                self._display_shown = None
                self.call_from_thread(self.notify, str(exc), severity="warning")

        self._in_thread(show, "display", exclusive=True)


_SCREENS = (
    RegisterScreen,
    TenderScreen,
    SearchScreen,
    ResumeScreen,
    ReceiptScreen,
    PromptScreen,
    ConfirmScreen,
    PrintQueueScreen,
)


def binding_ids() -> set[str]:
    """Every binding id a ``[keymap]`` entry may name."""
    bindings = [*PosApp.BINDINGS]
    for screen in _SCREENS:
        bindings += screen.BINDINGS
    return {b.id for b in bindings if isinstance(b, Binding) and b.id}


def check_keymap(keymap: Mapping[str, str]) -> None:
    """Refuse a ``[keymap]`` entry that names no binding (a typo would silently do nothing)."""
    known = binding_ids()
    for name in keymap:
        if name not in known:
            close = get_close_matches(name, sorted(known), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise ConfigError(f"keymap.{name}: no key has this id{hint}")


def build_app(till: Till) -> PosApp:
    """The app for a till built by :func:`tui_pos.bootstrap.open_till`."""
    check_keymap(till.config.keymap)
    return PosApp(till)
