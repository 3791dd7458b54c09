"""Returns and exchanges at the register.

A return is built in the register's open sale: return lines (negative quantities, each
naming the sold line it returns) next to any new items, so an exchange is one document.
The sale is stored by the register as usual; a negative total is paid out by
:meth:`Returns.refund` (cash, card with the terminal's reference, or store credit, which
issues a credit note). The over-return check is made again in the storing transaction.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from tui_pos.domain.cart_lines import CartLine
from tui_pos.domain.errors import BarcodeError, CartError, DomainError
from tui_pos.domain.quantity import format_quantity, parse_quantity
from tui_pos.domain.returns import ReturnableLine, ReturnAmounts, ReturnError, return_amounts
from tui_pos.domain.sale import SaleDocument, format_sale_number
from tui_pos.domain.staff import Action, Approval
from tui_pos.domain.tender import TenderKind
from tui_pos.services.register import Register

#: Credit note codes: "CR" and 10 characters without look-alikes (0/O, 1/I/L).
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_credit_code() -> str:
    """A fresh, unguessable credit note code like ``CR7KQ2M9XTAB``."""
    return "CR" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


class ReturnStore(Protocol):
    """What returns need from storage."""

    def returnable(self, till: str, seq: int) -> list[ReturnableLine] | None:
        """The sold lines of a completed sale with what was returned of each already."""

    def credit_balance(self, code: str) -> int | None:
        """What is left on a credit note; None if there is no such note."""


@dataclass(frozen=True)
class ReturnView:
    """A stored sale as the returns screen shows it.

    ``lines`` count what the open sale already takes back as returned too.
    """

    sale: SaleDocument
    lines: tuple[ReturnableLine, ...]

    @property
    def number(self) -> str:
        """``T1-000042``."""
        return format_sale_number(self.sale.till, self.sale.seq or 0)

    @property
    def tender_kinds(self) -> tuple[TenderKind, ...]:
        """How the sale was paid, largest payment first (the refund's default)."""
        ordered = sorted(self.sale.payments, key=lambda p: -p.amount_cents)
        kinds: list[TenderKind] = []
        for p in ordered:
            if p.kind not in kinds:
                kinds.append(p.kind)
        return tuple(kinds)


class Returns:
    """The use cases of the returns screen, on the register's open sale."""

    def __init__(
        self,
        register: Register,
        store: ReturnStore,
        new_code: Callable[[], str] = new_credit_code,
    ) -> None:
        self.register = register
        self.store = store
        self.new_code = new_code
        #: How the returned sales were paid (for "refund to the original tender").
        self.original_tenders: tuple[TenderKind, ...] = ()
        #: The customer of the sale being returned: the return is theirs too, so the
        #: points it earned are reversed by the same earn rule.
        self.original_customer: int | None = None
        #: The refund the open sale must take, whatever key is pressed: a web order's
        #: return goes back to the web payment or to a credit note, as configured
        #: (cart uuid, kind, reference; see :meth:`require_refund`).
        self._required: tuple[str, TenderKind, str] | None = None

    # -- finding the sale ------------------------------------------------------------
    def receipt_number(self, text: str) -> int | None:
        """The sale number in a scanned receipt barcode (``T1-000042``, this till's), or
        in a store receipt code (a ``receipt`` barcode rule: the 6 digits before the
        check digit); None when ``text`` is not a receipt code."""
        cleaned = text.strip().upper()
        till = re.escape(self.register.settings.till.upper())
        found = re.fullmatch(rf"{till}-([0-9]{{1,9}})", cleaned)
        if found:
            return int(found.group(1))
        try:
            scanned = self.register.parser.parse(cleaned)
        except BarcodeError:
            return None
        if scanned.kind == "receipt":
            return int(scanned.code[-7:-1])
        return None

    def open_sale(self, text: str) -> ReturnView:
        """The sale to return from: its number, a receipt scan, or empty for the last one."""
        seq = self.receipt_number(text)
        doc = self.register.find_sale(str(seq) if seq is not None else text)
        return self.view(doc)

    def view(self, doc: SaleDocument) -> ReturnView:
        """``doc`` with what is left to return of each line (open sale included)."""
        if doc.status != "completed" or doc.seq is None:
            raise ReturnError(f"Sale {format_sale_number(doc.till, doc.seq or 0)} was voided")
        lines = self.store.returnable(doc.till, doc.seq)
        if lines is None:
            raise ReturnError("That sale cannot be returned (voided or gone)")
        in_cart = self._in_cart()
        shown = tuple(
            replace(ln, returned_milli=ln.returned_milli + in_cart.get(ln.line_id, 0))
            for ln in lines
        )
        if not shown:
            raise ReturnError("That document has no sold lines (it is a return itself)")
        self.original_tenders = ReturnView(doc, shown).tender_kinds
        self.original_customer = doc.customer_id
        return ReturnView(doc, shown)

    # -- return lines ------------------------------------------------------------------
    def return_line(
        self, line: ReturnableLine, qty_text: str = "", *, to_stock: bool = True
    ) -> str:
        """Take back ``qty_text`` of a sold line (empty = all that is left)."""
        if line.product_id is None:
            raise ReturnError(f"{line.name} is no longer in the catalog: return it without receipt")
        # What was returned by stored documents, read again, and what the open sale takes.
        stored = {
            ln.line_id: ln
            for ln in self.store.returnable(self.register.settings.till, line.sale_seq) or []
        }
        if line.line_id not in stored:
            raise ReturnError("That sale cannot be returned (voided or gone)")
        fresh = stored[line.line_id]
        in_cart = self._in_cart().get(line.line_id, 0)
        if qty_text.strip():
            qty = parse_quantity(qty_text, line.unit, self.register.settings.limits)
        else:
            qty = fresh.remaining_milli - in_cart
            if qty <= 0:
                raise ReturnError(f"{line.name}: everything sold was returned already")
        amounts = return_amounts(fresh, qty, in_cart)
        self.register.add_line(
            CartLine(
                product_id=line.product_id,
                name=line.name,
                unit=line.unit,
                unit_price_cents=line.unit_price_cents,
                qty_milli=-qty,
                tax_code=line.tax_code,
                code=line.code,
                return_of=line.line_id,
                refund=amounts,
                to_stock=to_stock,
            )
        )
        if self.register.cart.customer_id is None and self.original_customer is not None:
            self.register.set_customer(self.original_customer)
        where = "to stock" if to_stock else "as damaged"
        return f"Returning {format_quantity(qty, line.unit)} x {line.name} {where}"

    def return_without_receipt(
        self, text: str, approval: Approval | None = None, *, to_stock: bool = True
    ) -> str:
        """Take back an item with no receipt (``CODE`` or ``QTY*CODE``) at today's price.

        ``approval`` (collected by the screen) must cover RETURN_WITHOUT_RECEIPT
        (PermissionDenied otherwise).
        """
        line = self.register.line_for(text)
        self.register.auth.authorize(
            Action.RETURN_WITHOUT_RECEIPT, approval, f"return {line.name} without receipt"
        )
        returned = replace(
            line,
            qty_milli=-line.qty_milli,
            refund=ReturnAmounts(-line.base_cents, 0, 0),
            to_stock=to_stock,
        )
        self.register.add_line(returned)
        qty = format_quantity(line.qty_milli, line.unit)
        return f"Returning {qty} x {line.name} without receipt"

    # -- paying out --------------------------------------------------------------------
    def require_refund(self, kind: TenderKind, reference: str) -> None:
        """The open sale's refund must be ``kind`` (a card refund with ``reference``)."""
        self._required = (self.register.cart.uuid, kind, reference)

    def required_refund(self) -> tuple[TenderKind, str] | None:
        """The kind and reference the open sale's refund must take, if it is bound."""
        required = self._required
        if required is None or required[0] != self.register.cart.uuid:
            return None
        return required[1], required[2]

    def refund(
        self, kind: TenderKind, reference: str = "", approval: Approval | None = None
    ) -> SaleDocument | None:
        """Pay out the refund due; ``store_credit`` issues a new credit note.

        ``approval`` (collected by the screen) must cover REFUND: the register refuses it
        otherwise.
        """
        required = self.required_refund()
        if required is not None:
            if kind != required[0]:
                how = "to the web payment (card)" if required[0] == "card" else "as a credit note"
                raise ReturnError(f"This return of a web order is refunded {how} at this store")
            reference = required[1]
        if kind == "store_credit":
            reference = self.new_code()
        doc = self.register.refund(kind, reference, approval)
        if doc is not None or self.register.awaiting_storage:  # (stored by the screen)
            self.original_tenders = ()
        return doc

    def credit_balance(self, code: str) -> int:
        """What is left on a credit note (DomainError if there is no such note)."""
        balance = self.store.credit_balance(_code(code))
        if balance is None:
            raise DomainError(f"There is no credit note {_code(code)}")
        return balance

    def pay_store_credit(self, code: str, amount_text: str = "") -> SaleDocument | None:
        """Redeem a credit note as (part) payment of the open sale."""
        cleaned = _code(code)
        taken = sum(  # what this open sale already takes from the note
            p.amount_cents
            for p in (self.register.tender_state().payments if self.register.has_payments else ())
            if p.kind == "store_credit" and p.reference == cleaned
        )
        balance = self.credit_balance(cleaned) - taken
        return self.register.pay_store_credit(cleaned, amount_text, balance)

    # -- internals ---------------------------------------------------------------------
    def _in_cart(self) -> dict[int, int]:
        taken: dict[int, int] = {}
        for ln in self.register.cart.lines:
            if ln.return_of is not None:
                taken[ln.return_of] = taken.get(ln.return_of, 0) - ln.qty_milli
        return taken


def _code(text: str) -> str:
    cleaned = text.strip().upper()
    if not re.fullmatch(r"CR[0-9A-Z]{10}", cleaned):
        raise CartError(f"Not a credit note code: {text.strip()[:20]!r} (like CR7KQ2M9XTAB)")
    return cleaned
