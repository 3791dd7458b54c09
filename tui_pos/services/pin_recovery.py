"""A new PIN recovery code (``tui-pos staff recovery-code``): staff admin.

The recovery code is the way back when the PIN key file is lost (``staff reset-key``);
a new one replaces the old (which stops working) and is shown once, so making one is
staff admin, audited with who did it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tui_pos.domain.staff import Action, Approval
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import Clock
from tui_pos.services.unit_of_work import UnitOfWork


class RecoveryCodeStore(Protocol):
    """Where the recovery code's hash is kept."""

    def replace_code(self, now: datetime) -> str:
        """Store a new code's hash in place of the old one; the new code."""


class RecoveryCodes:
    """Renewing the till's PIN recovery code."""

    def __init__(
        self, store: RecoveryCodeStore, uow: UnitOfWork, auth: Authorizer, clock: Clock
    ) -> None:
        self.store = store
        self.uow = uow
        self.auth = auth
        self.clock = clock

    def renew(self, approval: Approval | None) -> str:
        """A new recovery code if ``approval`` covers STAFF_ADMIN (PermissionDenied,
        audited, the old code kept otherwise); the code and its audit line are stored
        together. Returns the code: show it once, keep it nowhere."""
        self.auth.authorize(Action.STAFF_ADMIN, approval, "new recovery code")
        with self.uow:
            code = self.store.replace_code(self.clock())
            self.auth.record("recovery_code", "new recovery code", approval)
        return code
