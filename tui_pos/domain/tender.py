"""Taking payment: cash with change and cash rounding, card, split tender.

Cash rounding applies only to what is paid in cash and only when cash settles the
balance: the exact remaining amount is rounded to the configured step and the difference
is kept as the sale's ``rounding_cents`` (so lines, tax and card payments stay exact).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Literal

from tui_pos.domain.card_numbers import looks_like_card_number
from tui_pos.domain.errors import MoneyError, TenderError
from tui_pos.domain.money import format_money, parse_money, round_to_step

TenderKind = Literal["cash", "card", "store_credit", "points"]
#: How a refund can be paid out (a store credit refund issues a credit note).
REFUND_KINDS: tuple[TenderKind, ...] = ("cash", "card", "store_credit")

#: Change above this is refused: an amount that large is a mistyped or scanned number.
DEFAULT_MAX_CHANGE_CENTS = 50_000

_LONG_DIGITS = re.compile(r"\d{8,}")


@dataclass(frozen=True)
class Payment:
    """One payment on a sale. ``amount_cents`` is what it pays of the sale."""

    kind: TenderKind
    amount_cents: int
    tendered_cents: int
    change_cents: int = 0
    reference: str = ""
    uuid: str = field(default_factory=lambda: uuid.uuid4().hex)


def parse_tendered(text: str) -> int:
    """Parse an amount typed or scanned into the tender field.

    A run of eight or more digits is refused: that is a barcode, not money.
    """
    cleaned = text.strip()
    if _LONG_DIGITS.search(cleaned):
        raise TenderError("That looks like a barcode, not an amount: nothing was taken")
    try:
        return parse_money(cleaned)
    except MoneyError as exc:
        raise TenderError(str(exc)) from exc


def check_card_reference(ref: str) -> None:
    """Refuse a missing, overlong or card-number-like terminal reference (TenderError)."""
    if not ref:
        raise TenderError("Enter the card terminal's reference from its slip")
    if len(ref) > 40 or not ref.isprintable():
        raise TenderError("Card reference must be up to 40 printable characters")
    if looks_like_card_number(ref):
        raise TenderError("Never type the card number: enter the terminal's reference")


class Tender:
    """The payments taken against one total. Bad payments raise and change nothing."""

    def __init__(
        self,
        total_cents: int,
        *,
        cash_step: int = 1,
        max_change_cents: int = DEFAULT_MAX_CHANGE_CENTS,
    ) -> None:
        self.total_cents = total_cents
        self.cash_step = cash_step
        self.max_change_cents = max_change_cents
        self.payments: list[Payment] = []
        self.rounding_cents = 0

    @property
    def paid_cents(self) -> int:
        """What the payments so far cover of the sale."""
        return sum(p.amount_cents for p in self.payments)

    @property
    def remaining_cents(self) -> int:
        """Exact amount still owed (before any cash rounding)."""
        return self.total_cents + self.rounding_cents - self.paid_cents

    @property
    def cash_due_cents(self) -> int:
        """What cash must cover to settle the sale: the remainder, cash-rounded."""
        return round_to_step(self.remaining_cents, self.cash_step)

    @property
    def is_settled(self) -> bool:
        """True once nothing is owed."""
        return self.remaining_cents == 0 and (bool(self.payments) or self.total_cents == 0)

    @property
    def change_cents(self) -> int:
        """Total change given back."""
        return sum(p.change_cents for p in self.payments)

    def pay_cash(self, tendered_cents: int | None = None) -> Payment:
        """Take cash; ``None`` means exact cash (the cash due).

        Cash that covers the exact remainder settles the sale and must then cover the
        cash-rounded amount; less than the remainder is a part payment.
        """
        self._check_open()
        remaining = self.remaining_cents
        due = self.cash_due_cents
        tendered = due if tendered_cents is None else tendered_cents
        if tendered_cents is not None and tendered <= 0:
            raise TenderError("Cash amount must be more than 0")
        if tendered >= remaining or tendered >= due:
            if tendered < due:
                raise TenderError(
                    f"Cash due is {format_money(due)} (rounded): hand over at least that"
                )
            change = tendered - due
            if change > self.max_change_cents:
                raise TenderError(
                    f"Change would be {format_money(change)}: re-enter the amount handed over"
                )
            payment = Payment("cash", due, tendered, change)
            self.rounding_cents += due - remaining
        else:
            payment = Payment("cash", tendered, tendered, 0)
        self.payments.append(payment)
        return payment

    def pay_card(self, amount_cents: int | None, reference: str) -> Payment:
        """Record a card payment made on the external terminal (no cashback)."""
        self._check_open()
        amount = self.remaining_cents if amount_cents is None else amount_cents
        if amount <= 0:
            raise TenderError("Card amount must be more than 0")
        if amount > self.remaining_cents:
            raise TenderError(
                f"Card amount {format_money(amount)} is more than the "
                f"{format_money(self.remaining_cents)} still due"
            )
        ref = reference.strip()
        check_card_reference(ref)
        payment = Payment("card", amount, amount, 0, ref)
        self.payments.append(payment)
        return payment

    def pay_store_credit(self, amount_cents: int | None, code: str, balance_cents: int) -> Payment:
        """Redeem a credit note (its ``balance_cents`` looked up by the caller).

        ``None`` takes what is due, up to the balance.
        """
        self._check_open()
        if balance_cents <= 0:
            raise TenderError(f"Credit note {code} has nothing left on it")
        amount = min(self.remaining_cents, balance_cents) if amount_cents is None else amount_cents
        if amount <= 0:
            raise TenderError("Store credit amount must be more than 0")
        if amount > self.remaining_cents:
            raise TenderError(
                f"Store credit {format_money(amount)} is more than the "
                f"{format_money(self.remaining_cents)} still due"
            )
        if amount > balance_cents:
            raise TenderError(f"Credit note {code} holds only {format_money(balance_cents)}")
        payment = Payment("store_credit", amount, amount, 0, code)
        self.payments.append(payment)
        return payment

    def refund(self, kind: TenderKind, reference: str = "") -> Payment:
        """Pay out all that is owed to the customer (a negative total), in one payment.

        Cash is cash-rounded like a cash payment; a card refund needs the terminal's
        reference; a store credit refund carries the new credit note's code.
        """
        remaining = self.remaining_cents
        if remaining >= 0:
            raise TenderError("Nothing to refund: the customer owes the sale")
        if kind == "cash":
            due = round_to_step(remaining, self.cash_step)
            payment = Payment("cash", due, due, 0)
            self.rounding_cents += due - remaining
        else:
            ref = reference.strip()
            if kind == "card":
                check_card_reference(ref)
            elif not ref:
                raise TenderError("A store credit refund needs its credit note code")
            payment = Payment(kind, remaining, remaining, 0, ref)
        self.payments.append(payment)
        return payment

    def pay_points(self, amount_cents: int, points: int) -> Payment:
        """Record loyalty points redeemed as a payment (limits are checked by the loyalty
        rules before); the reference holds the number of points."""
        self._check_open()
        if amount_cents <= 0 or points <= 0:
            raise TenderError("Points payment must be more than 0")
        if amount_cents > self.remaining_cents:
            raise TenderError(
                f"Points pay {format_money(amount_cents)}: more than the "
                f"{format_money(self.remaining_cents)} still due"
            )
        payment = Payment("points", amount_cents, amount_cents, 0, str(points))
        self.payments.append(payment)
        return payment

    @property
    def is_refund(self) -> bool:
        """True when the customer is owed money (a return worth more than what is bought)."""
        return self.total_cents < 0

    @property
    def points_paid_cents(self) -> int:
        """What loyalty points already pay of the sale."""
        return sum(p.amount_cents for p in self.payments if p.kind == "points")

    def remove_last(self) -> Payment:
        """Take back the last payment (before the sale is completed)."""
        if not self.payments:
            raise TenderError("No payment to remove")
        # Rounding only arises on the payment that settles the sale, which is the last.
        self.rounding_cents = 0
        return self.payments.pop()

    def _check_open(self) -> None:
        if self.payments and self.remaining_cents <= 0:
            raise TenderError("The sale is already paid")
        if self.total_cents < 0:
            raise TenderError("The customer is owed a refund: choose how to pay it out")
        if self.total_cents == 0:
            raise TenderError("Nothing to pay")
