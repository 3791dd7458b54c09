"""The staff reports: hours worked and the audit log, as analysis reports.

Each takes the approval the screen or the command collected: hours worked are REPORTS,
the audit log AUDIT_READ (PermissionDenied, audited, otherwise).
"""

from __future__ import annotations

from datetime import tzinfo

from tui_pos.domain.analysis import AnalysisReport, Column, DateRange
from tui_pos.domain.output_schema import iso_timestamp
from tui_pos.domain.staff import Action, Approval
from tui_pos.services.staff import Staff


def hours_report(
    staff: Staff, period: DateRange, approval: Approval | None, tz: tzinfo | None = None
) -> AnalysisReport:
    """Hours worked per employee over local calendar days, as a report (REPORTS)."""
    staff.authorize(Action.REPORTS, approval, f"hours worked {period.label}")
    rows = staff.hours(*period.bounds(tz))
    body = tuple(
        (
            r.employee.code,
            r.employee.name,
            f"{r.minutes // 60}:{r.minutes % 60:02d}",
            r.minutes,
            r.shifts,
            "yes" if r.open_since else "",
        )
        for r in rows
    )
    minutes = sum(r.minutes for r in rows)
    return AnalysisReport(
        kind="hours",
        title="Hours worked",
        till=staff.till,
        period=period,
        columns=(
            Column("number", "No."),
            Column("name", "Employee"),
            Column("hours", "Hours"),
            Column("minutes", "Minutes", "count"),
            Column("shifts", "Shifts", "count"),
            Column("clocked_in", "Still in"),
        ),
        rows=body,
        totals=(
            "",
            "Total",
            f"{minutes // 60}:{minutes % 60:02d}",
            minutes,
            sum(r.shifts for r in rows),
            "",
        ),
        empty_message=f"nobody clocked in on {period.label}",
    )


def audit_report(
    staff: Staff, period: DateRange, approval: Approval | None, tz: tzinfo | None = None
) -> AnalysisReport:
    """The audit log over local calendar days, oldest first, as a report (AUDIT_READ)."""
    staff.authorize(Action.AUDIT_READ, approval, f"audit log {period.label}")
    events = list(reversed(staff.audit_log(*period.bounds(tz), limit=100_000)))
    body = tuple(
        (
            iso_timestamp(e.created_at, tz),
            e.till,
            e.action,
            e.outcome,
            e.employee_name,
            e.approver_name,
            e.detail,
        )
        for e in events
    )
    return AnalysisReport(
        kind="audit",
        title="Audit log",
        till=staff.till,
        period=period,
        columns=(
            Column("time", "Time", "time"),
            Column("till", "Till"),
            Column("action", "Action"),
            Column("outcome", "Outcome"),
            Column("employee", "By"),
            Column("approver", "Approved by"),
            Column("detail", "Detail"),
        ),
        rows=body,
        empty_message=f"nothing recorded on {period.label}",
    )
