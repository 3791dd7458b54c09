"""Staff: roles, the actions that need a permission, and who may do what.

The permission matrix is data: a role either may do a gated action, or the till asks for
the PIN (or badge) of someone whose role may, and records who approved it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from tui_pos.domain.errors import DomainError


class StaffError(DomainError):
    """A refused log-in, PIN or staff change; the message says why."""


class Role(StrEnum):
    """What an employee is, from least to most trusted."""

    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"


class Action(StrEnum):
    """Every action that needs a permission."""

    VOID_LINE = "void_line"
    VOID_SALE = "void_sale"
    DISCOUNT_OVER_LIMIT = "discount_over_limit"
    PRICE_OVERRIDE = "price_override"
    REFUND = "refund"
    RETURN_WITHOUT_RECEIPT = "return_without_receipt"
    NO_SALE = "no_sale"
    CASH_IN_OUT = "cash_in_out"
    X_REPORT = "x_report"
    Z_CLOSE = "z_close"
    ACCEPT_OVER_SHORT = "accept_over_short"
    PRODUCT_ADMIN = "product_admin"
    STAFF_ADMIN = "staff_admin"
    CUSTOMER_ADMIN = "customer_admin"
    REPORTS = "reports"
    AUDIT_READ = "audit_read"
    QUIT = "quit"  #: leave the register (Ctrl+Q): a kiosk till is not left by a cashier
    DATABASE_ADMIN = "database_admin"  #: a backup to a place of one's choosing
    DATABASE_RESTORE = "database_restore"  #: a backup restored over the database


#: How each action is named on screen ("Manager approval: Void sale").
ACTION_LABELS: Mapping[Action, str] = {
    Action.VOID_LINE: "Void line",
    Action.VOID_SALE: "Void sale",
    Action.DISCOUNT_OVER_LIMIT: "Discount above the limit",
    Action.PRICE_OVERRIDE: "Price override",
    Action.REFUND: "Refund",
    Action.RETURN_WITHOUT_RECEIPT: "Return without receipt",
    Action.NO_SALE: "No sale (open drawer)",
    Action.CASH_IN_OUT: "Cash in / out",
    Action.X_REPORT: "X report",
    Action.Z_CLOSE: "Z close",
    Action.ACCEPT_OVER_SHORT: "Accept cash over/short",
    Action.PRODUCT_ADMIN: "Product and stock admin",
    Action.STAFF_ADMIN: "Staff admin",
    Action.CUSTOMER_ADMIN: "Customer data admin",
    Action.REPORTS: "Reports",
    Action.AUDIT_READ: "Audit log",
    Action.QUIT: "Quit the till",
    Action.DATABASE_ADMIN: "Database backup",
    Action.DATABASE_RESTORE: "Database restore",
}

_CASHIER = frozenset({Action.VOID_LINE, Action.X_REPORT})
_SUPERVISOR = _CASHIER | {
    Action.VOID_SALE,
    Action.DISCOUNT_OVER_LIMIT,
    Action.PRICE_OVERRIDE,
    Action.REFUND,
    Action.RETURN_WITHOUT_RECEIPT,
    Action.NO_SALE,
    Action.CASH_IN_OUT,
    Action.Z_CLOSE,
    Action.REPORTS,
}

#: Who may do what unless ``[staff.permissions]`` in the config says otherwise.
DEFAULT_GRANTS: Mapping[Role, frozenset[Action]] = {
    Role.CASHIER: _CASHIER,
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.MANAGER: frozenset(Action),
}


@dataclass(frozen=True)
class Employee:
    """Someone who works the till. ``code`` is the number typed at log-in."""

    id: int
    code: str
    name: str
    role: Role
    active: bool = True


@dataclass(frozen=True)
class Approval:
    """Who did a gated action, and who approved it when their own role may not."""

    action: Action
    actor: Employee | None
    approver: Employee | None = None

    @property
    def by(self) -> str:
        """The name that did it (and the approver's, if any), for messages."""
        name = self.actor.name if self.actor else "nobody logged in"
        return f"{name} (approved by {self.approver.name})" if self.approver else name


@dataclass(frozen=True)
class Permissions:
    """The permission matrix: the actions each role may do itself."""

    grants: Mapping[Role, frozenset[Action]]

    @classmethod
    def default(cls) -> Permissions:
        """The built-in matrix."""
        return cls(DEFAULT_GRANTS)

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, Iterable[str]]) -> Permissions:
        """The default matrix with some roles' grants replaced (from the config)."""
        grants = dict(DEFAULT_GRANTS)
        for role_name, actions in overrides.items():
            try:
                role = Role(role_name)
            except ValueError:
                raise StaffError(
                    f"Unknown role {role_name!r} (cashier, supervisor, manager)"
                ) from None
            chosen = set()
            for name in actions:
                try:
                    chosen.add(Action(name))
                except ValueError:
                    raise StaffError(f"Unknown action {name!r} for role {role_name}") from None
            grants[role] = frozenset(chosen)
        return cls(grants)

    def allows(self, role: Role, action: Action) -> bool:
        """True when ``role`` may do ``action`` without anyone's approval."""
        return action in self.grants.get(role, frozenset())

    def covers(self, approval: Approval, action: Action) -> bool:
        """True when ``approval`` is for ``action`` and its actor's role may do it, or its
        approver's role may (an inactive employee neither acts nor approves)."""
        if approval.action != action or approval.actor is None or not approval.actor.active:
            return False
        if self.allows(approval.actor.role, action):
            return True
        approver = approval.approver
        return approver is not None and approver.active and self.allows(approver.role, action)


def parse_role(text: str) -> Role:
    """A role from its name, with a message that lists the roles."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise StaffError(
            f"Unknown role {text.strip()!r}: use cashier, supervisor or manager"
        ) from None


def check_employee_code(text: str) -> str:
    """An employee number: 1 to 8 digits."""
    code = text.strip()
    if not code.isdigit() or not 1 <= len(code) <= 8 or not code.isascii():
        raise StaffError("An employee number is 1 to 8 digits")
    return code
