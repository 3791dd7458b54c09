"""Returning what was sold elsewhere: a web order, or a sale of another till or store.

The store server says what is left of each line and takes the claim (all or nothing, one
claim id per return line), so two tills cannot take back the same piece. The return line
then goes into the open sale like a return without receipt, at the price paid in the
original document (its share of the line's amount), never at today's price. Offline only
this till's own sales can be returned (:class:`tui_pos.services.returns.Returns`).

A web order is refunded to the web payment as a card-not-present refund record (a card
refund whose reference names the order) or with a credit note, as the caller says
(``web_refund``); a till's sale by the cashier's choice as usual.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from tui_pos.domain.money import div_round
from tui_pos.domain.quantity import format_quantity, parse_quantity
from tui_pos.domain.returns import LeftToReturn, ReturnAmounts, ReturnError
from tui_pos.domain.sale import SaleDocument
from tui_pos.services.returns import Returns

WebRefund = Literal["card", "store_credit"]


class ReturnsServer(Protocol):
    """The store server's returns routes (tui_pos.sync.client.ServerClient)."""

    def returnable(self, document: str) -> dict[str, Any]: ...

    def claim(self, document: str, claim: str, lines: list[dict[str, int]]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RemoteDocument:
    document: str  #: the server's key (``web/WEB-1001``, ``S01/T2-000042``)
    asked: str  #: as the cashier typed or scanned it
    channel: str  #: ``till`` or ``web``
    lines: tuple[LeftToReturn, ...]


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

    def open(self, text: str) -> RemoteDocument:
        """The document ``text`` names with what is left to return (asks the server)."""
        doc = _document(self._ask(lambda: self.server.returnable(text.strip())))
        if not any(ln.left_milli for ln in doc.lines):
            raise ReturnError(f"Everything of {doc.asked} was returned already")
        return doc

    def take_back(self, doc: RemoteDocument, position: int, qty_text: str = "") -> str:
        """Claim ``qty_text`` of line ``position`` (empty = all that is left) at the server
        and add the return line to the open sale."""
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
        self.returns.register.add_line(
            replace(
                product,
                qty_milli=-qty,
                refund=ReturnAmounts(-back, 0, 0),
                to_stock=True,
            )
        )
        return f"Returning {format_quantity(qty, product.unit)} x {product.name} of {doc.asked}"

    def refund(self, doc: RemoteDocument) -> SaleDocument | None:
        """Pay the refund of a web order as configured (a till's sale: Returns.refund)."""
        if doc.channel != "web":
            raise ReturnError("A till's sale is refunded as usual (cash, card or credit note)")
        if self.web_refund == "card":
            return self.returns.refund("card", f"web order {doc.asked}: card not present")
        return self.returns.refund("store_credit")


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
