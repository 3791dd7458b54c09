"""Two profiles of one person created at two offline tills become one customer everywhere
(issue 14): real PostgreSQL, the API as a process, tills healed by ``tui-pos sync now``
processes (offline = the till does not sync)."""

from __future__ import annotations

import time

import pytest

from tests.support.customer_tills import Till, server_record, tills
from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import Api, api, cluster, token_for, url

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "tills", "url"]  # the fixtures this module uses


def sell(till: Till, card: str, loaves: int) -> int:
    """Loaves for the customer with ``card``; the points the sale earned."""
    sale = till.sell(card, loaves)
    row = till.till.db.execute_sql(
        "SELECT coalesce(sum(e.points), 0) FROM loyalty_entry e JOIN sale s ON s.id = e.sale_id"
        " WHERE s.uuid = ?",
        (sale.uuid,),
    ).fetchone()
    assert row[0] > 0
    return int(row[0])


def points(till: Till, card: str) -> int:
    customer = till.till.customers.by_card(card)
    assert customer is not None
    return int(till.till.customers.ledger.balance(customer.id))


def server_points(api: Api, card: str) -> int:
    from tui_pos.server.ledgers import points_balance

    with psycopg.connect(api.db_url) as conn:
        return points_balance(conn, card)


def live_records(api: Api) -> list[str]:
    with psycopg.connect(api.db_url) as conn:
        rows = conn.execute("SELECT uuid FROM customer_record WHERE erased IS NULL").fetchall()
    return sorted(r[0] for r in rows)


def heal_all(tills: list[Till]) -> None:
    for till in (*tills, *tills):  # each sees what the other pushed
        till.heal()


def test_the_same_card_created_at_two_offline_tills_is_one_customer_with_all_points(
    api: Api, tills: list[Till]
) -> None:
    from tui_pos.demo.customers import demo_card
    from tui_pos.domain.customer import CustomerDetails

    a, b = tills
    card = demo_card(31)
    first = a.till.customers.create(CustomerDetails(name="Ada", card=card, phone="555 0100"))
    time.sleep(0.01)
    second = b.till.customers.create(
        CustomerDetails(name="Ada Lovelace", card=card, email="ada@example.org")
    )
    earned = sell(a, card, 3) + sell(b, card, 5)  # points at each till, offline
    heal_all(tills)
    assert live_records(api) == [first.uuid]  # created first: the survivor
    assert server_record(api, second.uuid) is None
    for till in tills:  # one customer everywhere, the loser's uuid gone
        assert till.customer(second.uuid) is None
        one = till.customer(first.uuid)
        assert (one.details.name, one.details.phone, one.details.email, one.details.card) == (
            "Ada Lovelace",  # the later edit of the name wins
            "555 0100",
            "ada@example.org",
            card,
        )
        assert points(till, card) == earned
    assert a.document(first.uuid) == b.document(first.uuid) == server_record(api, first.uuid)
    assert server_points(api, card) == earned
    # the till that knew the loser sells to the customer again: it lands on the survivor
    earned += sell(b, card, 2)
    heal_all(tills)
    assert points(a, card) == points(b, card) == server_points(api, card) == earned
    with psycopg.connect(api.db_url) as conn:
        audit = conn.execute("SELECT detail FROM audit WHERE action = 'customer_merged'").fetchall()
        alias = conn.execute("SELECT uuid, survivor, rule FROM customer_alias").fetchall()
    assert audit == [(f"customer {second.uuid} merged into {first.uuid} (same card)",)]
    assert alias == [(second.uuid, first.uuid, "card")]
    for till in tills:
        till.verify()


def test_the_same_email_with_two_cards_joins_the_points_under_one_card(
    api: Api, tills: list[Till]
) -> None:
    from tui_pos.demo.customers import demo_card
    from tui_pos.domain.customer import CustomerDetails

    a, b = tills
    card_a, card_b = demo_card(41), demo_card(42)
    first = a.till.customers.create(
        CustomerDetails(name="Bo", card=card_a, email="Bo@Example.org", marketing_consent=True)
    )
    time.sleep(0.01)
    second = b.till.customers.create(
        CustomerDetails(name="Bo", card=card_b, email="bo@example.org")
    )
    earned = sell(a, card_a, 4) + sell(b, card_b, 6)
    heal_all(tills)
    assert live_records(api) == [first.uuid]
    merged = server_record(api, first.uuid)
    final = merged.fields["card"][0]
    assert final == card_b  # the later card wins the field; the other names it
    assert [e.consent for e in merged.consent] == [True]  # both consent logs kept
    for till in tills:
        assert till.customer(second.uuid) is None
        for card in (card_a, card_b):  # either card finds the one customer
            found = till.till.customers.by_card(card)
            assert found is not None and found.uuid == first.uuid
        assert points(till, card_a) == earned
    assert server_points(api, card_a) == server_points(api, card_b) == earned
    with psycopg.connect(api.db_url) as conn:
        cards = conn.execute("SELECT DISTINCT card FROM loyalty_ledger").fetchall()
    assert cards == [(final,)]  # every ledger row re-pointed, none copied
    token = token_for(api, "S01", "T9")
    for card in (card_a, card_b):  # the profile's history: both tills' sales, by either card
        status, answer = api.call("GET", f"/v1/customers/history?card={card}", token=token)
        assert status == 200, answer
        assert sorted(v["store"] for v in answer["visits"]) == ["S01", "S02"]
    # a sale at the till that knew the survivor, with its old card: lands on the survivor
    earned += sell(a, card_a, 1)
    heal_all(tills)
    assert points(a, card_b) == points(b, card_b) == server_points(api, card_a) == earned
    for till in tills:
        till.verify()


def test_an_erased_customer_is_never_merged_into(api: Api, tills: list[Till]) -> None:
    from tui_pos.demo.customers import demo_card
    from tui_pos.domain.customer import CustomerDetails

    a, b = tills
    gone = a.till.customers.create(CustomerDetails(name="Cy", phone="555 0900", card=demo_card(51)))
    a.heal()
    a.till.customers.erase(demo_card(51), "asked by e-mail")
    a.heal()
    new = b.till.customers.create(CustomerDetails(name="Cy", phone="555 0900"))
    heal_all(tills)
    assert live_records(api) == [new.uuid]  # erasure wins: nothing merged into it
    assert server_record(api, gone.uuid).erased is not None
    for till in tills:
        assert till.customer(new.uuid).details.phone == "555 0900"
        assert till.customer(gone.uuid).erased
