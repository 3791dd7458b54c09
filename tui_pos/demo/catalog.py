"""A realistic demo catalog, as rows of the products CSV (so the demo uses the importer).

Deterministic: the same rows every time. Items get valid EAN-13s; produce is sold by
weight by PLU; deli counters print weight labels (prefix 21) and price labels (prefix 23)
that match the default barcode rules.
"""

from __future__ import annotations

import random

from tui_pos.domain.barcode import gtin_check_digit

_CATEGORIES: dict[str, tuple[str, list[tuple[str, int]]]] = {
    # category: (tax code, [(item, price in cents)])
    "Bakery": (
        "B",
        [
            ("White Loaf 800g", 145),
            ("Wholemeal Loaf 800g", 165),
            ("Croissant", 95),
            ("Baguette", 120),
            ("Rye Bread 500g", 229),
            ("Bagels 4 pack", 189),
            ("Brioche Buns 6 pack", 249),
            ("Pain au Chocolat", 110),
            ("Crumpets 6 pack", 99),
        ],
    ),
    "Dairy": (
        "B",
        [
            ("Whole Milk 1L", 109),
            ("Semi-Skimmed Milk 2L", 179),
            ("Butter 250g", 259),
            ("Greek Yoghurt 500g", 219),
            ("Cheddar 400g", 399),
            ("Brie 200g", 289),
            ("Eggs 12 Free Range", 349),
            ("Double Cream 300ml", 159),
            ("Mozzarella 125g", 119),
            ("Crème Fraîche 200ml", 135),
        ],
    ),
    "Drinks": (
        "A",
        [
            ("Sparkling Water 1.5L", 79),
            ("Still Water 6x500ml", 249),
            ("Orange Juice 1L", 199),
            ("Cola 2L", 229),
            ("Lemonade 1.5L", 149),
            ("Apple Juice 1L", 179),
            ("Iced Tea 500ml", 139),
            ("Energy Drink 250ml", 129),
            ("Ginger Beer 330ml", 99),
        ],
    ),
    "Snacks": (
        "A",
        [
            ("Salted Crisps 150g", 189),
            ("Dark Chocolate 100g", 219),
            ("Milk Chocolate 100g", 199),
            ("Salted Peanuts 200g", 169),
            ("Oat Biscuits 300g", 149),
            ("Popcorn 100g", 129),
            ("Fruit Gums 150g", 119),
            ("Pretzels 175g", 159),
        ],
    ),
    "Pantry": (
        "B",
        [
            ("Spaghetti 500g", 99),
            ("Basmati Rice 1kg", 249),
            ("Chopped Tomatoes 400g", 65),
            ("Olive Oil 500ml", 549),
            ("Plain Flour 1.5kg", 115),
            ("Sugar 1kg", 119),
            ("Ground Coffee 250g", 399),
            ("Tea Bags 80", 289),
            ("Honey 340g", 349),
            ("Peanut Butter 340g", 259),
            ("Baked Beans 415g", 89),
            ("Tuna in Olive Oil 160g", 179),
        ],
    ),
    "Frozen": (
        "B",
        [
            ("Garden Peas 1kg", 169),
            ("Fish Fingers 10 pack", 249),
            ("Vanilla Ice Cream 1L", 299),
            ("Margherita Pizza", 329),
            ("Oven Chips 1.5kg", 239),
            ("Mixed Berries 500g", 349),
        ],
    ),
    "Household": (
        "A",
        [
            ("Washing-Up Liquid 500ml", 139),
            ("Toilet Roll 9 pack", 549),
            ("Kitchen Roll 2 pack", 229),
            ("Bin Bags 20", 189),
            ("Laundry Liquid 1.3L", 599),
            ("Sponges 4 pack", 99),
            ("Aluminium Foil 10m", 179),
            ("Light Bulb LED 8W", 349),
        ],
    ),
    "Personal care": (
        "A",
        [
            ("Toothpaste 75ml", 189),
            ("Shampoo 400ml", 299),
            ("Shower Gel 250ml", 159),
            ("Hand Soap 250ml", 129),
            ("Deodorant 150ml", 249),
            ("Cotton Pads 100", 119),
            ("Plasters 40", 229),
        ],
    ),
    "Newspapers": (
        "Z",
        [
            ("Daily Gazette", 150),
            ("Weekend Times", 320),
            ("Local Herald", 90),
            ("Puzzle Monthly", 375),
        ],
    ),
}

_VARIANTS = ["", " Organic", " Value", " Family Size", " Light", " Premium"]

#: Loose produce: (name, price per kg in cents, PLU).
_PRODUCE = [
    ("Bananas", 129, "4011"),
    ("Apples Gala", 249, "4133"),
    ("Oranges", 219, "4012"),
    ("Tomatoes Vine", 329, "4664"),
    ("Carrots", 99, "4562"),
    ("Potatoes", 119, "4072"),
    ("Onions Brown", 109, "4093"),
    ("Lemons", 299, "4053"),
    ("Pears Conference", 239, "4409"),
    ("Red Peppers", 449, "4088"),
    ("Courgettes", 279, "4067"),
    ("Mushrooms Loose", 499, "4647"),
]

#: Deli counter items with scale labels: (name, price per kg in cents, item code, kind).
_DELI = [
    ("Ham Sliced (deli)", 1890, "00001", "weight"),
    ("Salami Milano (deli)", 2450, "00002", "weight"),
    ("Olives Mixed (deli)", 1490, "00003", "weight"),
    ("Cheese Comté (deli)", 2890, "00004", "weight"),
    ("Quiche Lorraine slice (deli)", 0, "00005", "price"),
    ("Roast Chicken (deli)", 0, "00006", "price"),
]


def _ean13(body12: str) -> str:
    return body12 + str(gtin_check_digit(body12))


def demo_products(seed: int = 7) -> list[dict[str, str]]:
    """Rows for ``tui-pos import products``: a few hundred items over several tax codes."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    serial = 0
    for category, (tax, items) in _CATEGORIES.items():
        for base_name, base_price in items:
            for variant in _VARIANTS[: rng.randint(3, 6)]:
                serial += 1
                factor = {
                    "": 100,
                    " Organic": 135,
                    " Value": 70,
                    " Family Size": 180,
                    " Light": 105,
                    " Premium": 150,
                }[variant]
                price = max(25, base_price * factor // 100 // 5 * 5 + 4)
                rows.append(
                    {
                        "barcode": _ean13(f"590{serial:09d}"),
                        "name": f"{base_name}{variant}",
                        "price": f"{price // 100}.{price % 100:02d}",
                        "tax": tax,
                        "category": category,
                        "stock": str(rng.randint(0, 60)),
                        "plu": "",
                        "unit": "each",
                        "reorder_level": str(rng.choice([0, 5, 10])),
                    }
                )
    for name, price, plu in _PRODUCE:
        rows.append(
            {
                "barcode": "",
                "name": name,
                "price": f"{price // 100}.{price % 100:02d}",
                "tax": "B",
                "category": "Produce",
                "stock": f"{rng.randint(5, 40)}.000",
                "plu": plu,
                "unit": "kg",
                "reorder_level": "5",
            }
        )
    for name, price, item, kind in _DELI:
        prefix = "21" if kind == "weight" else "23"
        rows.append(
            {
                "barcode": _ean13(f"{prefix}{item}00000"),
                "name": name,
                "price": f"{price // 100}.{price % 100:02d}",
                "tax": "B",
                "category": "Deli",
                "stock": "" if kind == "price" else f"{rng.randint(2, 10)}.000",
                "plu": "",
                "unit": "kg" if kind == "weight" else "each",
                "reorder_level": "",
            }
        )
    return rows


def weight_label(item: str, grams: int) -> str:
    """The EAN-13 a deli scale prints for ``grams`` of demo item ``item`` (prefix 21)."""
    return _ean13(f"21{item}{grams:05d}")


def price_label(item: str, cents: int) -> str:
    """The EAN-13 a deli scale prints for a pre-priced demo item ``item`` (prefix 23)."""
    return _ean13(f"23{item}{cents:05d}")
