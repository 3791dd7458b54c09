"""Seeded random sales through the real register (and one return through the sale store),
with every document kept so tests can sum them independently of the SQL."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.approvals import approved
from tests.support.tills import copy_database, log_in_manager, open_test_till
from tui_pos.bootstrap import Till
from tui_pos.config import Config
from tui_pos.domain.sale import SaleDocument, SoldLine
from tui_pos.domain.staff import Action, Role
from tui_pos.domain.tax import TaxLine, tax_of
from tui_pos.domain.tender import Payment
from tui_pos.drivers.file_printer import RecordingPrinter

CASHIERS = ("Ann", "Bob", "")
BANANAS_PLU = "4011"  # sold by weight
#: Sales happen on these UTC days, at hours spread over the whole clock (so every zone's
#: local day boundary cuts through them).
FIRST_DAY = datetime(2026, 3, 7, 0, 0, tzinfo=UTC)  # the US changes clocks on 2026-03-08
DAYS = 3


class MovingClock:
    """A clock the generator sets before each action."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Generated:
    """What was sold: the stored documents, and the no-sales (and sale drawer events)."""

    docs: list[SaleDocument] = field(default_factory=list)
    no_sales: list[tuple[int, datetime, bool]] = field(default_factory=list)
    categories: dict[int, str] = field(default_factory=dict)  #: product id -> category


def money_text(cents: int) -> str:
    """Cents as the text a cashier types."""
    return f"{cents // 100}.{cents % 100:02d}"


def open_generated_till(demo_template: Path, path: Path, clock: MovingClock) -> Till:
    """A till on a copy of the demo store with a clock the test moves (the fixture
    manager logged in)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    copy_database(demo_template, path)
    path.chmod(0o600)
    return open_test_till(Config(), path, printer=RecordingPrinter(), clock=clock)


def generate(till: Till, clock: MovingClock, seed: int, sales: int) -> Generated:
    """``sales`` random sales (some voided, some with voided lines, discounts, cash, card
    and split payments, weighed items), a few no-sales, and two returns."""
    rng = random.Random(seed)
    reg = till.register
    out = Generated()
    staff = [
        till.staff.add_employee(
            f"{i}1", name, Role.CASHIER, "4826", approval=approved(till, Action.STAFF_ADMIN)
        )
        for i, name in enumerate(CASHIERS[:2], 1)
    ]
    cashiers = [*staff, None]
    products = []
    for info in till.catalog.search("a", 400) + till.catalog.search("e", 400):
        if info.product.unit == "each" and info.product.id not in out.categories:
            products.append(info.product)
        out.categories[info.product.id] = info.category
    bananas = till.catalog.by_plu(BANANAS_PLU)
    assert bananas is not None
    out.categories[bananas.id] = till.catalog.info(bananas.id).category  # type: ignore[union-attr]
    moments = sorted(
        FIRST_DAY + timedelta(seconds=rng.randrange(DAYS * 86_400)) for _ in range(sales)
    )
    for moment in moments:
        clock.now = moment
        reg.cashier = rng.choice(cashiers)
        for _ in range(rng.randint(1, 5)):
            if rng.random() < 0.15:
                reg.enter(f"0.{rng.randint(100, 999)}*{BANANAS_PLU}")
            else:
                reg.enter(f"{rng.randint(1, 4)}*")
                reg.add_product(rng.choice(products).id)
        if rng.random() < 0.2 and len(reg.cart.lines) > 1:
            reg.void_line(0, approved(till, Action.VOID_LINE))
        if rng.random() < 0.3:
            reg.set_line_discount(
                0,
                rng.choice(["10%", "0.05", "50%"]),
                approval=approved(till, Action.DISCOUNT_OVER_LIMIT),
            )
        if rng.random() < 0.2:
            reg.set_cart_discount(
                rng.choice(["5%", "0.10"]), approval=approved(till, Action.DISCOUNT_OVER_LIMIT)
            )
        roll = rng.random()
        doc: SaleDocument | None
        if roll < 0.08:
            doc = reg.void_sale(approved(till, Action.VOID_SALE))
        elif roll < 0.5:
            doc = reg.pay_card("", f"AUTH {rng.randrange(10_000)}")
        elif roll < 0.65:
            due = reg.tender_state().remaining_cents
            reg.pay_card(money_text(max(1, due // 2)), "AUTH split")
            doc = reg.pay_cash("")
        else:
            due = reg.tender_state().remaining_cents
            doc = reg.pay_cash(money_text(due + rng.choice([0, 1, 55, 1000])))
        assert doc is not None and doc.seq is not None
        out.docs.append(doc)
        if rng.random() < 0.1:
            clock.now = moment + timedelta(seconds=5)
            till.drawer.events.record(
                till.register.settings.till, "no_sale", None, True, "", clock.now
            )
            seq = len(out.no_sales) + 1
            out.no_sales.append((seq, clock.now, True))
    # A drawer opening for a sale is not a no-sale; a dropped no-sale still is one.
    t = till.register.settings.till
    till.drawer.events.record(t, "sale", out.docs[-1].seq, True, "", moments[-1])
    till.drawer.events.record(t, "no_sale", None, False, "dropped", moments[-1])
    out.no_sales.append((len(out.no_sales) + 2, moments[-1], False))
    for i, product in enumerate(products[:2]):
        clock.now = moments[len(moments) // 2] + timedelta(minutes=i)
        out.docs.append(record_return(till, product.id, rng.choice(CASHIERS), clock.now))
    log_in_manager(till)  # the register is left with the fixture manager, as tills start
    return out


def record_return(till: Till, product_id: int, cashier: str, now: datetime) -> SaleDocument:
    """A return as the returns feature stores it: a completed document whose line has a
    negative quantity and amount, paid back in cash (the cart refuses a negative quantity,
    so it is built here and recorded through the sale store)."""
    product = till.catalog.by_id(product_id)
    assert product is not None
    qty = 2
    amount = -product.price_cents * qty
    rate = till.register.settings.taxes[product.tax_code].rate_bp
    tax = -tax_of(-amount, rate, included=True)
    line = SoldLine(
        product_id=product.id,
        name=product.name,
        code="",
        unit="each",
        qty_milli=-qty * 1000,
        unit_price_cents=product.price_cents,
        base_cents=amount,
        line_discount_cents=0,
        cart_discount_cents=0,
        amount_cents=amount,
        tax_code=product.tax_code,
        tax_rate_bp=rate,
    )
    doc = SaleDocument(
        uuid=f"return{product_id}{now.timestamp():.0f}",
        till=till.register.settings.till,
        status="completed",
        created_at=now,
        cashier=cashier,
        lines=(line,),
        taxes=(TaxLine(product.tax_code, rate, amount, tax),),
        payments=(Payment("cash", amount, amount),),
        subtotal_cents=amount,
        discount_cents=0,
        tax_cents=tax,
        total_cents=amount,
        rounding_cents=0,
        change_cents=0,
        voided_lines=0,
    )
    return till.register.store.record_sale(doc)
