"""Setting a tax code at a till on its own (``tui-pos tax set``): product admin.

The code set here wins over the config's ``[[tax]]`` from then on; a sale already open
keeps the rate it was rung up at, the next one uses the new rate. On a till enrolled with
a store server the tax codes are the server's (it checks the role there and every till
applies the change from its feed); this use case is the till alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from tui_pos.domain.errors import DomainError
from tui_pos.domain.staff import Action, Approval
from tui_pos.domain.tax import TaxRate
from tui_pos.services.permissions import Authorizer
from tui_pos.services.unit_of_work import UnitOfWork


class TaxCodeStore(Protocol):
    """The tax codes in storage."""

    def set_at_till(self, tax: TaxRate) -> None:
        """Store ``tax`` as set at this till (inside the open unit of work)."""


class TaxCodes:
    """The tax codes of one till: building a change, and making it at a till alone."""

    def __init__(
        self,
        store: TaxCodeStore,
        rates: Callable[[], dict[str, TaxRate]],
        uow: UnitOfWork,
        auth: Authorizer,
    ) -> None:
        self.store = store
        self.rates = rates  #: the codes in force now, by code
        self.uow = uow
        self.auth = auth  #: setting a code is product admin

    def wanted(self, code: str, rate_bp: int, name: str | None = None) -> TaxRate:
        """The code as it is to be: checked; its name ``name``, else the one it has now,
        else the code itself."""
        if not code.isascii() or not code.isalnum() or len(code) > 8:
            raise DomainError(f"tax code {code!r}: 1-8 letters or digits")
        if not 0 <= rate_bp <= 10_000:
            raise DomainError(f"tax {code}: a rate from 0 to 100 percent")
        current = self.rates().get(code)
        shown = " ".join((name or "").split()) or (current.name if current else code)
        return TaxRate(code, shown, rate_bp)

    def set(self, code: str, rate_bp: int, name: str | None, approval: Approval | None) -> TaxRate:
        """Add ``code`` or change its rate at this till if ``approval`` covers
        PRODUCT_ADMIN (PermissionDenied, audited, and nothing changed otherwise); the code
        and its audit line are stored together. Returns the code as stored."""
        tax = self.wanted(code, rate_bp, name)
        detail = f"{tax.code} {tax.label} ({tax.name})"
        self.auth.authorize(Action.PRODUCT_ADMIN, approval, f"tax {detail}")
        with self.uow:
            self.store.set_at_till(tax)
            self.auth.record("tax_set", detail, approval)
        return tax
