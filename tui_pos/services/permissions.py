"""Authorization inside the use cases: the one permission API of the services.

A gated use case takes the :class:`Approval` the screen or the CLI collected (who acts,
and who approved when their own role may not) and asks its :class:`Authorizer` first;
the authorizer refuses what the roles may not do (audited as ``refused``), so a service
called any other way does no more than the permission matrix allows. The screens'
``approval_for`` and the CLI's ``signed`` only collect the approval.
"""

from __future__ import annotations

from typing import Protocol

from tui_pos.domain.staff import ACTION_LABELS, Action, Approval, StaffError


class PermissionDenied(StaffError):
    """A use case was asked for an action that nobody in the approval may do."""

    def __init__(self, action: Action, approval: Approval | None) -> None:
        who = approval.actor.name if approval and approval.actor else "Nobody logged in"
        super().__init__(f"{who} may not do this: {ACTION_LABELS[action]}")
        self.action = action  #: what was refused
        self.approval = approval  #: who asked (None: nobody)


class Authorizer(Protocol):
    """Checks an approval against the permission matrix and keeps the audit log."""

    def authorize(self, action: Action, approval: Approval | None, detail: str) -> Approval:
        """``approval`` if it covers ``action`` (a till without staff allows everything);
        otherwise the refusal is audited and PermissionDenied raised."""

    def discount_over_limit(self, percent_bp: int) -> bool:
        """True when a discount of ``percent_bp`` (of what it applies to) is above the
        till's discount limit: it then needs DISCOUNT_OVER_LIMIT."""

    def record(self, action: str, detail: str, approval: Approval | None = None) -> None:
        """Add what was done to the audit log (inside the use case's unit of work)."""
