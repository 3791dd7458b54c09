"""Returning what was sold elsewhere: a web order, or a sale of another till or store.

The store server says what is left of each line and takes the claim (all or nothing, one
claim id per return line), so two tills cannot take back the same piece. The return line
then goes into the open sale like a return without receipt, at the price paid in the
original document (its share of the line's amount), never at today's price. Offline only
this till's own sales can be returned (:class:`tui_pos.services.returns.Returns`).

A web order is refunded to the web payment as a card-not-present refund record (a card
refund whose reference names the order) or with a credit note, as ``[store] web_refund``
says: taking back a web order's line binds the open sale's refund to it
(:meth:`Returns.require_refund`); a till's sale is refunded by the cashier's choice.

Every method but :meth:`RemoteReturns.available` may ask the server: call them from a
worker, never the UI thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Literal, Protocol

from tui_pos.domain.cart_lines import CartLine
from tui_pos.domain.money import div_round
from tui_pos.domain.quantity import format_quantity, parse_quantity
from tui_pos.domain.returns import LeftToReturn, ReturnAmounts, ReturnError
from tui_pos.domain.sale import SaleDocument
from tui_pos.services.returns import Returns

WebRefund = Literal["card", "store_credit"]


class ReturnsServer(Protocol):
    """The store server's returns routes (tui_pos.sync.client.ServerClient)."""

    def enrolled(self) -> bool: ...

    def returnable(self, document: str) -> dict[str, Any]: ...

    def claim(self, document: str, claim: str, lines: list[dict[str, int]]) -> dict[str, Any]: ...

    def release(self, claim: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RemoteDocument:
    document: str  #: the server's key (``web/WEB-1001``, ``S01/T2-000042``)
    asked: str  #: as the cashier typed or scanned it
    channel: str  #: ``till`` or ``web``
    lines: tuple[LeftToReturn, ...]


@dataclass(frozen=True)
class ClaimedLine:
    """A line the server let this till take back, not yet in the open sale."""

    document: RemoteDocument
    line: CartLine


class RemoteReturns:
    """Returns of documents the server holds, into the register's open sale."""

    def __init__(
        self,
        returns: Returns,
        server: ReturnsServer,
        web_refund: WebRefund,
        errors: Callable[[Exception], str | None],
    ) -> None:
        self.returns = returns
        self.server = server
        self.web_refund = web_refund
        #: The server's refusal as a message for the cashier (None: not a server error).
        self.errors = errors

    def _ask(self, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        try:
            return work()
        except Exception as exc:
            message = self.errors(exc)
            if message is None:
                raise
            raise ReturnError(message) from None

    def available(self) -> bool:
        """True when there is a store server to ask (the till is enrolled)."""
        return self.server.enrolled()

    def open(self, text: str) -> RemoteDocument:
        """The document ``text`` names with what is left to return (asks the server)."""
        doc = self.lines_of(text)
        if not any(ln.left_milli for ln in doc.lines):
            raise ReturnError(f"Everything of {doc.asked} was returned already")
        return doc

    def lines_of(self, text: str) -> RemoteDocument:
        """The document ``text`` names, even when nothing is left (asks the server)."""
        return _document(self._ask(lambda: self.server.returnable(text.strip())))

    def claim(
        self, doc: RemoteDocument, position: int, qty_text: str = "", *, to_stock: bool = True
    ) -> ClaimedLine:
        """Claim ``qty_text`` of line ``position`` (empty = all that is left) at the server;
        the return line to add to the open sale (:meth:`add`, on the UI's thread)."""
        line = next((ln for ln in doc.lines if ln.position == position), None)
        if line is None:
            raise ReturnError(f"{doc.asked} has no line {position}")
        product = self.returns.register.line_for(line.code)
        if qty_text.strip():
            qty = parse_quantity(qty_text, product.unit, self.returns.register.settings.limits)
        else:
            qty = line.left_milli
        if qty <= 0:
            raise ReturnError(f"{product.name}: everything sold was returned already")
        claim = uuid.uuid4().hex
        lines = [{"position": position, "qty_milli": qty}]
        self._ask(lambda: self.server.claim(doc.asked, claim, lines))
        back = div_round(line.amount_cents * qty, line.qty_milli)
        returned = replace(
            product,
            qty_milli=-qty,
            refund=ReturnAmounts(-back, 0, 0),
            to_stock=to_stock,
            claim=claim,
        )
        return ClaimedLine(doc, returned)

    def add(self, claimed: ClaimedLine) -> str:
        """Put a claimed line into the open sale; a web order's binds the refund to the web
        payment or a credit note (``[store] web_refund``)."""
        doc, line = claimed.document, claimed.line
        self.returns.register.add_line(line)
        if doc.channel == "web":
            reference = (
                f"web order {doc.asked}: card not present" if self.web_refund == "card" else ""
            )
            self.returns.require_refund(self.web_refund, reference)
        where = "" if line.to_stock else " as damaged"
        qty = format_quantity(-line.qty_milli, line.unit)
        return f"Returning {qty} x {line.name} of {doc.asked}{where}"

    def take_back(
        self, doc: RemoteDocument, position: int, qty_text: str = "", *, to_stock: bool = True
    ) -> str:
        """:meth:`claim` then :meth:`add` (for a caller without a UI thread)."""
        return self.add(self.claim(doc, position, qty_text, to_stock=to_stock))

    def release(self, claims: tuple[str, ...]) -> int:
        """Give back the claims of return lines that left the open sale unstored (a voided
        line or sale): another till may then return them. Blocking (a worker's job).
        Returns how many the server released; one it cannot be told of now (offline) ends
        with its lease at the server, or with the push of the voided sale."""
        released = 0
        for claim in claims:
            try:
                self._ask(partial(self.server.release, claim))
            except ReturnError:
                continue
            released += 1
        return released

    def refund(self, doc: RemoteDocument) -> SaleDocument | None:
        """Pay the refund of a web order as configured (a till's sale: Returns.refund)."""
        if doc.channel != "web":
            raise ReturnError("A till's sale is refunded as usual (cash, card or credit note)")
        return self.returns.refund(self.web_refund)


def _document(answer: dict[str, Any]) -> RemoteDocument:
    return RemoteDocument(
        document=str(answer["document"]),
        asked=str(answer["asked"]),
        channel=str(answer["channel"]),
        lines=tuple(
            LeftToReturn(
                int(ln["position"]),
                str(ln["code"]),
                str(ln["name"]),
                int(ln["qty_milli"]),
                int(ln["amount_cents"]),
                int(ln["left_milli"]),
            )
            for ln in answer["lines"]
        ),
    )
