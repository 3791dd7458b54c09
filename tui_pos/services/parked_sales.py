"""Parked (suspended) sales: the register's open sale put aside to serve someone else,
and brought back later; they survive a restart (not fiscal documents)."""

from __future__ import annotations

from collections.abc import Callable

from tui_pos.domain.card_numbers import refuse_card_number
from tui_pos.domain.cart import Cart
from tui_pos.domain.errors import CartError
from tui_pos.domain.tax import TaxRate
from tui_pos.domain.tender import Tender
from tui_pos.services.open_sale import RegisterSettings
from tui_pos.services.ports import Clock, SaleStore, SuspendedCart


class ParkedSales:
    """Suspend and resume (mixed into the Register, which holds the open sale)."""

    # The register's state, set by its constructor.
    cart: Cart
    tender: Tender | None
    settings: RegisterSettings
    store: SaleStore
    clock: Clock
    _reset: Callable[[], None]
    _notify: Callable[..., None]
    _priced: Callable[[Cart], Cart]
    tax_rates: Callable[[], dict[str, TaxRate]]

    def suspend(self, label: str = "") -> int:
        """Park the open sale to serve someone else; returns the parked sale's id."""
        if self.cart.is_empty:
            raise CartError("The sale is empty: nothing to suspend")
        if self.tender and self.tender.payments:
            raise CartError("Payments were taken: finish or remove them before suspending")
        refuse_card_number(label, "label")
        suspended_id = self.store.suspend(
            self.settings.till,
            label.strip()[:40],
            self.cart.to_dict(),
            len(self.cart.lines),
            self.cart.totals().total_cents,
            self.clock(),
        )
        self._reset()
        return suspended_id

    def suspended(self) -> list[SuspendedCart]:
        """Parked sales of this till."""
        return self.store.suspended(self.settings.till)

    def resume(self, suspended_id: int) -> None:
        """Bring a parked sale back as the open sale."""
        if not self.cart.is_empty:
            raise CartError("Finish, suspend or void the current sale before resuming another")
        data = self.store.load_suspended(suspended_id)
        if data is None:
            raise CartError("That suspended sale is gone (resumed at another moment?)")
        cart = Cart.from_dict(
            data, self.tax_rates(), prices_include_tax=self.settings.prices_include_tax
        )
        self.cart = self._priced(cart)
        self.tender = None
        # Journal it as the open sale before it leaves the parked list: a crash between the
        # two then finds it parked still, and the journal copy is dropped at the next start.
        self._notify()
        self.store.drop_suspended(suspended_id)
