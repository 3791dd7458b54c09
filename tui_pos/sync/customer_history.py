"""A customer's sales and web orders in every store, asked of the store server when the
profile opens (``Customers.organisation_history``; blocking: the profile's thread worker).

Only documents this till does not hold are kept (its own sales, the web orders it pulled
are in its database already), each with this till's products among its lines (matched by
barcode), so the profile's visits, favourites and suggestions count each document once.
Offline (or the server refuses) the profile shows this till's history and says so.
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime

from peewee import Database

from tui_pos.domain.customer import VisitSummary
from tui_pos.domain.customer_visits import OrganisationHistory, OrganisationVisit
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError
from tui_pos.sync.remote import ASK_TIMEOUT_S

EVERY_STORE = "every store (store server)"
OFFLINE = "this till only: the store server is not reachable"


class StoreServerHistory:
    """``Customers.organisation_history`` of an enrolled till."""

    def __init__(self, db: Database, timeout: float = ASK_TIMEOUT_S) -> None:
        self.db = db
        self.timeout = timeout

    def __call__(self, card: str) -> OrganisationHistory | None:
        """The card's documents at other tills and stores (None: this till is alone)."""
        state = st.load(self.db)
        if state is None:
            return None
        client = ServerClient(state.url, state.token, timeout=self.timeout)
        query = urllib.parse.urlencode({"card": card})
        try:
            answer = client.call("GET", f"customers/history?{query}")
            visits = tuple(
                visit
                for raw in answer["visits"]
                if (visit := self._visit(raw, state.till)) is not None
            )
        except (SyncError, KeyError, TypeError, ValueError):
            return OrganisationHistory((), OFFLINE)
        return OrganisationHistory(visits, EVERY_STORE)

    def _visit(self, raw: dict[str, object], till: str) -> OrganisationVisit | None:
        number, channel = str(raw["number"]), str(raw["channel"])
        if channel == "till" and number.startswith(f"{till}-"):
            return None  # this till's own sale: in its database
        if channel == "web" and self._holds_order(number):
            return None
        from tui_pos.sync.ledger_topics import product_by_code  # (after the first frame)

        codes = raw["codes"] if isinstance(raw["codes"], list) else []
        found = (product_by_code(self.db, str(code)) for code in codes[:200])
        return OrganisationVisit(
            VisitSummary(
                number,
                datetime.fromisoformat(str(raw["created_at"])),
                int(str(raw["total_cents"])),
                int(str(raw["items"])),
                channel,
            ),
            str(raw["store"]),
            frozenset(pid for pid in found if pid is not None),
        )

    def _holds_order(self, order_id: str) -> bool:
        row = self.db.execute_sql(
            "SELECT 1 FROM online_order WHERE order_id = ?", (order_id,)
        ).fetchone()
        return row is not None
