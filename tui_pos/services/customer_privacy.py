"""A customer's own data: everything held about them (export), and erasure (mixed into
:class:`tui_pos.services.customers.Customers`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui_pos.domain.card_numbers import refuse_card_number
from tui_pos.domain.customer import Customer, CustomerError, CustomerStats
from tui_pos.domain.staff import Action, Approval
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import Clock, CustomerHistory, CustomerStore


class CustomerPrivacy:
    """Data export and erasure on request."""

    # The customer service's parts, set by its constructor.
    store: CustomerStore
    history: CustomerHistory
    clock: Clock
    auth: Authorizer
    _tier_name: Callable[[CustomerStats], str]
    find: Callable[[str], Customer]
    get: Callable[[int], Customer]

    def export_data(self, key: str, approval: Approval | None = None) -> dict[str, Any]:
        """Everything held about one customer (the export is recorded); ``approval`` must
        cover CUSTOMER_ADMIN."""
        # loaded on first use (memory)
        from tui_pos.domain.output_schema import iso_timestamp, iso_timestamp_text

        customer = self.find(key)
        self.auth.authorize(Action.CUSTOMER_ADMIN, approval, f"export customer #{customer.id}")
        d = customer.details
        now = self.clock()
        stats = self.history.stats([customer.id], now)[0]
        data: dict[str, Any] = {
            "id": customer.id,
            "uuid": customer.uuid,
            "created_at": iso_timestamp(customer.created_at),
            "erased": customer.erased,
            "profile": {
                "name": d.name,
                "phone": d.phone,
                "email": d.email,
                "birthday": d.birthday.isoformat() if d.birthday else None,
                "notes": d.notes,
                "preferences": d.preferences,
                "marketing_consent": d.marketing_consent,
                "card": d.card,
            },
            "loyalty": {
                "balance": stats.balance,
                "tier": self._tier_name(stats),
                "ledger": [
                    {
                        "created_at": iso_timestamp(r.created_at),
                        "kind": r.kind,
                        "points": r.points,
                        "sale": r.sale_number,
                    }
                    for r in reversed(self.history.ledger(customer.id))
                ],
            },
            "sales": [
                {**sale, "created_at": iso_timestamp_text(str(sale["created_at"]))}
                for sale in self.history.sales_detail(customer.id)
            ],
            "online_orders": self.store.online_orders(customer.id),
            "events": [
                {"created_at": iso_timestamp_text(at), "kind": kind, "note": note}
                for at, kind, note in self.store.events(customer.id)
            ],
        }
        self.store.record_event(customer.id, "exported", "data export", now)
        return data

    def erase(self, key: str, note: str = "", approval: Approval | None = None) -> Customer:
        """Anonymise a customer: personal fields cleared, card removed; the sales and the
        points ledger stay (the books need them). Recorded with ``note``. ``approval``
        must cover CUSTOMER_ADMIN."""
        customer = self.find(key)
        self.auth.authorize(Action.CUSTOMER_ADMIN, approval, f"erase customer #{customer.id}")
        if customer.erased:
            raise CustomerError(f"Customer #{customer.id} was already erased")
        refuse_card_number(note, "note")
        self.store.erase(customer.id, note or "erased on request", self.clock())
        return self.get(customer.id)
