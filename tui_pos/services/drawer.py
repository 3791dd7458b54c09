"""Opening the cash drawer: after a cash sale, or on a no-sale.

A kick that cannot be sent within a few seconds is dropped (a drawer springing open
minutes later is worse than none) and recorded as not sent, like every opening.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Literal, Protocol

from tui_pos.domain.errors import DeviceError
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action, Approval
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import CashDrawer, Clock

DrawerReason = Literal["sale", "no_sale"]

#: A kick not sent this many seconds after it was asked for is dropped.
KICK_DEADLINE_SECONDS = 3.0


class DrawerEventStore(Protocol):
    """Where drawer openings are recorded."""

    def record(
        self,
        till: str,
        reason: DrawerReason,
        sale_seq: int | None,
        sent: bool,
        error: str,
        now: datetime,
    ) -> None:
        """Record one opening (or a dropped/failed one)."""


class Drawer:
    """The drawer use cases. ``open_*`` block: call them from a worker thread."""

    def __init__(
        self,
        drawer: CashDrawer | None,
        events: DrawerEventStore,
        auth: Authorizer,
        *,
        till: str,
        pin: int,
        pulse_ms: int,
        clock: Clock,
        monotonic: Callable[[], float] = time.monotonic,
        deadline: float = KICK_DEADLINE_SECONDS,
    ) -> None:
        self.drawer = drawer
        self.events = events
        self.auth = auth  #: refuses a no-sale to a role that may not open the drawer
        self.till = till
        self.pin = pin
        self.pulse_ms = pulse_ms
        self.clock = clock
        self.monotonic = monotonic
        self.deadline = deadline

    @property
    def available(self) -> bool:
        """True when a drawer is configured."""
        return self.drawer is not None

    @staticmethod
    def wants_drawer(doc: SaleDocument) -> bool:
        """A sale opens the drawer when cash changed hands (a cash refund too)."""
        return any(p.kind == "cash" and p.tendered_cents != 0 for p in doc.payments)

    def open_for_sale(self, doc: SaleDocument, asked_at: float) -> str | None:
        """Kick for a cash sale; returns a message for the cashier when it did not open."""
        if self.drawer is None or not self.wants_drawer(doc):
            return None
        return self._kick("sale", doc.seq, asked_at)

    def no_sale(self, asked_at: float, approval: Approval | None) -> str | None:
        """Open the drawer without a sale (recorded; counted in reports). ``approval`` must
        cover NO_SALE, or be the CASH_IN_OUT of the cash movement the drawer opens for
        (PermissionDenied otherwise)."""
        if self.drawer is None:
            return "No cash drawer is configured ([drawer] in the config)"
        cash = approval is not None and approval.action is Action.CASH_IN_OUT
        self.auth.authorize(
            Action.CASH_IN_OUT if cash else Action.NO_SALE, approval, "open the drawer"
        )
        return self._kick("no_sale", None, asked_at)

    def _kick(self, reason: DrawerReason, sale_seq: int | None, asked_at: float) -> str | None:
        assert self.drawer is not None
        waited = self.monotonic() - asked_at
        if waited > self.deadline:
            error = f"dropped: not sent within {self.deadline:g} s"
            self.events.record(self.till, reason, sale_seq, False, error, self.clock())
            return f"Drawer not opened ({error}): open it with the key"
        try:
            self.drawer.kick(self.pin, self.pulse_ms)
        except DeviceError as exc:
            self.events.record(self.till, reason, sale_seq, False, str(exc), self.clock())
            return f"Drawer not opened: {exc}"
        self.events.record(self.till, reason, sale_seq, True, "", self.clock())
        return None
