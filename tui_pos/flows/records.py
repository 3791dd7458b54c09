"""The staff records of the Ctrl+K menu: clock in/out, hours worked, the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tui_pos.domain.staff import Action
from tui_pos.screens.authorize import approval_for

if TYPE_CHECKING:
    from tui_pos.domain.analysis import AnalysisReport
    from tui_pos.flows.host import FlowHost


class RecordFlows:
    """Time clock and the staff tables of ``app``."""

    def __init__(self, app: FlowHost) -> None:
        self.app = app
        self.staff = app.till.staff

    async def clock_in_out(self) -> None:
        """Clock the logged-in employee in or out."""
        kind = self.staff.clock_in_out()
        name = self.staff.current.name if self.staff.current else ""
        self.app.notify(f"{name} clocked {kind}")

    async def hours(self) -> None:
        """Hours worked this week (Monday to today), per employee (needs REPORTS)."""
        from tui_pos.domain.analysis import DateRange  # loaded on first use (memory)
        from tui_pos.services.staff_reports import hours_report

        approval = await approval_for(self.app.register_screen, Action.REPORTS, "Hours worked")
        if approval is not None:
            today = self._today()
            week = DateRange(today - timedelta(days=today.weekday()), today)
            self._show_table(lambda: hours_report(self.staff, week, approval))

    async def audit(self) -> None:
        """Today's audit log (needs AUDIT_READ)."""
        from tui_pos.domain.analysis import DateRange  # loaded on first use (memory)
        from tui_pos.services.staff_reports import audit_report

        approval = await approval_for(self.app.register_screen, Action.AUDIT_READ, "Audit log")
        if approval is not None:
            today = self._today()
            self._show_table(lambda: audit_report(self.staff, DateRange(today, today), approval))

    def _today(self) -> date:
        return self.app.till.register.clock().astimezone().date()

    def _show_table(self, make: Callable[[], AnalysisReport]) -> None:
        report = make()
        from tui_pos.screens.cash import TableScreen  # loaded on first use (cold start)

        title = f"{report.title}  ·  {report.period.label}"
        columns = [c.title for c in report.columns]
        empty = f"{report.title}: {report.empty_message}"
        self.app.push_screen(TableScreen(title, columns, report.text_rows(), empty))
