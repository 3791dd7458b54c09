"""Cash at the till: the Ctrl+K menu, opening float, cash in/out, no-sale, X and Z.

Each flow reads top to bottom in a worker: approval, dialogs, then the service. The X
and Z reports (up to a second for a long period) are read in a thread while a
:class:`BusyScreen` says so; the result is shown on the UI thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from textual.worker import WorkerFailed

from tui_pos.domain.cash import CashKind, denominations, parse_amount
from tui_pos.domain.errors import PosError, StorageError
from tui_pos.domain.money import format_money
from tui_pos.domain.receipt import text_receipt
from tui_pos.domain.report import DayReport
from tui_pos.domain.staff import Action, Approval
from tui_pos.screens.authorize import approval_for
from tui_pos.screens.dialogs import FLOW_GROUP, BusyScreen, ConfirmScreen, PromptScreen

if TYPE_CHECKING:
    from tui_pos.flows.host import FlowHost
    from tui_pos.flows.records import RecordFlows

T = TypeVar("T")


class CashFlows:
    """The cash flows of ``app`` (the staff flows of the same menu are in ``records``)."""

    def __init__(self, app: FlowHost, records: RecordFlows) -> None:
        self.app = app
        self.records = records
        self.till = app.till
        self.staff = app.till.staff

    def start(self, flow: Callable[[], Awaitable[None]]) -> None:
        """Run a flow in a worker (its dialogs are waited for there)."""
        self.app.run_worker(flow(), group=FLOW_GROUP)

    async def menu(self) -> None:
        """The cash and staff menu (Ctrl+K): the flow picked by its letter."""
        from tui_pos.screens.cash import CashMenuScreen  # loaded on first use (cold start)

        records = self.records
        flows: dict[str, Callable[[], Awaitable[None]]] = {
            "cash-float": self.ask_float,
            "cash-in": lambda: self.cash_move("in"),
            "cash-out": lambda: self.cash_move("out"),
            "cash-x-report": self.x_report,
            "cash-z-close": self.z_close,
            "clock-in-out": records.clock_in_out,
            "staff-hours": records.hours,
            "audit-log": records.audit,
        }
        who = self.staff.current.name if self.staff.current else ""
        picked = await self.app.push_screen_wait(CashMenuScreen(who))
        if picked in flows:
            await flows[picked]()

    async def ask_float(self) -> None:
        """Record the opening float of the period."""
        if not self.till.cash.needs_float():
            self.app.notify("The opening float of this period is already recorded")
            return

        def apply(text: str) -> str:
            cents = self.till.cash.record_float(text, self.staff.current)
            self.staff.record("cash_float", format_money(cents))
            return f"Opening float {format_money(cents)} recorded"

        message = await self.app.push_screen_wait(
            PromptScreen(
                "Opening float", "Cash in the drawer now (0 if none)", apply, scan_aware=False
            )
        )
        if message:
            self.app.notify(message)

    async def cash_move(self, kind: CashKind) -> None:
        """Cash in or out of the drawer with a reason (needs CASH_IN_OUT); the drawer opens."""
        word = "in" if kind == "in" else "out"
        approval = await approval_for(self.app.register_screen, Action.CASH_IN_OUT, f"Cash {word}")
        if approval is None:
            return

        def check(text: str) -> str:
            parse_amount(kind, text)  # refused here; the reason is asked for next
            return text

        amount = await self.app.push_screen_wait(
            PromptScreen(f"Cash {word}: amount", "Amount, e.g. 50.00", check, scan_aware=False)
        )
        if amount is None:
            return

        def apply(reason: str) -> str:
            cents = self.till.cash.move(kind, amount, reason, approval)  # audited with it
            return f"Cash {word} {format_money(cents)} recorded"

        message = await self.app.push_screen_wait(
            PromptScreen(f"Cash {word}: reason", "Why (e.g. change from the bank)", apply)
        )
        if message:
            self.app.notify(message)
            self.app.hub.no_sale(approval)

    async def no_sale(self) -> None:
        """Open the drawer without a sale (needs NO_SALE); the hub says how it went."""
        screen = self.app.register_screen
        approval = await approval_for(screen, Action.NO_SALE, "Open the drawer")
        if approval is not None:
            self.app.hub.no_sale(approval)

    async def x_report(self) -> None:
        """The X report of the open period, on screen (and printed if there is a printer)."""
        if await approval_for(self.app.register_screen, Action.X_REPORT, "X report") is None:
            return
        report = await self._busy("X report", self.till.reports.x_report)
        # A role that may not accept an over/short counts blind: it does not see the cash
        # the drawer should hold (it could count to it).
        self._show_report(report, blind=not self.staff.may(Action.ACCEPT_OVER_SHORT))

    async def z_close(self) -> None:
        """Z close: blind count, then over/short (a manager accepts a difference), close."""
        from tui_pos.screens.cash import CountScreen  # loaded on first use (cold start)

        if not self.till.register.cart.is_empty:
            self.app.notify(
                "Finish, park or void the open sale before the Z close", severity="error"
            )
            return
        notes = denominations(self.till.config.staff.denominations)
        screen = self.app.register_screen
        approval = await approval_for(screen, Action.Z_CLOSE, "Z close")
        if approval is None:
            return
        counts = [0] * len(notes)  # a recount starts from the pieces typed before
        currency = self.till.config.store.currency
        while (
            counted := await self.app.push_screen_wait(CountScreen(notes, currency, counts))
        ) is not None:
            report = await self._busy("Z close: the cash expected", self.till.reports.x_report)
            diff = counted - report.cash_expected_cents
            summary = (
                f"Counted {format_money(counted)}, "
                f"expected {format_money(report.cash_expected_cents)}: "
                + (
                    "exact"
                    if diff == 0
                    else f"{'over' if diff > 0 else 'short'} {format_money(abs(diff))}"
                )
            )
            if diff == 0:
                if await self.app.push_screen_wait(ConfirmScreen(f"{summary}. Close the day?")):
                    await self._close_day(approval, counted, None)
                return
            accept = await self.app.push_screen_wait(
                ConfirmScreen(f"{summary}. A manager must accept this (y), or count again (n).")
            )
            if accept:
                acceptance = await approval_for(screen, Action.ACCEPT_OVER_SHORT, summary)
                if acceptance is not None:
                    await self._close_day(approval, counted, acceptance)
                return

    async def _close_day(
        self, approval: Approval, counted: int, acceptance: Approval | None
    ) -> None:
        """Close the day: the service checks ``approval`` (Z_CLOSE) and ``acceptance``
        (ACCEPT_OVER_SHORT, for a difference) and writes the Z and its audit line together."""
        try:
            report = await self._busy(
                "Z close", lambda: self.till.reports.close_day(approval, counted, acceptance)
            )
        except PosError as exc:
            self.app.notify(str(exc), title="Z not closed", severity="error", timeout=30)
            return
        self._show_report(report)
        backup = partial(self._backup, approval)
        self.app.run_worker(backup, thread=True, group="backup", exit_on_error=False)

    def _backup(self, z_approval: Approval) -> None:
        """The backup after a Z (``database.backup_on_z``), in a thread: the Z's approval
        covers it."""
        try:
            made = self.till.backups.after_z(z_approval)
        except StorageError as exc:
            self.app.call_from_thread(
                self.app.notify, f"The Z is closed but the backup failed: {exc}", severity="error"
            )
            return
        if made is not None:
            self.app.call_from_thread(self.app.notify, f"Backup written: {made.path.name}")

    async def _busy(self, what: str, work: Callable[[], T]) -> T:
        """``work`` in a thread worker while a busy dialog says ``what`` (no key does
        anything meanwhile); its result, or its error, here on the UI thread."""
        busy = BusyScreen(f"{what}: reading...")
        await self.app.push_screen(busy)
        worker = self.app.run_worker(work, thread=True, group="report", exit_on_error=False)
        try:
            return await worker.wait()
        except WorkerFailed as failed:
            raise failed.error from None
        finally:
            await busy.dismiss(None)

    def _show_report(self, report: DayReport, *, blind: bool = False) -> None:
        """Show a report and print it on the receipt printer when there is one."""
        from tui_pos.domain.report_rows import report_rows  # loaded on first use
        from tui_pos.screens.receipt import ReceiptScreen

        title = f"Z report #{report.z_number}" if report.kind == "Z" else "X report"
        rows = report_rows(report, blind=blind)
        receipt = text_receipt(f"{title} {report.till}", rows, self.till.config.printer.width)
        self.app.push_screen(ReceiptScreen(receipt.lines))
        self.app.hub.print_report(receipt, title)
