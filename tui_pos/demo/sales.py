"""Past sales for the demo store, so the reports screen (Ctrl+R) has something to show.

The sales go through the real register (cart, discounts, tender, ``record_sale``) with its
clock turned back; their receipts count as printed long ago.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from tui_pos.bootstrap import Till
from tui_pos.domain.errors import DomainError
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action, Approval, Employee

#: Sales per hour of the opening day (8:00-19:00): a morning and a late-afternoon peak.
HOURLY = (4, 7, 5, 4, 6, 7, 4, 3, 5, 7, 6, 3)


def ensure_demo_sales(till: Till, days: int = 10, seed: int = 11) -> int:
    """Sell ``days`` days before today in a store with no sales yet, each day opened with a
    float and closed with a counted Z (so today starts a fresh period); returns how many."""
    if not till.register.cart.is_empty or till.register.store.last_sale(till.config.store.till):
        return 0
    rng = random.Random(seed)
    products = [
        info.product.id
        for word in ("bread", "milk", "cola", "chocolate", "coffee", "apple", "cheese", "tea")
        for info in till.catalog.search(word, 20)
        if info.product.unit == "each" and info.product.price_cents > 0
    ]
    if not products:
        return 0
    reg = till.register
    # The demo's staff if it has any (sales then show who sold them), else no cashier.
    staff: list[Employee | None] = [s.employee for s in till.staff.store.employees()]
    staff = [e for e in staff if e is not None and e.active] or [None]
    clock, cashier = reg.clock, reg.cashier
    report_clock, cash_clock = till.reports.clock, till.cash.clock
    now = clock()
    today = now.astimezone().date()
    made = 0
    # Made-up history needs no fsync per change: it is written in seconds, not minutes.
    till.db.execute_sql("PRAGMA synchronous = OFF")
    try:
        for back in range(days, 0, -1):
            day = today - timedelta(days=back)
            opening = datetime.combine(day, time(7, 50)).astimezone()
            till.cash.clock = lambda opening=opening: opening  # type: ignore[misc]
            till.cash.record_float("100", staff[0])
            for hour, count in enumerate(HOURLY, start=8):
                minutes = sorted(rng.randrange(60) for _ in range(count + rng.randint(-2, 2)))
                for minute in minutes:
                    local = datetime.combine(day, time(hour, minute))
                    moment = local.astimezone()
                    if moment > now:
                        break
                    reg.clock = lambda moment=moment: moment  # type: ignore[misc]
                    reg.cashier = rng.choice(staff)
                    if _sell(till, rng, products, staff[0]) is not None:
                        made += 1
            no_sale_at = datetime.combine(day, time(12, 5)).astimezone()
            if rng.random() < 0.6 and no_sale_at < now:  # change for the float, now and then
                till.drawer.events.record(
                    till.config.store.till, "no_sale", None, True, "", no_sale_at
                )
            closing = datetime.combine(day, time(20, 5)).astimezone()
            till.reports.clock = lambda closing=closing: closing  # type: ignore[misc]
            counted = till.reports.x_report().cash_expected_cents
            till.reports.close_day(_approved(Action.Z_CLOSE, staff[0]), counted)
    finally:
        reg.clock, reg.cashier = clock, cashier
        till.reports.clock, till.cash.clock = report_clock, cash_clock
        till.db.execute_sql("PRAGMA synchronous = FULL")
    for job in till.print_queue.pending():
        till.print_queue.jobs.printed(job.id, clock())
    return made


def _sell(
    till: Till, rng: random.Random, products: list[int], manager: Employee | None
) -> SaleDocument | None:
    reg = till.register
    try:
        for _ in range(rng.choice((1, 1, 2, 3, 4, 6))):
            if rng.random() < 0.12:
                reg.enter(f"0.{rng.randint(150, 900)}*4011")  # bananas by weight
            else:
                reg.enter(f"{rng.choice((1, 1, 1, 2, 3))}*")
                reg.add_product(rng.choice(products))
        if rng.random() < 0.05:
            return reg.void_sale(_approved(Action.VOID_SALE, reg.cashier, manager))
        if len(reg.cart.lines) > 1 and rng.random() < 0.08:
            reg.void_line(
                len(reg.cart.lines) - 1, _approved(Action.VOID_LINE, reg.cashier, manager)
            )
        if rng.random() < 0.1:
            reg.set_line_discount(0, "10%")
        if rng.random() < 0.4:
            return reg.pay_card("", f"DEMO {rng.randrange(100_000):05d}")
        due = reg.tender_state().remaining_cents
        paid = -(-due // 500) * 500  # the next 5.00 up
        return reg.pay_cash(f"{paid // 100}.{paid % 100:02d}")
    except DomainError:
        reg.void_sale(_approved(Action.VOID_SALE, reg.cashier, manager))
        return None


def _approved(
    action: Action, actor: Employee | None, approver: Employee | None = None
) -> Approval | None:
    """The demo's approval (its first employee is the manager); None without staff."""
    if actor is None:
        return None
    return Approval(action, actor, approver if approver and approver != actor else None)
