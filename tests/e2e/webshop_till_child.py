"""A till process for the web shop tests, one step per run, through the real bootstrap.

Usage: ``python tests/e2e/webshop_till_child.py DB TILL STEP [ORDER_ID]`` (the config is
``DB`` with the suffix ``.toml`` when there is one)

Steps: ``push`` loads the demo catalog (its stock levels are movements) and pushes every
stored document to the enrolled server (prints ``PUSHED <acked seq>``); ``collect ORDER_ID``
pulls the server's changes and hands the order over at this till (prints ``HANDED``, or
``REFUSED <message>``, or ``MISSING``), then pushes the hand-over (``collect-offline``: the
same without pulling first, as a till that was offline); ``level BARCODE`` pulls
and prints the product's stock level in thousandths; ``sell BARCODE [CARD]`` sells one for cash
(to the customer with that card, made if new);
``return DOCUMENT`` takes back all that is left of a web order or another till's sale
through the server and refunds it (a web order as ``[store] web_refund`` says, a sale in
cash; prints ``RETURNED <total> <reference>`` or ``REFUSED ...``; ``return-unpushed``:
the same, not pushed, as a till that went offline after the claim); ``return-own NUMBER``
returns all of this till's own sale without asking the server; ``claim DOCUMENT`` claims
all that is left of it at the server, prints ``CLAIMED`` and kills itself (a till that
crashed holding the claim); ``abandon DOCUMENT`` claims all that is left and voids the
sale (prints ``VOIDED``: no release call, the voided sale's push releases it).
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from tui_pos.bootstrap import open_till
from tui_pos.config import Config
from tui_pos.config.reader import load_config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.errors import DomainError
from tui_pos.domain.sale import format_sale_number
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient
from tui_pos.sync.ledger_topics import product_by_code
from tui_pos.sync.puller import pull_changes
from tui_pos.sync.sender import push_pending


def main(argv: list[str]) -> int:
    db, till_id, step = Path(argv[1]), argv[2], argv[3]
    toml = db.with_suffix(".toml")  # the till's config beside its database, if any
    config = load_config(toml) if toml.exists() else Config()
    config = replace(config, store=replace(config.store, till=till_id))
    till = open_till(config, db)
    state = st.load(till.db)
    assert state is not None, "enroll the till first"
    client = ServerClient(state.url, state.token, timeout=5.0)
    try:
        if step == "push":
            ensure_demo_catalog(till)
        elif step != "collect-offline":
            pull_changes(till.db, client)
        if step in ("collect", "collect-offline"):
            found = till.online_orders.find_for_collection(argv[4], include_collected=True)
            if not found:
                print("MISSING")
            else:
                try:
                    till.online_orders.hand_over(found[0], "Cashier 3")
                    print("HANDED")
                except DomainError as exc:
                    print(f"REFUSED {exc}")
        elif step == "sell":
            if len(argv) > 5:  # to the customer with this card (Ada, made here if new)
                if till.customers.by_card(argv[5]) is None:
                    till.customers.create(CustomerDetails(name="Ada", card=argv[5]))
                till.customers.attach_card(till.register, argv[5])
            till.register.enter(argv[4])
            sold = till.register.pay_cash("")
            assert sold is not None and sold.seq is not None
            print(f"SOLD {sold.total_cents} {format_sale_number(sold.till, sold.seq)}")
        elif step in ("return", "return-unpushed"):
            remote = till.remote_returns  # refunds a web order as [store] web_refund says
            assert remote is not None
            try:
                doc = remote.open(argv[4])
                for line in doc.lines:
                    if line.left_milli:
                        remote.take_back(doc, line.position)
                web = doc.channel == "web"
                refund = remote.refund(doc) if web else till.returns.refund("cash")
                assert refund is not None
                print(f"RETURNED {refund.total_cents} {refund.payments[0].reference}")
            except DomainError as exc:
                print(f"REFUSED {exc}")
        elif step in ("claim", "abandon"):
            remote = till.remote_returns
            assert remote is not None
            doc = remote.open(argv[4])
            for line in doc.lines:
                if line.left_milli:
                    remote.take_back(doc, line.position)
            if step == "claim":
                print("CLAIMED", flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
            till.register.void_sale()
            print("VOIDED")
        elif step == "return-own":  # this till's own sale, as when offline
            view = till.returns.open_sale(argv[4])
            for sold_line in view.lines:
                till.returns.return_line(sold_line)
            refund = till.returns.refund("cash")
            assert refund is not None
            print(f"RETURNED {refund.total_cents}")
        elif step == "level":
            product = product_by_code(till.db, argv[4])
            level = till.db.execute_sql(
                "SELECT coalesce(sum(qty_milli), 0) FROM stock_movement WHERE product_id = ?",
                (product,),
            ).fetchone()
            print(f"LEVEL {level[0]}")
        if step != "return-unpushed":
            pushed = push_pending(till.db, client)
            print(f"PUSHED {pushed}")
    finally:
        till.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
