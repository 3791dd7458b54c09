"""What the customer use cases return: the register's badge, the profile, segments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tui_pos.domain.customer import Customer, CustomerStats, LedgerRow, VisitSummary
from tui_pos.domain.segments import SegmentRule
from tui_pos.domain.suggestions import Suggestion


@dataclass(frozen=True)
class CustomerBadge:
    """What the register shows of the attached customer."""

    customer_id: int
    name: str
    tier: str
    balance: int
    birthday_offer: date | None  #: the birthday whose reward can be given now


@dataclass(frozen=True)
class CustomerProfile:
    """The profile view at the till."""

    customer: Customer
    stats: CustomerStats
    tier: str
    visits: list[VisitSummary]
    favourites: list[tuple[str, int]]  #: (product name, visits with it)
    suggestions: list[tuple[str, Suggestion]]  #: (product name, why)
    ledger: list[LedgerRow]
    birthday_offer: date | None
    #: Where the visits come from: empty (this till), ``every store`` (with the store
    #: server's), or why only this till's are shown (the server was not reached).
    source: str = ""


@dataclass(frozen=True)
class SegmentView:
    """A saved segment with how many customers it holds now."""

    name: str
    rule: SegmentRule
    count: int


@dataclass(frozen=True)
class SegmentMember:
    """A customer in a segment with the figures that put them there."""

    customer: Customer
    stats: CustomerStats
    tier: str
    rfm_group: str
