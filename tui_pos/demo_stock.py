"""Demo data for returns, stock and the online shop: promotions running today and online
orders waiting for collection (``tui-pos demo`` only; the test catalog stays plain)."""

from __future__ import annotations

import json
from datetime import timedelta

from tui_pos.bootstrap import Till

CROISSANT = "5900000000091"
COLA = "5900000001029"
DARK_CHOCOLATE = "5900000001326"
LOAF = "5900000000015"


def demo_orders(created: str) -> list[dict[str, object]]:
    """Two paid web orders for collection and one shipped."""
    return [
        {
            "order_id": "WEB-1001",
            "created_at": created,
            "paid": True,
            "collection": True,
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
            "lines": [
                {"barcode": COLA, "qty": 2, "price": "2.29"},
                {"barcode": DARK_CHOCOLATE, "qty": 1, "price": "2.19"},
            ],
        },
        {
            "order_id": "WEB-1002",
            "created_at": created,
            "paid": True,
            "collection": True,
            "customer": {"name": "Grace Hopper", "phone": "+44 20 7946 0000"},
            "lines": [{"barcode": LOAF, "qty": 3, "price": "1.49"}],
        },
        {
            "order_id": "WEB-1003",
            "created_at": created,
            "paid": True,
            "collection": False,
            "customer": {"name": "Alan Turing"},
            "lines": [{"barcode": CROISSANT, "qty": 6, "price": "0.99"}],
        },
    ]


def ensure_demo_extras(till: Till) -> None:
    """Add the demo promotions (once) and import the demo online orders (idempotent)."""
    promotions = till.promotions
    today = promotions.today()
    if not promotions.list():
        promotions.add(name="Croissants 3 for 2", kind="multi_free", item=CROISSANT, buy=3, pay=2)
        promotions.add(name="Cola 2 for 4.00", kind="multi_price", item=COLA, buy=2, value="4.00")
        promotions.add(
            name="Snacks week -10%",
            kind="percent",
            category="Snacks",
            value="10",
            ends_on=today + timedelta(days=7),
        )
        till.register.refresh_promotions()
    created = (till.register.clock() - timedelta(hours=2)).isoformat()
    till.online_orders.import_text(json.dumps({"orders": demo_orders(created)}))
