"""One customer across tills and stores (issue 14): real PostgreSQL, the API as a process,
tills through the real bootstrap, healed by ``tui-pos sync now`` processes. Offline = the
till does not sync (no sender thread); each heal is a CLI process against its database."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest

from tests.support.customer_tills import LOAF, Till, server_record, tills
from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import Api, api, cluster, token_for, tui_pos, url

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "tills", "url"]  # the fixtures this module uses


def test_edits_at_two_offline_tills_merge_per_field_to_one_record_everywhere(
    api: Api, tills: list[Till]
) -> None:
    from tui_pos.domain.customer import CustomerDetails

    a, b = tills  # two stores: customers are the organisation's
    ada = a.till.customers.create(
        CustomerDetails(name="Ada Lovelace", phone="555 0100", marketing_consent=True)
    )
    a.heal()
    assert "applied" in b.heal()
    seen = b.customer(ada.uuid).details  # created at one till, seen at the other
    assert (seen.phone, seen.marketing_consent) == ("555 0100", True)
    # both offline: different fields, and the same field (b's edit of the phone is later)
    a.till.customers.update(ada.id, replace(ada.details, phone="555 0101", notes="likes tea"))
    time.sleep(0.01)
    theirs = b.customer(ada.uuid)
    b.till.customers.update(
        theirs.id, replace(theirs.details, phone="555 0202", email="ada@example.org")
    )
    time.sleep(0.01)
    b.till.customers.update(
        theirs.id, replace(b.customer(ada.uuid).details, marketing_consent=False)
    )
    for till in (b, a, b):  # healed in any order: the later sync picks up what it missed
        till.heal()
    at_a, at_b = a.customer(ada.uuid).details, b.customer(ada.uuid).details
    assert at_a == at_b
    assert (at_a.phone, at_a.notes, at_a.email) == ("555 0202", "likes tea", "ada@example.org")
    assert at_a.marketing_consent is False  # the latest entry of the log: b withdrew it
    assert a.document(ada.uuid) == b.document(ada.uuid) == server_record(api, ada.uuid)
    log = [e.consent for e in a.document(ada.uuid).consent]
    assert log == [True, False]  # the consent log, the same at both tills and the server
    assert a.till.db.execute_sql("SELECT count(*) FROM consent_event").fetchone()[0] == 2
    for till in tills:  # every consent row from elsewhere is sealed into the local chain
        till.verify()


def test_an_erasure_reaches_every_till_and_the_server_and_beats_a_later_offline_edit(
    api: Api, tills: list[Till]
) -> None:
    from tui_pos.demo.customers import demo_card
    from tui_pos.domain.customer import ERASED_NAME, CustomerDetails

    a, b = tills
    card = demo_card(91)
    bo = a.till.customers.create(
        CustomerDetails(name="Bo Tester", phone="555 0300", email="bo@example.org", card=card)
    )
    a.heal()
    b.heal()
    assert b.customer(bo.uuid).details.card == card
    shop = tui_pos(
        "server", "shop-token", "--url", api.db_url, "--store", "S01", "--shop", "WEB1",
        "--operator", "ops",
    )  # fmt: skip
    assert shop.returncode == 0, shop.stderr
    web_order = {
        "order_id": "WEB-7",
        "created_at": "2026-12-02T09:14:00Z",
        "fulfilment": "ship",
        "customer": {"card": card, "email": "bo@example.org", "name": "Bo Tester"},
        "lines": [
            {
                "barcode": LOAF,
                "qty": 1,
                "unit_price_cents": 149,
                "amount_cents": 149,
                "tax_rate_bp": 2300,
                "tax_cents": 28,
            }
        ],
        "total_cents": 149,
        "tax_cents": 28,
        "payment": {"method": "card", "reference": "psp-1", "amount_cents": 149},
    }
    shop_token = shop.stdout.strip()
    status, booked = api.call("POST", "/v1/stores/S01/orders", web_order, shop_token)
    assert status == 201, booked
    a.heal()  # the web order reaches S01's till and the customer's profile there
    assert [o["order_id"] for o in a.till.customers.store.online_orders(bo.id)] == ["WEB-7"]
    a.till.customers.erase(card, "asked by e-mail")
    a.heal()
    time.sleep(0.01)
    theirs = b.customer(bo.uuid)  # b is offline and edits after the erasure
    b.till.customers.update(theirs.id, replace(theirs.details, notes="called back"))
    b.heal()
    a.heal()
    for till in tills:
        erased = till.customer(bo.uuid)
        assert erased.erased and erased.details.name == ERASED_NAME
        assert (erased.details.phone, erased.details.notes, erased.details.card) == ("", "", None)
    assert a.document(bo.uuid) == b.document(bo.uuid) == server_record(api, bo.uuid)
    assert server_record(api, bo.uuid).fields == {}
    with psycopg.connect(api.db_url) as conn:
        left = conn.execute(
            "SELECT (SELECT count(*) FROM change WHERE body::text LIKE '%%Bo Tester%%'"
            " OR body::text LIKE '%%called back%%'),"
            " (SELECT count(*) FROM web_order_contact WHERE name <> '' OR email <> ''),"
            " (SELECT count(*) FROM web_order WHERE canonical LIKE '%%bo@example%%')"
        ).fetchone()
    assert left == (0, 0, 0)  # no personal data left in the feed or the web orders
    # the shop repeating the order after the erasure is still a duplicate, booked once
    status, again = api.call("POST", "/v1/stores/S01/orders", web_order, shop_token)
    assert status == 200 and again.get("duplicate") is True, again


def test_bad_customer_pushes_are_refused_naming_the_field(api: Api) -> None:
    token = token_for(api, "S01", "T9")
    good: dict[str, Any] = {
        "uuid": "b" * 32,
        "fields": {"name": {"value": "Cy", "at": "1764676800000.00000.S01/T9"}},
        "erased": None,
        "consent": [],
    }
    cases = [
        ({"documents": [good], "extra": 1}, "extra: unknown field"),
        ({"documents": []}, "documents: must be a list of 1 to 200"),
        ({"documents": [good] * 201}, "documents: must be a list of 1 to 200"),
        ({"documents": [good, good]}, "a customer may appear once"),
        ({"documents": [{**good, "uuid": "x"}]}, "documents[0].uuid"),
        ({"documents": [{**good, "fields": {"name": {"value": 3, "at": "x"}}}]}, "name.value"),
        ({"documents": [{**good, "fields": {"age": {"value": 3, "at": "x"}}}]}, "fields.age"),
    ]
    for body, says in cases:
        status, answer = api.call("POST", "/v1/customers", body, token)
        assert status == 400 and says in answer["message"], (body, answer)
    status, answer = api.call("POST", "/v1/customers", {"documents": [good]})
    assert status == 401
    status, answer = api.call("POST", "/v1/customers", {"documents": [good]}, "not-a-token")
    assert status == 401
    shop = tui_pos(
        "server", "shop-token", "--url", api.db_url, "--store", "S01", "--shop", "WEB1",
        "--operator", "ops",
    )  # fmt: skip
    status, answer = api.call("POST", "/v1/customers", {"documents": [good]}, shop.stdout.strip())
    assert status == 401  # a web shop's token is not a till's
    assert server_record(api, "b" * 32) is None  # nothing refused was stored
    status, answer = api.call("POST", "/v1/customers", {"documents": [good]}, token)
    assert status == 200 and answer["documents"][0]["fields"]["name"]["value"] == "Cy"
    status, again = api.call("POST", "/v1/customers", {"documents": [good]}, token)
    assert again == answer  # idempotent


def test_a_customer_the_server_refuses_is_set_aside_and_never_holds_up_the_others(
    api: Api, tills: list[Till]
) -> None:
    from tui_pos.domain.customer import CustomerDetails
    from tui_pos.models.customer_stamps import stamp_edit

    a, b = tills
    old = a.till.customers.create(CustomerDetails(name="Old Record"))
    new = a.till.customers.create(CustomerDetails(name="New Record"))
    with a.till.db.atomic():  # data stored before today's checks: a name of 100 letters
        a.till.db.execute_sql("UPDATE customer SET name = ? WHERE id = ?", ("x" * 100, old.id))
        stamp_edit(a.till.db, old.id, ["name"])
    assert "and 1 customers" in a.heal()
    b.heal()
    assert b.customer(new.uuid).details.name == "New Record" and b.customer(old.uuid) is None
    events = a.till.customers.store.events(old.id)
    assert events[-1][1] == "not shared" and "documents[0].fields.name.value" in events[-1][2]
    assert not a.till.db.execute_sql("SELECT 1 FROM customer_outbox").fetchone()
