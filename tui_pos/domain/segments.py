"""Customer segments: RFM scoring and saved segment rules.

RFM scores each customer with at least one visit from 1 to 5 on recency (days since the
last visit, recent = 5), frequency (visits) and monetary value (spend), by quintile of
rank among those customers (equal values get equal scores). The group names follow the
usual RFM reading; a segment may select one of them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from tui_pos.domain.customer import CustomerError, CustomerStats

RFM_GROUPS = ("Champions", "Loyal", "New", "At risk", "Lost", "Others", "No visits")


@dataclass(frozen=True)
class Rfm:
    """Recency, frequency and monetary scores (1-5) and the group they put a customer in."""

    recency: int
    frequency: int
    monetary: int

    @property
    def group(self) -> str:
        """The RFM group name (one of :data:`RFM_GROUPS`)."""
        r, f = self.recency, self.frequency
        if r >= 4 and f >= 4:
            return "Champions"
        if f >= 4:
            return "Loyal"
        if r >= 4 and f <= 2:
            return "New"
        if r <= 2 and f >= 3:
            return "At risk"
        if r == 1:
            return "Lost"
        return "Others"


def _quintile(value: float, ordered: list[float]) -> int:
    return 1 + bisect_left(ordered, value) * 5 // len(ordered)


def rfm_scores(stats: Sequence[CustomerStats], now: datetime) -> dict[int, Rfm]:
    """The RFM scores of every customer with a visit, by customer id."""
    seen = [s for s in stats if s.visits and s.last_visit is not None]
    if not seen:
        return {}
    # Recency as "minus days ago" so that a higher value is better, like the other two.
    recency = {s.customer_id: -(now - s.last_visit).total_seconds() for s in seen if s.last_visit}
    r_sorted = sorted(recency.values())
    f_sorted = sorted(float(s.visits) for s in seen)
    m_sorted = sorted(float(s.spend_cents) for s in seen)
    return {
        s.customer_id: Rfm(
            _quintile(recency[s.customer_id], r_sorted),
            _quintile(float(s.visits), f_sorted),
            _quintile(float(s.spend_cents), m_sorted),
        )
        for s in seen
    }


def rfm_group(rfm: Rfm | None) -> str:
    """The group of a customer (``No visits`` without RFM scores)."""
    return rfm.group if rfm is not None else "No visits"


@dataclass(frozen=True)
class SegmentRule:
    """Which customers a saved segment holds; every given condition must hold."""

    tier: str | None = None  #: current tier name (rolling 12-month spend)
    not_seen_days: int | None = None  #: last visit at least this many days ago
    seen_within_days: int | None = None  #: last visit at most this many days ago
    rfm_group: str | None = None  #: one of RFM_GROUPS
    min_visits: int | None = None
    consent_only: bool = False  #: only customers who agreed to marketing

    def __post_init__(self) -> None:
        """Refuse a rule that can not work (CustomerError)."""
        if self.rfm_group is not None and self.rfm_group not in RFM_GROUPS:
            raise CustomerError(
                f"Unknown RFM group {self.rfm_group!r} (one of {', '.join(RFM_GROUPS)})"
            )
        for label, value in (
            ("not_seen_days", self.not_seen_days),
            ("seen_within_days", self.seen_within_days),
            ("min_visits", self.min_visits),
        ):
            if value is not None and not 0 <= value <= 100_000:
                raise CustomerError(f"{label} must be from 0 to 100000")

    def matches(
        self, stats: CustomerStats, tier: str | None, group: str, consent: bool, now: datetime
    ) -> bool:
        """True if a customer with these figures belongs to the segment."""
        if self.tier is not None and (tier or "").lower() != self.tier.lower():
            return False
        if self.rfm_group is not None and group != self.rfm_group:
            return False
        if self.consent_only and not consent:
            return False
        if self.min_visits is not None and stats.visits < self.min_visits:
            return False
        days = (now - stats.last_visit).days if stats.last_visit is not None else None
        if self.not_seen_days is not None and days is not None and days < self.not_seen_days:
            return False
        return self.seen_within_days is None or (days is not None and days <= self.seen_within_days)

    def describe(self) -> str:
        """The rule in words, for the segments screen."""
        parts = []
        if self.tier:
            parts.append(f"tier {self.tier}")
        if self.rfm_group:
            parts.append(f"RFM {self.rfm_group}")
        if self.not_seen_days is not None:
            parts.append(f"not seen in {self.not_seen_days} days")
        if self.seen_within_days is not None:
            parts.append(f"seen in the last {self.seen_within_days} days")
        if self.min_visits is not None:
            parts.append(f"at least {self.min_visits} visits")
        if self.consent_only:
            parts.append("marketing consent")
        return ", ".join(parts) or "everyone"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (how a segment is stored)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SegmentRule:
        """Rebuild a rule from :meth:`to_dict` output (CustomerError on unknown keys)."""
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise CustomerError(f"Unknown segment condition(s): {', '.join(sorted(unknown))}")
        return cls(**dict(data))


#: The segments a new database starts with (name -> rule).
DEFAULT_SEGMENTS: dict[str, SegmentRule] = {
    "gold-lapsed": SegmentRule(tier="Gold", not_seen_days=60),
    "champions": SegmentRule(rfm_group="Champions"),
    "at-risk": SegmentRule(rfm_group="At risk"),
    "lost": SegmentRule(rfm_group="Lost"),
    "new": SegmentRule(rfm_group="New"),
    "newsletter": SegmentRule(consent_only=True),
}
