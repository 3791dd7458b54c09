"""Demo customers with a year of sales, so the profile, tiers and segments show something.

Every customer has a loyalty card (``24`` + 10 digits + check digit: scan or type it),
a few favourite items bought on most visits and a visit rhythm; the sales are stored
through the normal sale commit (so points, tiers and the journal are real), dated over the
last 14 months, on another till of the store (``T0``), so this till's sale numbers, X
report and print queue start empty.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from tui_pos.bootstrap import Till
from tui_pos.domain.barcode import gtin_check_digit
from tui_pos.domain.cart import Cart, CartLine, Product
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.sale import sale_document
from tui_pos.domain.tender import Tender

_FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Ken",
    "Margaret",
    "Linus",
    "Radia",
    "Donald",
    "Frances",
    "Dennis",
    "Hedy",
    "Tim",
    "Katherine",
    "John",
    "Anita",
    "Guido",
]
_LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton",
         "Torvalds", "Perlman", "Knuth", "Allen", "Ritchie", "Lamarr", "Berners-Lee",
         "Johnson", "McCarthy", "Borg", "van Rossum"]  # fmt: skip

#: The till the demo history was sold on (not this one: its numbers start at 1).
HISTORY_TILL = "T0"

#: How many demo customers there are.
DEMO_CUSTOMERS = 36


def demo_card(number: int) -> str:
    """The loyalty card of demo customer ``number`` (an EAN-13 starting with 24)."""
    body = f"24{number:010d}"
    return body + str(gtin_check_digit(body))


def ensure_demo_customers(till: Till, seed: int = 11, count: int = DEMO_CUSTOMERS) -> bool:
    """Create the demo customers and their history once; True if it did."""
    if till.customers.store.by_card(demo_card(1)) is not None:
        return False
    rng = random.Random(seed)
    now = till.register.clock()
    products = [
        p
        for info in till.catalog.search("a", 400) + till.catalog.search("e", 400)
        if (p := info.product).unit == "each" and p.price_cents > 0
    ]
    products = list({p.id: p for p in products}.values())
    if not products:
        return False
    with till.db.atomic():  # one commit for the whole history (seconds, not minutes)
        _create_history(till, rng, products, count)
    # The history is the past: its receipts were printed then.
    for job in till.print_queue.jobs.pending(HISTORY_TILL):
        till.print_queue.jobs.printed(job.id, now)
    return True


def _create_history(till: Till, rng: random.Random, products: list[Product], count: int) -> None:
    now = till.register.clock()
    settings = till.register.settings
    for number in range(1, count + 1):
        # Every (first, last) pair differs: 36 customers over 18 x 18 names.
        first = _FIRST[number % len(_FIRST)]
        last = _LAST[(number + number // len(_FIRST)) % len(_LAST)]
        birthday = _birthday(rng, number, now.date())
        customer = till.customers.create(
            CustomerDetails(
                name=f"{first} {last}",
                phone=f"07700 9{number:05d}",
                email=f"{first.lower()}.{number}@example.com",
                birthday=birthday,
                preferences=rng.choice(["", "organic", "no plastic bags", "oat milk"]),
                marketing_consent=rng.random() < 0.6,
                card=demo_card(number),
            )
        )
        favourites = rng.sample(products, 4)
        # Regulars every few days, occasional shoppers monthly, some lapsed for months.
        every = rng.choice([6, 9, 14, 21, 30])
        lapsed_days = rng.choice([0, 0, 0, 10, 75, 200])
        day = now - timedelta(days=420)
        while day < now - timedelta(days=lapsed_days + 1):
            day += timedelta(
                days=max(1, int(rng.gauss(every, every / 3))), minutes=rng.randint(0, 600)
            )
            if day >= now:
                break
            cart = Cart(settings.taxes, prices_include_tax=settings.prices_include_tax)
            cart.customer_id = customer.id
            basket = [p for p in favourites if rng.random() < 0.7] + rng.sample(products, 2)
            for product in {p.id: p for p in basket}.values():
                cart.add(
                    CartLine(
                        product_id=product.id,
                        name=product.name,
                        unit="each",
                        unit_price_cents=product.price_cents,
                        qty_milli=1000 * rng.randint(1, 3),
                        tax_code=product.tax_code,
                        code=product.barcode or "",
                    )
                )
            tender = Tender(cart.totals().total_cents)
            tender.pay_card(None, f"DEMO{number:03d}")
            doc = sale_document(cart, tender, till=HISTORY_TILL, cashier="demo", now=day)
            till.register.store.record_sale(doc)


def _birthday(rng: random.Random, number: int, today: date) -> date | None:
    if number == 1:  # the first demo customer's birthday is in the window today
        return date(1985, today.month, today.day) if (today.month, today.day) != (2, 29) else None
    if rng.random() < 0.2:
        return None
    return date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))
