"""The till's side of coupons and unsubscribes through the store server.

- :class:`CouponReservations`: before a sale that redeems a personal coupon is stored
  (on the sale writer's thread, never the UI's), an enrolled till asks the server to
  reserve the coupon for that sale. Refused (redeemed or held by another sale, at any
  till of the store): the sale is refused with its cart and payments kept, as when a
  second till on one database redeemed it first. Not reached within
  :data:`RESERVE_TIMEOUT_S` (or already known to be offline): the coupon is redeemed
  locally, and the server raises an alert if its redemption row shows it was used
  elsewhere (the till keeps selling; a coupon is a small sum, a lost sale is not).
- :func:`apply_unsubscribe`: an unsubscribe token from the change feed (a customer used
  the mail's link at the server) is recorded here like ``tui-pos customer unsubscribe``
  when this till sent the mail; other tills do not know the token and skip it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from peewee import Database

from tui_pos.domain.coupons import CouponError
from tui_pos.domain.sale import SaleDocument
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError

#: How long a sale waits for the server's answer before the offline rule applies.
RESERVE_TIMEOUT_S = 2.0


class CouponReservations:
    """``Register.reserve_coupon`` of an enrolled till (set by the bootstrap)."""

    def __init__(self, db: Database, timeout: float = RESERVE_TIMEOUT_S) -> None:
        self.db = db
        self.timeout = timeout
        #: What the last reservation did: ``reserved``, ``offline`` or ``alone``.
        self.last = ""

    def __call__(self, doc: SaleDocument) -> None:
        """Reserve ``doc.coupon`` for ``doc``; CouponError when the server refuses."""
        state = st.load(self.db)
        if state is None or doc.coupon is None:
            self.last = "alone"
            return
        if state.offline_since is not None:  # the link knows: do not make the sale wait
            self.last = "offline"
            return
        client = ServerClient(state.url, state.token, timeout=self.timeout)
        try:
            client.call("POST", "coupons/reserve", {"code": doc.coupon, "sale": doc.uuid})
        except SyncError as exc:
            if exc.code == "used":
                raise CouponError(
                    f"{exc}: void the sale and ring it up again without the coupon"
                ) from None
            self.last = "offline"  # not reached, or an old server: redeem here
            return
        self.last = "reserved"


def apply_unsubscribe(db: Database, change: dict[str, Any]) -> int:
    """Record an unsubscribe from the feed (inside the puller's transaction); 1 when this
    till knew the token and the customer had not opted out yet."""
    token = str((change.get("body") or {}).get("token") or change.get("key") or "")
    state = st.load(db)
    from tui_pos.models.campaign_store import SqliteCampaignStore  # loaded on first use (memory)

    till = state.till if state is not None else "?"
    store = SqliteCampaignStore(db)
    done = store.unsubscribe(token, till, datetime.now(UTC), " (through the store server)")
    return 1 if done is not None and not done[1] else 0
