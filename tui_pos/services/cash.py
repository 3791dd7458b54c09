"""Cash sessions: the opening float, cash in and out with a reason.

A period runs from one Z close to the next. The first log-in of a period asks for the
opening float (0 is an answer); every movement is a record with who did it and who
approved it, and the X/Z reports add them to the cash expected in the drawer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tui_pos.domain.cash import CashKind, parse_movement
from tui_pos.domain.money import format_money
from tui_pos.domain.staff import Action, Approval, Employee
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import Clock
from tui_pos.services.unit_of_work import UnitOfWork


class CashStore(Protocol):
    """Where cash movements are recorded."""

    def record(
        self,
        till: str,
        kind: CashKind,
        amount_cents: int,
        reason: str,
        employee: Employee | None,
        approver: str,
        now: datetime,
    ) -> None:
        """Record one movement with the till's next number."""

    def float_recorded(self, till: str) -> bool:
        """True when an opening float was recorded since the last Z close."""


class CashDesk:
    """The cash use cases of one till."""

    def __init__(
        self, store: CashStore, uow: UnitOfWork, auth: Authorizer, till: str, clock: Clock
    ) -> None:
        self.store = store
        self.uow = uow
        self.auth = auth
        self.till = till
        self.clock = clock

    def needs_float(self) -> bool:
        """True until the period's opening float is recorded."""
        return not self.store.float_recorded(self.till)

    def record_float(self, amount_text: str, employee: Employee | None) -> int:
        """Record the opening float (0 allowed); returns it in cents."""
        amount, _ = parse_movement("float", amount_text, "")
        self.store.record(self.till, "float", amount, "opening float", employee, "", self.clock())
        return amount

    def move(self, kind: CashKind, amount_text: str, reason: str, approval: Approval) -> int:
        """Cash in or out of the drawer with a reason, if ``approval`` covers CASH_IN_OUT
        (PermissionDenied otherwise); the movement and its audit line are stored together.
        Returns the amount in cents."""
        amount, reason = parse_movement(kind, amount_text, reason)
        word = "in" if kind == "in" else "out"
        detail = f"{format_money(amount)}: {reason}"
        approval = self.auth.authorize(Action.CASH_IN_OUT, approval, f"cash {word} {detail}")
        approver = approval.approver.name if approval.approver else ""
        with self.uow:
            self.store.record(
                self.till, kind, amount, reason, approval.actor, approver, self.clock()
            )
            self.auth.record(f"cash_{word}", detail, approval)
        return amount
