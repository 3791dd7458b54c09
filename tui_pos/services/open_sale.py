"""What the register's parts share about the open sale: how the till sells, the payment
state shown on screen, and the port that follows the open sale for crash recovery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tui_pos.domain.cart import Cart
from tui_pos.domain.cart_lines import CartLine
from tui_pos.domain.quantity import QuantityLimits
from tui_pos.domain.tax import TaxRate
from tui_pos.domain.tender import DEFAULT_MAX_CHANGE_CENTS, Payment, Tender


class OpenSaleLog(Protocol):
    """What follows the open sale for crash recovery (:class:`CartJournal` in production)."""

    def changed(self, cart: Cart, tender: Tender | None, *, wait_ms: int | None = None) -> None:
        """The open sale changed (``wait_ms``: wait at most that long for the database)."""

    def line_added(self, cart: Cart, tender: Tender | None, line: CartLine) -> None:
        """``line`` was appended to the open sale and nothing else changed."""

    def closed(self, uuid: str) -> None:
        """The sale ``uuid`` was stored, and its journal cleared in the same transaction."""


@dataclass(frozen=True)
class RegisterSettings:
    """How this till sells (from the config)."""

    till: str
    taxes: dict[str, TaxRate]
    prices_include_tax: bool = True
    cash_step: int = 1
    limits: QuantityLimits = QuantityLimits()
    max_change_cents: int = DEFAULT_MAX_CHANGE_CENTS
    card_reference_required: bool = True  #: a card payment needs the terminal's reference


@dataclass(frozen=True)
class TenderState:
    """The payment side of the open sale."""

    total_cents: int
    paid_cents: int
    remaining_cents: int
    cash_due_cents: int
    payments: tuple[Payment, ...]
