"""What a customer usually buys that is not in today's basket.

Two sources, both plain counting:

- **their own habits**: products bought in at least ``min_visits`` of the customer's
  visits (and in at least ``min_share`` percent of them), most regular first;
- **bought together**: products that other sales often hold together with an item of
  today's basket: confidence = sales with both / sales with the basket item, at least
  ``min_confidence`` percent and ``min_pair_sales`` sales.

Products already in the basket are never suggested.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Reason = Literal["usual", "together"]


@dataclass(frozen=True)
class Suggestion:
    """A product to offer and why: ``score`` is percent of visits (usual) or confidence."""

    product_id: int
    reason: Reason
    score: int
    because_of: int | None = None  #: the basket item it goes with ("together")


def favourites(visits: Iterable[frozenset[int]], limit: int = 5) -> list[tuple[int, int]]:
    """(product id, number of visits with it), most frequent first (ties: lower id)."""
    counts: Counter[int] = Counter()
    for basket in visits:
        counts.update(basket)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def suggest(
    visits: list[frozenset[int]],
    basket: Iterable[int],
    pair_counts: Mapping[int, Mapping[int, int]],
    item_sales: Mapping[int, int],
    *,
    min_visits: int = 2,
    min_share: int = 30,
    min_confidence: int = 30,
    min_pair_sales: int = 2,
    limit: int = 8,
) -> list[Suggestion]:
    """Suggestions for ``basket`` (see the module docstring).

    ``visits`` are the product ids of each of the customer's past sales; ``pair_counts[a][b]``
    the number of sales holding both ``a`` and ``b``; ``item_sales[a]`` the sales holding ``a``.
    """
    in_basket = set(basket)
    chosen: dict[int, Suggestion] = {}
    if visits:
        for product_id, count in favourites(visits, limit=len(visits) * 50):
            share = count * 100 // len(visits)
            if product_id in in_basket or count < min_visits or share < min_share:
                continue
            chosen[product_id] = Suggestion(product_id, "usual", share)
    together: list[Suggestion] = []
    for item in sorted(in_basket):
        base = item_sales.get(item, 0)
        if not base:
            continue
        for other, both in pair_counts.get(item, {}).items():
            if other in in_basket or other in chosen or both < min_pair_sales:
                continue
            confidence = both * 100 // base
            if confidence >= min_confidence:
                together.append(Suggestion(other, "together", confidence, item))
    best: dict[int, Suggestion] = {}
    for s in sorted(together, key=lambda s: (-s.score, s.product_id)):
        best.setdefault(s.product_id, s)
    usual = sorted(chosen.values(), key=lambda s: (-s.score, s.product_id))
    return (usual + list(best.values()))[:limit]
