"""Demo data for returns, stock and the online shop: promotions running today and online
orders waiting for collection (``tui-pos demo`` only; the test catalog stays plain)."""

from __future__ import annotations

import json
from datetime import timedelta

from tui_pos.bootstrap import Till
from tui_pos.demo.store import manager_approval
from tui_pos.domain.staff import Action

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
        ok = manager_approval(till, Action.PRODUCT_ADMIN)
        promotions.add(
            name="Croissants 3 for 2", kind="multi_free", item=CROISSANT, buy=3, pay=2, approval=ok
        )
        promotions.add(
            name="Cola 2 for 4.00", kind="multi_price", item=COLA, buy=2, value="4.00", approval=ok
        )
        promotions.add(
            name="Snacks week -10%",
            kind="percent",
            category="Snacks",
            value="10",
            ends_on=today + timedelta(days=7),
            approval=ok,
        )
        till.register.refresh_promotions()
    created = (till.register.clock() - timedelta(hours=2)).isoformat()
    orders = json.dumps({"orders": demo_orders(created)})
    till.online_orders.import_text(orders, manager_approval(till, Action.PRODUCT_ADMIN))


#: Of the products that need restocking, every this many (not sold below zero) is left
#: low, so the low-stock report and the till's alert have something to show.
LEFT_LOW_EVERY = 5


def ensure_demo_deliveries(till: Till) -> int:
    """Book the deliveries a real shop would have had during the demo's made-up history
    (which sold far more than the imported stock): every product below zero, or below its
    reorder level, is restocked to about four times that level in one delivery, except a
    few left low. Runs only while some level is negative; returns how many were restocked."""
    levels = till.stock.levels()
    if not any(level.level_milli < 0 for level in levels):
        return 0
    needing = [level for level in levels if level.level_milli < 0 or level.low]
    items: dict[int, int] = {}
    for n, level in enumerate(needing):
        if n % LEFT_LOW_EVERY == 0 and level.level_milli >= 0:
            continue
        reorder = max(level.reorder_level_milli, 5_000)
        items[level.product_id] = 4 * reorder - level.level_milli
    if items:
        till.stock.receive("DEMO-RESTOCK", items, manager_approval(till, Action.PRODUCT_ADMIN))
    return len(items)
