"""Visits, spend and tier count every till's sales and the web shop's orders (issue 14):
real PostgreSQL, the API as a process, tills healed by ``tui-pos sync now`` processes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.customer_tills import LOAF, Till, tills
from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import Api, api, cluster, tui_pos, url

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "tills", "url"]  # the fixtures this module uses


def figures(till: Till, card: str) -> tuple[int, int, str]:
    """(visits, spend in cents, tier) of the customer as this till knows them."""
    customer = till.till.customers.by_card(card)
    assert customer is not None
    profile = till.till.customers.profile(customer.id)
    badge = till.till.customers.badge(customer.id)
    assert badge.tier == profile.tier  # the register's badge and the profile agree
    return profile.stats.visits, profile.stats.spend_cents, profile.tier


def web_order(card: str, order_id: str, cents: int) -> dict[str, Any]:
    line = {
        "barcode": LOAF,
        "qty": 1,
        "unit_price_cents": cents,
        "amount_cents": cents,
        "tax_rate_bp": 0,
        "tax_cents": 0,
    }
    return {
        "order_id": order_id,
        "created_at": "2026-12-02T09:14:00Z",
        "fulfilment": "ship",
        "customer": {"card": card},
        "lines": [line],
        "total_cents": cents,
        "tax_cents": 0,
        "payment": {"method": "card", "reference": f"psp-{order_id}", "amount_cents": cents},
    }


def test_spend_at_one_till_and_online_reaches_the_tier_at_another(
    api: Api, tills: list[Till]
) -> None:
    from tui_pos.demo.customers import demo_card
    from tui_pos.domain.customer import CustomerDetails

    a, b = tills  # two stores: the tier is the organisation's
    card = demo_card(61)
    a.till.customers.create(CustomerDetails(name="Di", card=card))
    a.heal()
    b.heal()
    assert figures(b, card) == (0, 0, "Bronze")
    a.sell(card, 100)  # 149.00 at till 1: not Silver (300.00) on its own
    a.heal()
    shop = tui_pos(
        "server", "shop-token", "--url", api.db_url, "--store", "S01", "--shop", "WEB1",
        "--operator", "ops",
    )  # fmt: skip
    assert shop.returncode == 0, shop.stderr
    status, booked = api.call(
        "POST", "/v1/stores/S01/orders", web_order(card, "WEB-31", 16_000), shop.stdout.strip()
    )
    assert status == 201, booked
    b.heal()
    assert figures(b, card) == (2, 30_900, "Silver")  # till 1's sale + the web order
    a.heal()
    assert figures(a, card) == (2, 30_900, "Silver")  # its own sale counted once
    # offline, a till counts what it knows: its own new sale at once
    b.sell(card, 10)
    assert figures(b, card) == (3, 32_390, "Silver")
    assert figures(a, card)[:2] == (2, 30_900)
    b.heal()
    a.heal()
    assert figures(a, card)[:2] == figures(b, card)[:2] == (3, 32_390)
    b.heal()  # nothing comes back twice
    assert figures(b, card)[:2] == (3, 32_390)
    for till in tills:
        till.verify()
