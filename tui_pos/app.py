"""The Textual application: the register screen, with devices driven from worker threads.

Everything that blocks on a device runs in a thread owned by the App (so a receipt does not
die with a closed screen): printing goes through the persistent print queue, the drawer kick
has a deadline, the customer display shows only the latest state, scanner devices are read
by long-lived threads that post :class:`BarcodeScanned`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from difflib import get_close_matches
from functools import partial
from pathlib import Path
from typing import Any

from textual import events
from textual.binding import Binding
from textual.screen import Screen

from tui_pos.bootstrap import Till
from tui_pos.config.schema import Source
from tui_pos.crash_log import crash_log_path
from tui_pos.domain.analysis import AnalysisReport, DateRange
from tui_pos.domain.cash import CashKind, Denomination, denominations, parse_amount
from tui_pos.domain.errors import ConfigError, DomainError
from tui_pos.domain.money import format_money
from tui_pos.domain.receipt import text_receipt
from tui_pos.domain.report import DayReport
from tui_pos.domain.report_rows import report_rows
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action, Approval, Employee
from tui_pos.keymap_check import conflicts
from tui_pos.messages import BarcodeScanned, DeviceStatusChanged
from tui_pos.safe_app import SafeApp
from tui_pos.screens.authorize import LoginScreen, OverrideScreen, with_permission
from tui_pos.screens.dialogs import ConfirmScreen, PromptScreen
from tui_pos.screens.register import RegisterActions, RegisterScreen, ScreenSettings
from tui_pos.screens.returns import StoreServices
from tui_pos.services import customer_display
from tui_pos.services.ports import DeviceError, StorageError
from tui_pos.services.printer_thread import PrinterThread
from tui_pos.services.printing import describe_failure
from tui_pos.services.staff import audit_report, hours_report
from tui_pos.sync.link import SyncLink, open_link
from tui_pos.widgets.console_mode import (
    ASCII_STYLES,
    ASCII_THEME,
    key_word,
    use_plain_scrollbars,
    wants_ascii,
)
from tui_pos.widgets.device_line import DeviceLine
from tui_pos.widgets.keys_bar import SUSPENDED_CLASS

STYLES = Path(__file__).parent / "styles" / "app.tcss"

#: How often the printer is asked for its status (seconds).
STATUS_POLL_SECONDS = 10.0
#: How often queued customer mail is looked at (delivery honours [mail] rate_per_minute).
MAIL_POLL_SECONDS = 30.0
#: How often the top bar reads the store server link's state.
SYNC_STATUS_SECONDS = 2.0

#: How often the idle lock looks at the time since the last key (seconds).
IDLE_CHECK_SECONDS = 5.0


class PosApp(SafeApp[None]):
    """The till. It receives its services from :func:`build_app`."""

    CSS_PATH = STYLES
    TITLE = "tui-pos"
    ENABLE_COMMAND_PALETTE = False
    SUSPENDED_SCREEN_CLASS = SUSPENDED_CLASS  # a dialog hides the key bar beneath it
    # Screens get -narrow below 110 columns and -short below 30 rows (styles/app.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),  # also on every screen: see keys_bar
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, till: Till, login_hint: str = "") -> None:
        self.ascii = wants_ascii(till.config.display.ascii, os.environ)
        super().__init__(css_path=[STYLES, ASCII_STYLES] if self.ascii else None)
        self.till = till
        self.crash_log = crash_log_path(till.db_path)
        self.login_hint = login_hint  #: shown on the log-in screen (the demo's staff)
        self._stop_scanners = threading.Event()
        self._display_shown: tuple[str, str] | None = None
        self._journal_problem: str | None = None
        self._printer_label = ""  #: the printer's last reported state, for the top bar
        self.devices_line = DeviceLine(till.printer_note)  #: the devices on the top bar
        self.staff = till.staff  #: who is logged in (screens gate actions through it)
        self._last_key = time.monotonic()
        self._z_recount: Callable[[], None] = lambda: None  #: the count screen again
        #: receipts, status polls, drawer kicks: abandoned at quit (never waited for)
        self.printer_thread = PrinterThread(till.devices.printer, self._printer_task_failed)
        self.sync_link: SyncLink | None = None

    def permit(self, action: str, what: str, then: Callable[[], None]) -> None:
        """Run ``then`` if the cashier may do ``action`` (an ``Action`` member name), else
        after a manager's approval (``with_permission``: recorded in the audit log)."""
        with_permission(self.screen, Action[action], what, lambda _approval: then())

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

    # -- start and stop ---------------------------------------------------------------
    def get_key_display(self, binding: Binding) -> str:
        """Key names as a VT font can show them in ASCII mode (Up, Enter, F2)."""
        shown = super().get_key_display(binding)
        if self.ascii:
            modifiers, key = binding.parse_key()
            word = key_word(key)
            if word is not None:
                return "^" + word if modifiers == ["ctrl"] else "+".join([*modifiers, word])
        return shown

    def on_mount(self) -> None:
        """Apply the key map, open the register, start the devices."""
        if self.ascii:
            self.theme = ASCII_THEME
            use_plain_scrollbars()
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
            lock=self.lock_till,
            cash_menu=self.cash_menu,
            switch_cashier=self.switch_cashier,
            reports=self.show_reports,
        )
        services = StoreServices(
            returns=self.till.returns,
            stock=self.till.stock,
            online_orders=self.till.online_orders,
            permit=self.permit,
        )
        self.register_screen = RegisterScreen(
            self.till.register,
            settings,
            actions,
            services,
            customers=self.till.customers,
            export_dir=self.till.db_path.parent / "exports",
            writer=self.till.sale_writer,
            receipt_mail=self.till.receipt_mail,
        )
        self.push_screen(self.register_screen)
        if self.staff.current is None:
            self.require_login()
        else:
            self._logged_in(self.staff.current, greet=False)
        if self.staff.settings.lock_after_idle_seconds:
            self.set_interval(IDLE_CHECK_SECONDS, self.lock_if_idle)
        for source in self.till.devices.scanners:
            threading.Thread(
                target=source.run,
                args=(
                    partial(self._scanned, source.name),
                    partial(self._device_status, f"Scanner {source.name}"),
                    self._stop_scanners,
                ),
                name=f"scanner {source.name}",
                daemon=True,
            ).start()
        if self.till.devices.status_printer is not None:
            self.set_interval(STATUS_POLL_SECONDS, self.poll_printer)
            self.poll_printer()
        self._on_printer(self._print_pending)  # receipts left from before
        if self.till.outbox.configured:  # customer mail goes out from a thread, never here
            self.set_interval(MAIL_POLL_SECONDS, self.deliver_mail)
        self._start_sync()

    # -- staff ------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        """Every key press counts as activity for the idle lock."""
        if isinstance(event, events.Key):
            self._last_key = time.monotonic()
        await super().on_event(event)

    def lock_if_idle(self) -> None:
        """Lock the till after the configured time without a key press."""
        limit = self.staff.settings.lock_after_idle_seconds
        if self.staff.current is None or time.monotonic() - self._last_key < limit:
            return
        self.lock_till(reason=f"idle {limit} s")

    def lock_till(self, reason: str = "locked") -> None:
        """Log the cashier out; the open sale stays for whoever logs in next."""
        if self.staff.current is None:
            return
        name = self.staff.current.name
        try:
            self.staff.lock(reason)
        except StorageError as exc:
            self.notify(str(exc), severity="error")
        self.till.register.cashier = None
        self.register_screen.set_cashier("")
        self.require_login(f"{name} logged out ({reason}). Next: number, Enter, PIN, Enter")

    def require_login(self, note: str = "") -> None:
        """Show the log-in screen until someone logs in."""
        store = self.till.config.store
        hint = "\n".join(x for x in (note, self.login_hint) if x)
        self.push_screen(LoginScreen(self.staff, store.name, hint), lambda e: self._logged_in(e))

    def _logged_in(self, employee: Employee | None, *, greet: bool = True) -> None:
        if employee is None:
            return
        self.till.register.cashier = employee
        self.register_screen.set_cashier(f"{employee.name} ({employee.role.value})")
        self._last_key = time.monotonic()
        if greet:
            self.notify(f"Hello {employee.name}")
        try:
            needs_float = self.till.cash.needs_float()
            clocked_in = self.staff.clocked_in(employee)
        except StorageError as exc:
            self.notify(str(exc), severity="error")
            return
        if not clocked_in and greet:
            self.notify("You are not clocked in: Ctrl+K then C", severity="warning")
        if needs_float and greet:
            self.ask_float()

    def switch_cashier(self, badge: str) -> None:
        """A badge scanned at the register: that employee takes over the till."""
        try:
            before = self.staff.current
            employee = self.staff.log_in_badge(badge)
        except (DomainError, StorageError) as exc:
            self.notify(str(exc), severity="error")
            return
        if before is not None and before.id != employee.id:
            self.notify(f"{before.name} handed over to {employee.name}")
        self._logged_in(employee)

    def cash_menu(self) -> None:
        """The cash and staff menu (Ctrl+K)."""
        who = self.staff.current.name if self.staff.current else ""
        flows: dict[str, Callable[[], None]] = {
            "cash-float": self.ask_float,
            "cash-in": partial(self.ask_cash_move, "in"),
            "cash-out": partial(self.ask_cash_move, "out"),
            "cash-x-report": self.show_x_report,
            "cash-z-close": self.start_z_close,
            "clock-in-out": self.clock_in_out,
            "staff-hours": self.show_hours,
            "audit-log": self.show_audit,
        }

        def picked(ident: str | None) -> None:
            if ident in flows:
                flows[ident]()

        from tui_pos.screens.cash import CashMenuScreen  # loaded on first use (cold start)

        self.push_screen(CashMenuScreen(who), picked)

    def ask_float(self) -> None:
        """Record the opening float of the period."""
        if not self.till.cash.needs_float():
            self.notify("The opening float of this period is already recorded")
            return

        def apply(text: str) -> str:
            cents = self.till.cash.record_float(text, self.staff.current)
            self.staff.record("cash_float", format_money(cents))
            return f"Opening float {format_money(cents)} recorded"

        self.push_screen(
            PromptScreen(
                "Opening float", "Cash in the drawer now (0 if none)", apply, scan_aware=False
            ),
            self._notify_result,
        )

    def ask_cash_move(self, kind: CashKind) -> None:
        """Cash in or out of the drawer with a reason (needs CASH_IN_OUT)."""
        word = "in" if kind == "in" else "out"

        def allowed(approval: Approval) -> None:
            def amount_given(amount: str | None) -> None:
                if amount is None:
                    return

                def apply(reason: str) -> str:
                    cents = self.till.cash.move(kind, amount, reason, approval)
                    self.staff.record(f"cash_{word}", f"{format_money(cents)}: {reason}", approval)
                    return f"Cash {word} {format_money(cents)} recorded"

                self.push_screen(
                    PromptScreen(f"Cash {word}: reason", "Why (e.g. change from the bank)", apply),
                    self._after_cash_move,
                )

            def check(text: str) -> str:
                parse_amount(kind, text)  # refused here; the reason is asked for next
                return text

            self.push_screen(
                PromptScreen(f"Cash {word}: amount", "Amount, e.g. 50.00", check, scan_aware=False),
                amount_given,
            )

        with_permission(self.register_screen, Action.CASH_IN_OUT, f"Cash {word}", allowed)

    def _after_cash_move(self, message: str | None) -> None:
        if message:
            self.notify(message)
            self.no_sale_kick()

    def _notify_result(self, message: str | None) -> None:
        if message:
            self.notify(message)

    def show_x_report(self) -> None:
        """The X report of the open period, on screen (and printed if there is a printer)."""

        def allowed(_approval: Approval) -> None:
            try:
                report = self.till.reports.x_report()
            except (DomainError, StorageError) as exc:
                self.notify(str(exc), severity="error")
                return
            # A role that may not accept an over/short counts blind: it does not see the
            # cash the drawer should hold (it could count to it).
            blind = not self.staff.may(Action.ACCEPT_OVER_SHORT)
            self._show_report(report, blind=blind)

        with_permission(self.register_screen, Action.X_REPORT, "X report", allowed)

    def start_z_close(self) -> None:
        """Z close: blind count, then over/short (a manager accepts a difference), close."""
        if not self.till.register.cart.is_empty:
            self.notify("Finish, park or void the open sale before the Z close", severity="error")
            return
        try:
            notes = denominations(self.till.config.staff.denominations)
        except DomainError as exc:
            self.notify(str(exc), severity="error")
            return

        def allowed(approval: Approval) -> None:
            self._recount(approval, notes, [0] * len(notes))

        with_permission(self.register_screen, Action.Z_CLOSE, "Z close", allowed)

    def _recount(
        self, approval: Approval, notes: Sequence[Denomination], counts: list[int]
    ) -> None:
        """The count screen, with the pieces typed before (a recount starts from them)."""
        from tui_pos.screens.cash import CountScreen  # loaded on first use (cold start)

        self._z_recount = partial(self._recount, approval, notes, counts)
        self.push_screen(
            CountScreen(notes, self.till.config.store.currency, counts),
            partial(self._counted, approval),
        )

    def _counted(self, approval: Approval, counted: int | None) -> None:
        if counted is None:
            return
        try:
            expected = self.till.reports.x_report().cash_expected_cents
        except StorageError as exc:
            self.notify(str(exc), severity="error")
            return
        diff = counted - expected
        closer = approval.actor.name if approval.actor else ""
        summary = f"Counted {format_money(counted)}, expected {format_money(expected)}: " + (
            "exact" if diff == 0 else f"{'over' if diff > 0 else 'short'} {format_money(abs(diff))}"
        )
        if diff == 0:

            def answered(yes: bool | None) -> None:
                if yes:
                    self._close_day(counted, closer, "")

            self.push_screen(ConfirmScreen(f"{summary}. Close the day?"), answered)
            return

        def accepted(acceptance: Approval) -> None:
            by = acceptance.approver or acceptance.actor
            self._close_day(counted, closer, by.name if by else "")

        def answered_diff(yes: bool | None) -> None:
            if yes:
                with_permission(self.register_screen, Action.ACCEPT_OVER_SHORT, summary, accepted)
            else:
                self._z_recount()  # count again from what was typed

        self.push_screen(
            ConfirmScreen(f"{summary}. A manager must accept this (y), or count again (n)."),
            answered_diff,
        )

    def _close_day(self, counted: int, closed_by: str, accepted_by: str) -> None:
        try:
            report = self.till.reports.close_day(counted, closed_by, accepted_by)
        except (DomainError, StorageError) as exc:
            self.notify(str(exc), title="Z not closed", severity="error", timeout=30)
            return
        self.staff.record("z_closed", f"Z {report.z_number}, counted {format_money(counted)}")
        self._show_report(report)

        def backup() -> None:
            try:
                made = self.till.backup_after_z()
            except StorageError as exc:
                self.call_from_thread(
                    self.notify, f"The Z is closed but the backup failed: {exc}", severity="error"
                )
                return
            if made is not None:
                self.call_from_thread(self.notify, f"Backup written: {made.name}")

        self._in_thread(backup, "backup")

    def _show_report(self, report: DayReport, *, blind: bool = False) -> None:
        """Show a report and print it on the receipt printer when there is one."""
        title = f"Z report #{report.z_number}" if report.kind == "Z" else "X report"
        rows = report_rows(report, blind=blind)
        receipt = text_receipt(f"{title} {report.till}", rows, self.till.config.printer.width)
        from tui_pos.screens.receipt import ReceiptScreen  # loaded on first use (cold start)

        self.push_screen(ReceiptScreen(receipt.lines))
        if self.till.devices.printer is None or self.till.config.printer.driver == "none":
            return

        def print_it() -> None:
            try:
                self.till.devices.printer.print_receipt(receipt)
            except DeviceError as exc:
                self.call_from_thread(
                    self._device_fault, "Printer", f"{title} not printed", str(exc)
                )

        self._on_printer(print_it)

    def clock_in_out(self) -> None:
        """Clock the logged-in employee in or out."""
        try:
            kind = self.staff.clock_in_out()
        except (DomainError, StorageError) as exc:
            self.notify(str(exc), severity="error")
            return
        name = self.staff.current.name if self.staff.current else ""
        self.notify(f"{name} clocked {kind}")

    def show_hours(self) -> None:
        """Hours worked this week (Monday to today), per employee."""

        def allowed(_approval: Approval) -> None:
            today = self.till.register.clock().astimezone().date()
            week = DateRange(today - timedelta(days=today.weekday()), today)
            self._show_table(lambda: hours_report(self.staff, week))

        with_permission(self.register_screen, Action.REPORTS, "Hours worked", allowed)

    def show_audit(self) -> None:
        """Today's audit log (needs AUDIT_READ)."""

        def allowed(_approval: Approval) -> None:
            today = self.till.register.clock().astimezone().date()
            self._show_table(lambda: audit_report(self.staff, DateRange(today, today)))

        with_permission(self.register_screen, Action.AUDIT_READ, "Audit log", allowed)

    def _show_table(self, make: Callable[[], AnalysisReport]) -> None:
        try:
            report = make()
        except (DomainError, StorageError) as exc:
            self.notify(str(exc), severity="error")
            return
        title = f"{report.title}  ·  {report.period.label}"
        columns = [c.title for c in report.columns]
        empty = f"{report.title}: {report.empty_message}"
        from tui_pos.screens.cash import TableScreen  # loaded on first use (cold start)

        self.push_screen(TableScreen(title, columns, report.text_rows(), empty))

    def on_unmount(self) -> None:
        """Let the scanner threads finish; abandon the printer (what is owed stays queued)."""
        self._stop_scanners.set()
        self.printer_thread.abandon()
        if self.sync_link is not None:
            self.sync_link.stop()

    # -- store server -----------------------------------------------------------------
    def _start_sync(self) -> None:
        """Push and pull in the link's thread when the till is enrolled; the top bar shows
        the state (read in a thread worker: the UI thread never waits for it)."""
        self.sync_link = open_link(self.till.db)
        if self.sync_link is not None:
            self.register_screen.selling_blocked = self.sync_link.first_block
            self.sync_link.start()
            self.set_interval(SYNC_STATUS_SECONDS, self._poll_sync)
            self._poll_sync()

    def _poll_sync(self) -> None:
        self.run_worker(self._sync_status, thread=True, exclusive=True, group="sync-status")

    def _sync_status(self) -> None:
        if self.sync_link is not None:
            text, blocked = self.sync_link.status(), self.sync_link.blocked()
            self.call_from_thread(self.register_screen.set_sync_status, text, blocked)

    def _printer_task_failed(self, exc: BaseException) -> None:
        self.call_from_thread(self._device_fault, "Printer", "fault (see the log)", repr(exc))

    def _on_printer(self, work: Callable[[], None], key: str = "") -> None:
        """Run ``work`` in the printer thread; an async worker waits for it, so
        ``workers.wait_for_complete()`` covers printing and quitting never waits for it."""
        done = self.printer_thread.submit(work, key)

        async def wait() -> None:
            await asyncio.wrap_future(done)

        self.run_worker(wait(), group="printer", exit_on_error=False)

    def _in_thread(self, work: Callable[[], None], group: str, exclusive: bool = False) -> None:
        self.run_worker(work, thread=True, group=group, exclusive=exclusive, exit_on_error=False)

    # -- scanners -----------------------------------------------------------------------
    def _scanned(self, source: str, code: str) -> None:
        self.post_message(BarcodeScanned(code, source))  # thread-safe

    def _device_status(self, device: str, text: str, ok: bool) -> None:
        self.post_message(DeviceStatusChanged(text, ok, device))  # thread-safe

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
        """A device went away (a fault on the top bar until it is back) or came back."""
        device = message.device or "Scanner"
        if message.ok:
            self._device_ok(device)
        else:
            self._device_fault(device, "not connected", message.text)

    def _device_fault(self, device: str, short: str, detail: str = "") -> None:
        """One line per device on the top bar until it works again; details to the log."""
        if self.devices_line.fault(device, short, detail):
            self._show_devices()

    def _show_devices(self) -> None:
        line = self.devices_line
        self.register_screen.set_device_status(line.render(), fault=bool(line.faults))

    def _device_ok(self, device: str) -> None:
        if self.devices_line.clear(device):
            self._show_devices()

    # -- printing -----------------------------------------------------------------------
    def after_sale(self, doc: SaleDocument) -> None:
        """After a stored sale: drawer (if cash), then the receipt, then the display."""
        asked_at = time.monotonic()
        self.show_on_display(
            customer_display.change(doc.paid_cents + doc.change_cents, doc.change_cents)
        )
        self._on_printer(partial(self._after_sale_blocking, doc, asked_at))

    def _after_sale_blocking(self, doc: SaleDocument, asked_at: float) -> None:
        problem = self.till.drawer.open_for_sale(doc, asked_at)
        if problem:
            self.call_from_thread(self._device_fault, "Drawer", "not opened", problem)
        elif doc.change_cents or any(p.kind == "cash" for p in doc.payments):
            self.call_from_thread(self._device_ok, "Drawer")
        self._print_pending()
        self._low_stock_alert(doc)

    def _low_stock_alert(self, doc: SaleDocument) -> None:
        """Tell the cashier when this sale took items to or below their reorder level."""
        try:
            low = self.till.stock.alerts_after(doc)
        except StorageError:
            return  # an alert is a convenience; the sale is stored
        if low:
            names = ", ".join(lv.name for lv in low[:5]) + (" ..." if len(low) > 5 else "")
            self.call_from_thread(
                self.notify,
                f"{names} at or below the reorder level (Ctrl+G, l: low stock)",
                title="Low stock",
                severity="warning",
                timeout=20,
            )

    def _print_pending(self) -> None:
        try:
            run = self.till.print_queue.run(self.printer_thread.abandoned)
            waiting = len(self.till.print_queue.pending())
        except StorageError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=30)
            return
        if self.printer_thread.abandoned.is_set():
            return  # quitting: no one to tell (what was not confirmed stays owed)
        if run.failed is not None:
            detail = describe_failure(run, self.till.config.store.till)
            self.call_from_thread(self._device_fault, "Printer", "receipt not printed", detail)
        elif run.printed:
            self.call_from_thread(self._device_ok, "Printer")
        self.call_from_thread(self._show_waiting, waiting)

    def _show_waiting(self, waiting: int) -> None:
        self.devices_line.note = self._printer_label or self.till.printer_note
        self.devices_line.waiting = waiting
        self._show_devices()

    def deliver_mail(self) -> None:
        """Send the customer mail that is due (outbox rate limit and retries), in a thread."""
        self._in_thread(self._deliver_mail_blocking, "mail")

    def _deliver_mail_blocking(self) -> None:
        # A busy or failing database: the mail waits for the next round.
        with contextlib.suppress(StorageError):
            self.till.outbox.deliver_due()

    def poll_printer(self) -> None:
        """Ask the printer how it is (in a thread); print waiting receipts when it is back."""
        self._on_printer(self._poll_printer_blocking, key="status")

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
        self._on_printer(self._print_pending)

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
                self._on_printer(self._print_pending)

        store = self.till.config.store
        note = self._printer_label or self.till.printer_note
        from tui_pos.screens.print_queue import PrintQueueScreen  # loaded on first use (cold start)

        self.push_screen(PrintQueueScreen(jobs, store.till, note), closed)

    def show_reports(self) -> None:
        """The analysis reports (read only)."""
        from tui_pos.screens.reports import ReportsScreen  # loaded on first use (cold start)

        self.push_screen(
            ReportsScreen(
                self.till.analysis, self.till.config.store.name, self.till.loyalty_analytics
            )
        )

    def preview(self, doc: SaleDocument) -> None:
        """Show a sale's receipt on screen."""
        from tui_pos.screens.receipt import ReceiptScreen  # loaded on first use (cold start)

        self.push_screen(ReceiptScreen(self.till.receipts.lines(doc)))

    # -- drawer -------------------------------------------------------------------------
    def no_sale(self) -> None:
        """Open the drawer without a sale (needs NO_SALE)."""
        with_permission(
            self.register_screen, Action.NO_SALE, "Open the drawer", lambda _a: self.no_sale_kick()
        )

    def no_sale_kick(self) -> None:
        """Kick the drawer open; recorded as a no-sale."""
        asked_at = time.monotonic()

        def kick() -> None:
            try:
                problem = self.till.drawer.no_sale(asked_at)
            except StorageError as exc:
                problem = str(exc)
            if problem:
                self.call_from_thread(self._device_fault, "Drawer", "not opened", problem)
                # asked for by the cashier: the answer on the message line, not only the log
                say = self.register_screen.say
                self.call_from_thread(say, f"Drawer not opened: {problem}", error=True)
            else:
                self.call_from_thread(self._device_ok, "Drawer")
                self.call_from_thread(self.notify, "Drawer opened (no sale recorded)")

        self._on_printer(kick)

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
                self.call_from_thread(self._device_fault, "Display", "not answering", str(exc))
                return
            self.call_from_thread(self._device_ok, "Display")

        self._in_thread(show, "display", exclusive=True)


def _screens() -> tuple[type[Screen[Any]], ...]:
    """Every screen class, for the keymap check. Imported here, not at start: most screens
    are not needed for the first frame (see docs/DESIGN.md, "Cold start")."""
    from tui_pos.screens.cash import CashMenuScreen, CountScreen, TableScreen
    from tui_pos.screens.customer import CustomerScreen
    from tui_pos.screens.customer_edit import EditCustomerScreen
    from tui_pos.screens.customer_profile import ProfileScreen
    from tui_pos.screens.help import HelpScreen
    from tui_pos.screens.print_queue import PrintQueueScreen
    from tui_pos.screens.receipt import ReceiptScreen
    from tui_pos.screens.reports import ReportsScreen
    from tui_pos.screens.resume import ResumeScreen
    from tui_pos.screens.returns import ReturnScreen
    from tui_pos.screens.search import SearchScreen
    from tui_pos.screens.segments import SegmentsScreen
    from tui_pos.screens.stock import (
        CollectionScreen,
        LowStockScreen,
        StockMenuScreen,
        TallyScreen,
    )
    from tui_pos.screens.tender import TenderScreen

    return (
        RegisterScreen,
        TenderScreen,
        SearchScreen,
        ResumeScreen,
        ReceiptScreen,
        PromptScreen,
        ConfirmScreen,
        PrintQueueScreen,
        LoginScreen,
        OverrideScreen,
        CashMenuScreen,
        CountScreen,
        TableScreen,
        ReportsScreen,
        ReturnScreen,
        StockMenuScreen,
        TallyScreen,
        LowStockScreen,
        CollectionScreen,
        CustomerScreen,
        ProfileScreen,
        EditCustomerScreen,
        SegmentsScreen,
        HelpScreen,
    )


def binding_ids() -> set[str]:
    """Every binding id a ``[keymap]`` entry may name."""
    bindings = [*PosApp.BINDINGS]
    for screen in _screens():
        bindings += screen.BINDINGS
    return {b.id for b in bindings if isinstance(b, Binding) and b.id}


def check_keymap(keymap: Mapping[str, str], source: Path | None = None) -> None:
    """Refuse a ``[keymap]`` entry that names no binding (a typo would silently do nothing)
    or puts two actions of one screen on the same key (one of them would stop working).
    ``source``: the config file, to name the entry's line."""
    if not keymap:
        return  # nothing to check: the screens need not be loaded for it
    known = binding_ids()
    for name in keymap:
        if name not in known:
            close = get_close_matches(name, sorted(known), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise _keymap_error(source, name, f"no key has this id{hint}")
    for clash in conflicts(_screens(), PosApp.BINDINGS, keymap):
        mapped = [b for b in (clash.second, clash.first) if b.id in keymap]
        entry = (mapped[0] if mapped else clash.second).id or ""
        other = clash.first if mapped and mapped[0] is clash.second else clash.second
        raise _keymap_error(
            source,
            entry,
            f'"{clash.key}" is already "{other.description}" ({other.id}) '
            f"on {clash.screen}: one key, one action",
        )


def _keymap_error(source: Path | None, name: str, message: str) -> ConfigError:
    if source is not None and source.exists():
        text = source.read_text(encoding="utf-8", errors="replace")
        return Source(str(source), text).error(("keymap", name), message)
    return ConfigError(f"keymap.{name}: {message}")


def build_app(till: Till, login_hint: str = "") -> PosApp:
    """The app for a till built by :func:`tui_pos.bootstrap.open_till`."""
    check_keymap(till.config.keymap, till.config.source)
    return PosApp(till, login_hint)
