"""X and Z reports: read the open period, or close it with the next Z number."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Protocol

from tui_pos.domain.analysis import DateRange
from tui_pos.domain.cash import CashError
from tui_pos.domain.money import format_money
from tui_pos.domain.report import DayReport, PeriodTotals
from tui_pos.domain.sale import format_sale_number
from tui_pos.domain.staff import Action, Approval
from tui_pos.services.permissions import Authorizer
from tui_pos.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from tui_pos.services.ports import Clock


class ReportStore(Protocol):
    """Aggregates over stored sales, and the Z closes."""

    def open_period(self, till: str) -> PeriodTotals:
        """Totals of the sales not yet covered by a Z close."""

    def between(self, till: str, start: datetime, end: datetime) -> PeriodTotals:
        """Totals of the sales made in ``[start, end)`` (aware datetimes)."""

    def close_period(
        self, till: str, now: datetime, compose: Callable[[PeriodTotals, int], DayReport]
    ) -> DayReport:
        """In one write transaction: total the open period, number the next Z, store it."""

    def z_reports(self, till: str, start: datetime, end: datetime) -> list[DayReport]:
        """Z closes made in ``[start, end)``."""

    def unprinted_receipts(self, till: str) -> list[int]:
        """Numbers of the sales whose receipt is still waiting in the print queue."""


class Reports:
    """The report use cases of one till."""

    def __init__(
        self,
        store: ReportStore,
        uow: UnitOfWork,
        auth: Authorizer,
        till: str,
        clock: Clock,
        tz: tzinfo | None,
    ) -> None:
        self.store = store
        self.uow = uow
        self.auth = auth
        self.till = till
        self.clock = clock
        self.tz = tz

    def x_report(self, day: date | None = None) -> DayReport:
        """Totals since the last Z close, or of one local calendar ``day``."""
        return x_report(self.store, self.till, self.clock, self.tz, day)

    def close_day(
        self,
        approval: Approval | None = None,
        counted_cents: int | None = None,
        acceptance: Approval | None = None,
    ) -> DayReport:
        """Close the open period: the next consecutive Z number, stored for good with its
        audit line (one unit of work).

        ``approval`` must cover Z_CLOSE (PermissionDenied otherwise; its actor is the
        ``closed_by``). ``counted_cents`` is the blind count of the drawer; a difference
        to the expected cash (over/short) is refused unless an ``acceptance`` covering
        ACCEPT_OVER_SHORT is given (its approver, else its actor, is ``accepted_by``).
        """
        approval = self.auth.authorize(Action.Z_CLOSE, approval, "Z close")
        closed_by = approval.actor.name if approval.actor else ""
        accepted_by = ""
        if acceptance is not None and counted_cents is not None:
            acceptance = self.auth.authorize(
                Action.ACCEPT_OVER_SHORT, acceptance, f"count {format_money(counted_cents)}"
            )
            by = acceptance.approver or acceptance.actor
            accepted_by = by.name if by else "accepted"
        now = self.clock()
        local_now = now.astimezone(self.tz)
        unprinted = self._unprinted()

        def compose(totals: PeriodTotals, z_number: int) -> DayReport:
            report = DayReport(
                "Z",
                local_now.date().isoformat(),
                self.till,
                totals,
                z_number=z_number,
                closed_at=local_now.isoformat(timespec="seconds"),
                unprinted_receipts=unprinted,
                counted_cents=counted_cents,
                closed_by=closed_by,
                accepted_by=accepted_by,
            )
            if report.over_short_cents and not accepted_by:
                raise CashError(
                    f"The count is {format_money(report.over_short_cents)} off: "
                    "a manager must accept it before the day closes"
                )
            return report

        with self.uow:
            report = self.store.close_period(self.till, now, compose)
            if approval.actor is not None:  # (a till without staff: nobody to name)
                counted = (
                    "" if counted_cents is None else f", counted {format_money(counted_cents)}"
                )
                self.auth.record("z_closed", f"Z {report.z_number}{counted}", approval)
        return report

    def z_reports(self, day: date) -> list[DayReport]:
        """The Z closes made on a local calendar day."""
        start, end = self._day_bounds(day)
        return [replace(r, kind="Z") for r in self.store.z_reports(self.till, start, end)]

    def _unprinted(self) -> tuple[str, ...]:
        return _unprinted(self.store, self.till)

    def _day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """Local midnight to midnight, each with the UTC offset in force on that date."""
        return DateRange(day, day).bounds(self.tz)


def x_report(
    store: ReportStore, till: str, clock: Clock, tz: tzinfo | None, day: date | None = None
) -> DayReport:
    """The X report of ``till``: totals since the last Z close, or of one local calendar
    ``day``. Reads only (no approval: the caller signs it); also the lean report start's
    (``lean_report``), which has no staff service."""
    if day is None:
        return DayReport(
            "X",
            clock().astimezone(tz).date().isoformat(),
            till,
            store.open_period(till),
            unprinted_receipts=_unprinted(store, till),
        )
    start, end = DateRange(day, day).bounds(tz)
    return DayReport("X", day.isoformat(), till, store.between(till, start, end))


def _unprinted(store: ReportStore, till: str) -> tuple[str, ...]:
    return tuple(format_sale_number(till, seq) for seq in store.unprinted_receipts(till))
