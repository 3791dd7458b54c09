"""What the till asks the store server while a cashier waits: returns of documents sold
elsewhere, and a loyalty card's balance before a redemption.

Both load the sync state per call (a till may enroll while it runs) and are blocking:
the screens call them from thread workers. A till that was never enrolled works alone.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

from peewee import Database

from tui_pos.domain.loyalty import LoyaltyError
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError
from tui_pos.sync.outbox import marks_at

#: How long a cashier waits for the server before the offline rule applies.
ASK_TIMEOUT_S = 2.0


class StoreServerReturns:
    """The store server's returns routes for this till (``RemoteReturns.server``)."""

    def __init__(self, db: Database, timeout: float = ASK_TIMEOUT_S) -> None:
        self.db = db
        self.timeout = timeout

    def enrolled(self) -> bool:
        """True when this till has a store server to ask."""
        return st.load(self.db) is not None

    def _client(self) -> ServerClient:
        state = st.load(self.db)
        if state is None:
            raise SyncError(
                "alone", "This till has no store server: only its own sales can be returned"
            )
        return ServerClient(state.url, state.token, timeout=self.timeout)

    def returnable(self, document: str) -> dict[str, Any]:
        """What is left to return of ``document`` (another till's sale, a web order)."""
        return self._client().returnable(document)

    def claim(self, document: str, claim: str, lines: list[dict[str, int]]) -> dict[str, Any]:
        """Take back lines of ``document`` (all or nothing; idempotent by ``claim``)."""
        return self._client().claim(document, claim, lines)

    def release(self, claim: str) -> dict[str, Any]:
        """Give back a claim whose return was abandoned (refused: another till's)."""
        return self._client().release(claim)


class OrganisationPoints:
    """``Customers.points_authority`` of a till: the balance a redemption may spend.

    Online: the server's balance for the customer's card (every till and web shop) plus
    what this till booked that the server has not acknowledged yet. Offline (the link
    says so, or the server does not answer within the timeout): ``refuse`` raises a
    LoyaltyError, ``cap`` allows at most ``cap`` points of what this till knows.
    """

    def __init__(
        self,
        db: Database,
        policy: str,
        cap: int,
        grant: Callable[[int, int], None],
        timeout: float = ASK_TIMEOUT_S,
    ) -> None:
        self.db = db
        self.policy = policy
        self.cap = cap
        #: Tells the sale's storing what the server allowed (``SqliteLoyaltyLedger.grant``).
        self.grant = grant
        self.timeout = timeout
        #: How the last balance was decided: ``alone``, ``online`` or ``offline``.
        self.last = ""

    def __call__(self, customer_id: int, local: int) -> int:
        """The balance to redeem from (``local``: this till's ledger)."""
        state = st.load(self.db)
        row = self.db.execute_sql(
            "SELECT card FROM customer WHERE id = ?", (customer_id,)
        ).fetchone()
        card = str(row[0]) if row and row[0] else ""
        if state is None or not card:  # alone, or a customer no other till can name
            self.last = "alone"
            return local
        if state.offline_since is None:
            client = ServerClient(state.url, state.token, timeout=self.timeout)
            try:
                answer = client.call("GET", "points?" + urllib.parse.urlencode({"card": card}))
                server = int(answer["points"])
            except (SyncError, KeyError, TypeError, ValueError):
                pass  # not reached, refused or an old server: the offline rule
            else:
                self.last = "online"
                balance = server + self._unacknowledged(customer_id, state.acked_seq)
                self.grant(customer_id, balance)
                return balance
        self.last = "offline"
        if self.policy == "refuse":
            raise LoyaltyError(
                "The store server cannot be reached: points are not redeemed offline at this store"
            )
        return min(local, self.cap)

    def _unacknowledged(self, customer_id: int, acked_seq: int) -> int:
        """This till's own points rows the server has not acknowledged yet."""
        sealed = marks_at(self.db, acked_seq).get("loyalty_entry", 0)
        row = self.db.execute_sql(
            "SELECT coalesce(sum(points), 0) FROM loyalty_entry "
            "WHERE customer_id = ? AND kind != 'sync' AND id > ?",
            (customer_id, sealed),
        ).fetchone()
        return int(row[0]) if row else 0
