"""A till that sells in a loop until it is killed: the child of tests/e2e/test_crash_kill.py.

Usage: ``python tests/e2e/crash_child.py DB SEED [--finish]``

It opens the till through :func:`tui_pos.bootstrap.open_till` (which restores the open
sale journaled before the last kill), prints ``START <uuid> <lines> <payments>`` about
that sale, and then sells random demo items: sometimes with a quantity, a voided line or
a cart discount, sometimes a split card + cash payment, cash with change, or a voided
sale. A sale is acknowledged with ``OK <uuid> <total_cents>`` (one flushed line) only once
``pay_cash``/``pay_card`` returned the stored document; a voided sale with
``VOID <uuid>``. With ``--finish`` it completes the restored sale, if any, and exits.

Receipts go to a text-file printer (``receipts.txt`` next to the database) through the
print queue in a printer thread, as in the app: the jobs left from before the kill at the
start, then each sale's receipt after its acknowledgement, while the next sale goes on.
"""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path

from tui_pos.bootstrap import open_till
from tui_pos.config import Config
from tui_pos.demo.catalog import demo_products
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action, Approval
from tui_pos.drivers.file_printer import FilePrinter
from tui_pos.services.printer_thread import PrinterThread
from tui_pos.services.register import Register

#: Cash is rounded to 0.05, so that payments = total + rounding is really tested.
CONFIG = replace(Config(), store=replace(Config().store, cash_rounding=5))

CODES = [row["barcode"] for row in demo_products() if row["barcode"].startswith("590")]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def ack(doc: SaleDocument | None) -> None:
    if doc is not None:
        say(f"OK {doc.uuid} {doc.total_cents}")


def fill(reg: Register, rng: random.Random) -> None:
    """Scan a few items, now and then with a quantity, a voided line or a discount."""
    for _ in range(rng.randint(1, 6)):
        code = rng.choice(CODES)
        reg.enter(f"{rng.randint(2, 4)}*{code}" if rng.random() < 0.2 else code)
    if len(reg.cart.lines) > 1 and rng.random() < 0.2:
        reg.void_line(rng.randrange(len(reg.cart.lines)))
    if rng.random() < 0.1:
        reg.set_cart_discount("5%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))


def pay(reg: Register, rng: random.Random) -> None:
    """Take payment until the sale is stored (a restored sale may be paid in part)."""
    state = reg.tender_state()
    if not state.payments and state.remaining_cents > 1 and rng.random() < 0.35:
        part = rng.randint(1, state.remaining_cents - 1)
        ack(reg.pay_card(money(part), f"AUTH {rng.randint(1000, 9999)}"))
        state = reg.tender_state()
    if rng.random() < 0.5:
        ack(reg.pay_cash(""))  # exact cash (or, already settled, just store it)
    else:  # hand over the next whole euro: change is given
        ack(reg.pay_cash(money((state.cash_due_cents // 100 + 1) * 100)))


def main(argv: list[str]) -> int:
    db, seed = Path(argv[1]), int(argv[2])
    finish = "--finish" in argv
    rng = random.Random(seed)
    printer = FilePrinter(db.with_name("receipts.txt"))
    till = open_till(CONFIG, db, printer=printer)
    printing = PrinterThread(printer, lambda exc: print(f"printing: {exc!r}", file=sys.stderr))
    reg = till.register
    payments = len(reg.tender.payments) if reg.tender else 0
    say(f"START {reg.cart.uuid} {len(reg.cart.lines)} {payments}")
    printing.submit(till.print_queue.run, key="print")  # what was owed at the kill
    if finish:
        if not reg.cart.is_empty:
            pay(reg, rng)
        printing.submit(till.print_queue.run).result(timeout=30)
        till.close()
        return 0
    while True:
        if reg.cart.is_empty:
            fill(reg, rng)
            if not reg.cart.is_empty and rng.random() < 0.05:
                uuid = reg.cart.uuid
                reg.void_sale()
                say(f"VOID {uuid}")
                continue
        pay(reg, rng)
        printing.submit(till.print_queue.run, key="print")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
