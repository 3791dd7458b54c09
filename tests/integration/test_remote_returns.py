"""A web order returned at the till is refunded as ``[store] web_refund`` says, both ways,
on a real till database; the store server's returns routes are an in-memory port (the
real server: tests/e2e/test_webshop_till.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.domain.returns import ReturnError
from tui_pos.domain.staff import Action
from tui_pos.services.remote_returns import RemoteReturns, WebRefund
from tui_pos.sync.client import SyncError, refusal_text

LOAF = "5900000000015"  # White Loaf 800g, 1.49


class MemoryReturnsServer:
    """What the store server answers for one web order of two loaves (claims kept)."""

    def __init__(self) -> None:
        self.claims: dict[str, int] = {}
        self.online = True

    @property
    def claimed(self) -> int:
        return sum(self.claims.values())

    def enrolled(self) -> bool:
        return True

    def returnable(self, document: str) -> dict[str, Any]:
        if not self.online:
            raise SyncError("offline", "not reachable")
        line = {"position": 1, "code": LOAF, "name": "White Loaf 800g", "qty_milli": 2000}
        left = 2000 - self.claimed
        return {
            "document": f"web/{document}",
            "asked": document,
            "channel": "web",
            "lines": [{**line, "amount_cents": 298, "left_milli": left}],
        }

    def claim(self, document: str, claim: str, lines: list[dict[str, int]]) -> dict[str, Any]:
        wanted = sum(ln["qty_milli"] for ln in lines)
        if self.claimed + wanted > 2000:
            raise SyncError("over_return", "line 1: only 0 left to return")
        self.claims[claim] = wanted
        return self.returnable(document)

    def release(self, claim: str) -> dict[str, Any]:
        if not self.online:
            raise SyncError("offline", "not reachable")
        self.claims.pop(claim)
        return {"claim": claim, "released": True}


@pytest.mark.parametrize("how", ["card", "store_credit"])
def test_a_web_orders_refund_goes_where_the_config_says(demo_till: Till, how: WebRefund) -> None:
    server = MemoryReturnsServer()
    remote = RemoteReturns(demo_till.returns, server, how, refusal_text)
    doc = remote.open("WEB-77")
    assert "Returning 1 x White Loaf 800g of WEB-77" in remote.take_back(doc, 1, "1")
    refund = approved(demo_till, Action.REFUND)
    other = "store_credit" if how == "card" else "card"
    for refused in ("cash", other):
        with pytest.raises(ReturnError, match="web order is refunded"):
            demo_till.returns.refund(refused, "", refund)  # type: ignore[arg-type]
    assert demo_till.returns.required_refund() is not None
    done = demo_till.returns.refund(how, "", refund)
    assert done is not None and done.total_cents == -149
    payment = done.payments[0]
    assert payment.kind == how
    if how == "card":
        assert payment.reference == "web order WEB-77: card not present"
    else:
        assert payment.reference.startswith("CR")
    # the binding ends with its sale; the server refuses what is gone, offline says so
    assert demo_till.returns.required_refund() is None
    with pytest.raises(ReturnError, match="only 0 left"):
        remote.take_back(doc, 1, "2")
    server.online = False
    with pytest.raises(ReturnError, match="not reachable: only this till's own sales"):
        remote.open("WEB-77")


def test_a_claimed_line_voided_or_in_a_voided_sale_is_released(demo_till: Till) -> None:
    server = MemoryReturnsServer()
    remote = RemoteReturns(demo_till.returns, server, "card", refusal_text)
    register = demo_till.register
    released: list[tuple[str, ...]] = []

    def release(claims: tuple[str, ...]) -> None:  # (the app runs it in a thread worker)
        released.append(claims)
        remote.release(claims)

    register.on_claims_dropped = release
    doc = remote.open("WEB-77")
    remote.take_back(doc, 1, "1")
    claim = register.cart.lines[0].claim
    assert server.claims == {claim: 1000}
    register.void_line(0, approved(demo_till, Action.VOID_LINE))
    assert released == [(claim,)] and server.claimed == 0
    # a sale voided with two claimed lines: both given back; offline: left to the lease
    remote.take_back(doc, 1, "1")
    remote.take_back(doc, 1, "1")
    register.enter(LOAF)  # an exchange: the bought line has no claim
    claims = tuple(ln.claim for ln in register.cart.lines[:2])
    register.void_sale(approved(demo_till, Action.VOID_SALE))
    assert released[-1] == claims and server.claimed == 0
    remote.take_back(doc, 1, "2")
    server.online = False
    assert remote.release((register.cart.lines[0].claim,)) == 0  # not reached: no error
    assert server.claimed == 2000
