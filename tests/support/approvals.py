"""Approvals for tests that call gated use cases directly (void sale, Z close, cash)."""

from __future__ import annotations

from tui_pos.bootstrap import Till
from tui_pos.domain.staff import Action, Approval, Role


def approved(till: Till, action: Action) -> Approval | None:
    """``action`` done by the till's first active manager (None: a till without staff)."""
    managers = [
        s.employee
        for s in till.staff.store.employees()
        if s.employee.active and s.employee.role is Role.MANAGER
    ]
    return Approval(action, managers[0]) if managers else None
