"""A products CSV of any size, in the import format (see docs/DESIGN.md), for the benches.

Row ``i`` (1-based) has the EAN-13 ``"590" + i (9 digits) + check digit``, a name that
search finds by its words and its zero-padded number, a price, a tax code of the default
config (A, A, A, B, Z cycled), one of eight categories, a stock level and, for every 25th
row, the unit ``kg`` (weighed goods, stock in kg with decimals).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from pathlib import Path

BRANDS = ("Acme", "Alpine", "Baltic", "Crisp", "Delta", "Fjord", "Golden", "Nordic")
ITEMS = ("Apple Juice", "Oat Milk", "Rye Bread", "Green Tea", "Olive Oil", "Dish Soap")
SIZES = ("250g", "500g", "1kg", "500ml", "1L", "6-pack")
CATEGORIES = ("Bakery", "Dairy", "Produce", "Drinks", "Pantry", "Frozen", "Household", "Deli")
TAX_CODES = ("A", "A", "A", "B", "Z")
HEADER = ("barcode", "name", "price", "tax", "category", "stock", "unit", "reorder_level")


def check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of ``body``."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def ean13(serial: int) -> str:
    """The EAN-13 of product ``serial``."""
    body = f"590{serial:09d}"
    return body + str(check_digit(body))


def product_rows(count: int, seed: int = 1) -> Iterator[tuple[str, ...]]:
    """The data rows (no header) of a products file with ``count`` products."""
    rng = random.Random(seed)
    for i in range(1, count + 1):
        weighed = i % 25 == 0
        cents = rng.randrange(49, 5000)
        stock = f"{rng.randrange(0, 50)}.{rng.randrange(0, 1000):03d}" if weighed else ""
        yield (
            ean13(i),
            f"{rng.choice(BRANDS)} {rng.choice(ITEMS)} {rng.choice(SIZES)} {i:07d}",
            f"{cents // 100}.{cents % 100:02d}",
            TAX_CODES[i % len(TAX_CODES)],
            CATEGORIES[i % len(CATEGORIES)],
            stock or str(rng.randrange(0, 200)),
            "kg" if weighed else "each",
            "5" if i % 7 == 0 else "",
        )


def write_products_csv(path: Path, count: int, seed: int = 1) -> Path:
    """Write the file (UTF-8, header row) and return its path."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(product_rows(count, seed))
    return path
