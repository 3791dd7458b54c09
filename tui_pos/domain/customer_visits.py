"""A customer's documents known at the store server (every store's tills, every web shop)
merged with what this till knows, for the profile's history, favourites and suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui_pos.domain.customer import VisitSummary


@dataclass(frozen=True)
class OrganisationVisit:
    """A sale or web order of the customer as the store server holds it."""

    visit: VisitSummary  #: number (``S02/T2-000042`` for another store), channel, total
    store: str
    product_ids: frozenset[int]  #: this till's products among its sold lines


@dataclass(frozen=True)
class OrganisationHistory:
    """What the store server said of a customer, and how the profile says where it is from."""

    visits: tuple[OrganisationVisit, ...]  #: only documents this till does not hold
    #: ``every store ...`` (the server answered) or ``this till only: ...`` (not reached).
    source: str


def merge_visits(
    local: Sequence[VisitSummary], remote: Sequence[OrganisationVisit], limit: int
) -> list[VisitSummary]:
    """This till's visits and the server's others (documents the till does not hold),
    newest first, at most ``limit``."""
    merged = [*local, *(r.visit for r in remote)]
    merged.sort(key=lambda v: v.created_at, reverse=True)
    return merged[:limit]
