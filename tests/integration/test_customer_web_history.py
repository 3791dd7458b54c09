"""A customer's web orders in their profile and suggestions, and a customer arriving from
another till after their web order (both as the puller applies the server's feed)."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from tui_pos.bootstrap import Till
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.customer_merge import CustomerDocument
from tui_pos.domain.hlc import Stamp
from tui_pos.models.customer_stamps import apply_document, document_of
from tui_pos.models.unit_of_work import writing
from tui_pos.screens.customer_profile import profile_renderable
from tui_pos.sync.puller import apply_page

LOAF = "5900000000015"
CARD = "2400000000013"


def web_order(order_id: str, code: str, card: str = CARD) -> dict[str, Any]:
    return {
        "id": 1,
        "topic": "web_order",
        "key": order_id,
        "till": "web:WEB1",
        "store": "S01",
        "body": {
            "order_id": order_id,
            "created_at": "2026-11-30T10:00:00+00:00",
            "fulfilment": "ship",
            "total_cents": 298,
            "customer": {"card": card, "name": "Ada", "email": "ada@example.org", "phone": ""},
            "lines": [
                {"code": code, "qty_milli": 2000, "unit_price_cents": 149, "amount_cents": 298}
            ],
        },
    }


def page(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"changes": list(changes), "cursor": "9:9", "after": "0:0", "more": False}


def test_the_profile_lists_web_orders_with_their_channel_and_suggests_from_them(
    demo_till: Till,
) -> None:
    ada = demo_till.customers.create(CustomerDetails(name="Ada", card=CARD))
    milk = demo_till.catalog.search("milk", 1)[0].product
    code = demo_till.db.execute_sql(
        "SELECT code FROM barcode WHERE product_id = ?", (milk.id,)
    ).fetchone()[0]
    assert apply_page(demo_till.db, page(web_order("WEB-1", code)), "T1") == 1
    assert apply_page(demo_till.db, page(web_order("WEB-2", code)), "T1") == 1
    loaf = demo_till.catalog.by_code(f"0{LOAF}")
    assert loaf is not None
    profile = demo_till.customers.profile(ada.id, [loaf.id])
    assert [(v.number, v.channel, v.total_cents, v.items) for v in profile.visits] == [
        ("WEB-2", "web", 298, 1),
        ("WEB-1", "web", 298, 1),
    ]
    assert [(s.product_id, s.reason) for _, s in profile.suggestions] == [(milk.id, "usual")]
    console = Console(width=100, record=True)
    console.print(profile_renderable(profile))
    shown = console.export_text()
    assert "WEB-2" in shown and "web" in shown and "Recent sales and online orders" in shown


def test_a_customer_pulled_after_their_web_order_gets_it_in_the_profile(
    demo_till: Till,
) -> None:
    milk = demo_till.catalog.search("milk", 1)[0].product
    code = demo_till.db.execute_sql(
        "SELECT code FROM barcode WHERE product_id = ?", (milk.id,)
    ).fetchone()[0]
    apply_page(demo_till.db, page(web_order("WEB-3", code)), "T1")  # no customer with the card yet
    at = Stamp(1_764_676_800_000, 0, "S02/T1").text
    doc = CustomerDocument(
        "c" * 32, {"name": ("Ada", at), "card": (CARD, at), "phone": ("555 0100", at)}, None, ()
    )
    with writing(demo_till.db, "T1"):
        assert apply_document(demo_till.db, doc) == 1
        assert apply_document(demo_till.db, doc) == 0  # idempotent
    ada = demo_till.customers.by_card(CARD)
    assert ada is not None and ada.uuid == "c" * 32 and ada.details.phone == "555 0100"
    assert [v.number for v in demo_till.customers.profile(ada.id).visits] == ["WEB-3"]
    mine = document_of(demo_till.db, ada.id)
    assert mine is not None and mine.fields == doc.fields
    assert not demo_till.db.execute_sql(
        "SELECT 1 FROM customer_outbox WHERE customer_id = ?", (ada.id,)
    ).fetchone()
