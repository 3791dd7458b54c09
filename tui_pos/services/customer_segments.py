"""Segments of customers (saved rules over visits, spend, tier, RFM and consent) and the
customer list export (mixed into :class:`tui_pos.services.customers.Customers`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui_pos.domain.customer import Customer, CustomerError, CustomerStats
from tui_pos.domain.segments import SegmentRule, rfm_group, rfm_scores
from tui_pos.domain.staff import Action, Approval
from tui_pos.services.customer_views import SegmentMember, SegmentView
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import Clock, CustomerHistory, CustomerStore


class CustomerSegments:
    """Segments and the customer list export."""

    # The customer service's parts, set by its constructor.
    store: CustomerStore
    history: CustomerHistory
    clock: Clock
    auth: Authorizer
    _tier_name: Callable[[CustomerStats], str]
    find: Callable[[str], Customer]
    get: Callable[[int], Customer]

    def members(self, rule: SegmentRule) -> list[SegmentMember]:
        """The customers (not erased) a segment rule selects now."""
        now = self.clock()
        customers = {c.id: c for c in self.store.all_customers() if not c.erased}
        stats = [s for s in self.history.stats(None, now) if s.customer_id in customers]
        scores = rfm_scores(stats, now)
        out = []
        for s in stats:
            customer = customers[s.customer_id]
            tier, group = self._tier_name(s), rfm_group(scores.get(s.customer_id))
            if rule.matches(s, tier, group, customer.details.marketing_consent, now):
                out.append(SegmentMember(customer, s, tier, group))
        return out

    def segments(self) -> list[SegmentView]:
        """Saved segments with their counts."""
        return [SegmentView(n, r, len(self.members(r))) for n, r in self.store.segments()]

    def segment(self, name: str) -> SegmentRule:
        """A saved segment's rule by name."""
        for saved, rule in self.store.segments():
            if saved == name:
                return rule
        known = ", ".join(n for n, _ in self.store.segments())
        raise CustomerError(f"No segment named {name!r} (saved: {known or 'none'})")

    def save_segment(self, name: str, rule: SegmentRule, approval: Approval | None = None) -> None:
        """Save (or replace) a segment; ``approval`` must cover CUSTOMER_ADMIN."""
        cleaned = name.strip()
        if not cleaned or len(cleaned) > 40 or not cleaned.isprintable():
            raise CustomerError("A segment name is 1-40 printable characters")
        self.auth.authorize(Action.CUSTOMER_ADMIN, approval, f"save segment {cleaned}")
        self.store.save_segment(cleaned, rule, self.clock())

    def export_rows(
        self,
        segment: str | None = None,
        consent_only: bool = False,
        approval: Approval | None = None,
    ) -> list[dict[str, Any]]:
        """Customers (all, or a segment's) as rows for CSV/JSON export; a marketing export
        (``consent_only``) holds only those who agreed to marketing. Personal data:
        ``approval`` must cover CUSTOMER_ADMIN."""
        rule = self.segment(segment) if segment else SegmentRule()
        self.auth.authorize(Action.CUSTOMER_ADMIN, approval, f"export customers {segment or 'all'}")
        members = self.members(rule)
        if consent_only:
            members = [m for m in members if m.customer.details.marketing_consent]
        return [_export_row(m) for m in members]


def _export_row(m: SegmentMember) -> dict[str, Any]:
    """A customer in the documented export shape (``domain.outputs.CUSTOMERS``)."""
    from tui_pos.domain.outputs import CUSTOMERS  # loaded on first use (memory)

    d = m.customer.details
    return CUSTOMERS.record(
        id=m.customer.id,
        card=d.card or "",
        name=m.customer.name,
        phone=d.phone,
        email=d.email,
        birthday=d.birthday.isoformat() if d.birthday else None,
        consent=d.marketing_consent,
        tier=m.tier,
        points=m.stats.balance,
        visits=m.stats.visits,
        spend_cents=m.stats.spend_cents,
        last_visit=m.stats.last_visit.date().isoformat() if m.stats.last_visit else None,
        rfm=m.rfm_group,
    )
