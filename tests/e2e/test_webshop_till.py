"""The web shop channel at the tills (issue 14): points online and offline, returns of
another till's sale or a web order on the returns screen. Real PostgreSQL, the API as a
process, tills through the real bootstrap (the returns screen through the Textual pilot),
a scripted web shop over HTTP."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.test_webshop_api import WebShop, order, till_step
from tests.support.pg_cluster import binaries_missing
from tests.support.settle import settle
from tests.support.store_server import Api, api, cluster, enroll_code, tui_pos, url

if TYPE_CHECKING:
    from tui_pos.bootstrap import Till
    from tui_pos.domain.sale import SaleDocument

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "url"]  # the fixtures this module uses
LOAF = "5900000000015"  # White Loaf 800g, 1.49, in the demo catalog of every till
CARD = "2400000000778"  # Ada's loyalty card (demo_card(77)), at every till and the web


def web_order(order_id: str, **extra: Any) -> dict[str, Any]:
    """Two loaves paid by card for Ada (with ``extra`` fields, e.g. points)."""
    paid = order(order_id, customer={"card": CARD, "name": "Ada"}, **extra)
    return {**paid, "lines": [{**paid["lines"][0], "barcode": LOAF}]}


def enroll(
    api: Api, tmp_path: Path, name: str, extra: str = "", store: str = "S01"
) -> tuple[Path, str]:
    """Enroll till ``name`` of ``store`` (its config beside the database); (db, config)."""
    db, path = tmp_path / f"{name}.db", tmp_path / f"{name}.toml"
    text = f'[store]\ntill = "{name}"\n{extra}'
    path.write_text(text)
    code = enroll_code(api.db_url, store, name)
    done = tui_pos("--config", str(path), "--db", str(db), "sync", "enroll", api.base, code)
    assert done.returncode == 0, done.stderr
    return db, text


def enrolled(
    api: Api, tmp_path: Path, name: str, extra: str = "", test: bool = False, store: str = "S01"
) -> Till:
    """Till ``name``, enrolled, opened here with the demo catalog and the customer Ada
    (``test``: with the fixture manager logged in; Peewee's models follow the till opened
    last, so a till with staff must be the last one opened in this process)."""
    from tests.support.tills import open_test_till
    from tui_pos.bootstrap import open_till
    from tui_pos.config.reader import parse_config
    from tui_pos.demo import ensure_demo_catalog
    from tui_pos.domain.customer import CustomerDetails

    db, text = enroll(api, tmp_path, name, extra, store)
    config = parse_config(text)
    till = open_test_till(config, db) if test else open_till(config, db)
    ensure_demo_catalog(till)
    till.customers.create(CustomerDetails(name="Ada", card=CARD))
    return till


def client(till: Till) -> Any:
    from tui_pos.sync import state as st
    from tui_pos.sync.client import ServerClient

    state = st.load(till.db)
    assert state is not None
    return ServerClient(state.url, state.token, timeout=5.0)


def push(till: Till) -> None:
    from tui_pos.sync.sender import push_pending

    push_pending(till.db, client(till))


def pull(till: Till) -> None:
    from tui_pos.sync.puller import pull_changes

    pull_changes(till.db, client(till))


def local_points(till: Till) -> int:
    customer = till.customers.by_card(CARD)
    assert customer is not None
    return int(till.customers.ledger.balance(customer.id))


def server_points(server: Api) -> int:
    from tui_pos.server.ledgers import points_balance

    with psycopg.connect(server.db_url) as conn:
        return points_balance(conn, CARD)


def redeem(till: Till, points: str = "") -> tuple[int, SaleDocument]:
    """Ten loaves for Ada, ``points`` redeemed (empty: all the balance allows), the rest
    in cash; (the balance the till redeemed from, the stored sale)."""
    till.customers.attach_card(till.register, CARD)
    till.register.enter("10*" + LOAF)
    balance = till.customers.redeem_balance(till.register)
    till.customers.redeem(till.register, points, balance)
    sale = till.register.pay_cash("")
    assert sale is not None
    return balance, sale


LOYALTY = "[loyalty]\nredeem_max_share = 100\nredeem_min_points = 0\n"


def test_points_online_are_the_organisations_and_offline_follow_the_policy(
    api: Api, tmp_path: Path
) -> None:
    from tui_pos.domain.loyalty import LoyaltyError

    t1 = enrolled(api, tmp_path, "T1", LOYALTY + "offline_redeem_cap_points = 500\n")
    t2 = enrolled(api, tmp_path, "T2", LOYALTY + "offline_redeem_cap_points = 300\n")
    t3 = enrolled(api, tmp_path, "T3", LOYALTY + 'offline_redeem = "refuse"\n')
    tills = (t1, t2, t3)
    try:
        for till in tills:
            push(till)  # the demo stock: the server knows the loaf
        shop = WebShop(api, "S01", "WEB1")
        assert shop.post(web_order("WEB-P1", points={"earned": 700}))[0] == 201
        # earned online, redeemed at a till that has not pulled it: the server's balance
        assert local_points(t1) == 0
        balance, _ = redeem(t1, "300")
        assert balance == 700 and t1.customers.points_authority.last == "online"  # type: ignore[union-attr]
        earned = local_points(t1) + 300  # what T1's sale earned
        assert earned > 0
        # not pushed yet: the server's 700 plus this till's unacknowledged rows
        t1.customers.attach_card(t1.register, CARD)
        assert t1.customers.redeem_balance(t1.register) == 400 + earned
        push(t1)
        assert server_points(api) == 400 + earned
        # the reverse: points earned at a till redeemed online, all of them
        pay = {"method": "card", "amount_cents": 198}
        everything = {"redeemed": 400 + earned, "redeemed_cents": 100}
        status, booked = shop.post(web_order("WEB-P2", points=everything, payment=pay))
        assert (status, booked["points_balance"]) == (201, 0)
        # 400 earned online, pulled by every till; then the server is down
        assert shop.post(web_order("WEB-P3", points={"earned": 400}))[0] == 201
        for till in tills:
            pull(till)
            assert local_points(till) == 400
        api.kill()
        with pytest.raises(LoyaltyError, match="not redeemed offline"):
            redeem(t3)
        first, _ = redeem(t1)  # capped at 500: all 400 it knows
        second, _ = redeem(t2)  # capped at 300
        assert (first, second) == (400, 300)
        assert t1.customers.points_authority.last == "offline"  # type: ignore[union-attr]
        api.start()
        push(t1)
        push(t2)
        with psycopg.connect(api.db_url) as conn:
            alerts = conn.execute(
                "SELECT till_id FROM alert WHERE kind = 'points_overdraw'"
            ).fetchall()
            sales = conn.execute(
                "SELECT till_id, count(*) FROM chain_row WHERE tbl = 'sale' GROUP BY 1 ORDER BY 1"
            ).fetchall()
        assert alerts == [("T2",)]  # one alert: the second push overdrew the card
        assert sales == [("T1", 2), ("T2", 1)]  # both offline sales kept
        assert server_points(api) < 0
    finally:
        for till in tills:
            till.close()


async def test_returns_screen_takes_back_another_tills_sale_and_a_web_order(
    api: Api, tmp_path: Path
) -> None:
    from rich.console import Console
    from textual.widgets import Static

    from tui_pos.app import build_app
    from tui_pos.screens.register import RegisterScreen
    from tui_pos.screens.returns import ReturnScreen
    from tui_pos.screens.tender import TenderScreen

    t1, _ = enroll(api, tmp_path, "T1")
    t3, _ = enroll(api, tmp_path, "T3", 'web_refund = "store_credit"\n')
    for db, name in ((t1, "T1"), (t3, "T3")):
        assert till_step(db, name, "push")[0].startswith("PUSHED")  # the demo catalog
    assert till_step(t1, "T1", "sell", LOAF)[0] == "SOLD 149 T1-000001"
    number = "T1-000001"
    shop = WebShop(api, "S01", "WEB1")
    assert shop.post(web_order("WEB-77"))[0] == 201
    t2 = enrolled(api, tmp_path, "T2", test=True)  # a manager logged in; opened last
    try:
        app = build_app(t2)
        async with app.run_test(size=(120, 40)) as pilot:

            async def open_return(text: str) -> ReturnScreen:
                await pilot.press("ctrl+b", *text, "enter")
                await pilot.pause()
                await settle(pilot)
                await pilot.pause()
                assert isinstance(app.screen, ReturnScreen)
                return app.screen

            def said(screen: ReturnScreen) -> str:
                return str(screen.query_one("#return-message", Static).render())

            # T1's sale at T2: the server says what is left; F6 takes all of it back
            screen = await open_return(number)
            assert screen.remote_doc is not None and screen.remote_doc.channel == "till"
            await pilot.press("f6")
            await settle(pilot)
            await pilot.pause()
            assert [ln.qty_milli for ln in t2.register.cart.lines] == [-1000]
            assert [ln.left_milli for ln in screen.remote_doc.lines] == [0]
            await pilot.press("escape", "f10")
            await pilot.pause()
            assert isinstance(app.screen, TenderScreen)
            await pilot.press("enter")  # a till's sale: refunded in cash as asked
            await pilot.pause()
            await settle(pilot)
            assert isinstance(app.screen, RegisterScreen)
            refund = t2.register.last_completed()
            assert refund is not None and refund.total_cents == -149
            assert [(p.kind, p.amount_cents) for p in refund.payments] == [("cash", -149)]
            # the web order: one of two back; its refund goes to the web payment only
            screen = await open_return("WEB-77")
            assert screen.remote_doc is not None and screen.remote_doc.channel == "web"
            await pilot.press("f4", "1", "enter")
            await pilot.pause()
            await settle(pilot)
            await pilot.pause()
            assert "Returning 1 x" in said(screen)
            await pilot.press("escape", "f10")
            await pilot.pause()
            tender = app.screen
            assert isinstance(tender, TenderScreen)
            console = Console(width=200, record=True, file=io.StringIO())
            console.print(tender.query_one("#tender-summary", Static).content)
            summary = console.export_text()
            assert "card, not present (web order WEB-77: card not present)" in summary
            await pilot.press("enter")  # cash: refused, nothing stored
            await pilot.pause()
            error = str(tender.query_one("#tender-error", Static).render())
            assert "refunded to the web payment" in error
            await pilot.press("f2")  # no terminal reference asked: the order is the reference
            await pilot.pause()
            await settle(pilot)
            assert isinstance(app.screen, RegisterScreen)
            web_refund = t2.register.last_completed()
            assert web_refund is not None and web_refund.total_cents == -149
            assert [(p.kind, p.reference) for p in web_refund.payments] == [
                ("card", "web order WEB-77: card not present")
            ]
            # a second till is refused what T2 took back; the rest of WEB-77 by credit note
            again = till_step(t3, "T3", "return", number)[0]
            assert again == f"REFUSED Everything of {number} was returned already"
            back = till_step(t3, "T3", "return", "WEB-77")[0].split()
            assert back[:2] == ["RETURNED", "-149"] and back[2].startswith("CR")  # a note
            screen = await open_return(number)
            assert f"Everything of {number} was returned already" in said(screen)
            # offline: only this till's own sales
            api.kill()
            await pilot.press("escape")
            screen = await open_return("WEB-77")
            assert screen.remote_doc is None
            assert "store server is not reachable" in said(screen)
    finally:
        t2.close()
