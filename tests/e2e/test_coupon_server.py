"""Personal coupons and unsubscribes through the store server, for real: PostgreSQL
started by the tests, the API as a process, two tills of one store (each its own
database, chain and key, enrolled with a one-time code) that hold the same coupon.

The tills run one after the other in this process (all tables share one database proxy
per process); the server and the network between them are real.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.integration.test_coupons import LOAF, coupons_for
from tests.support import store_server
from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import Api, enroll_code, free_port
from tests.support.tills import TEST_PIN_COST, fixed_clock, log_in_manager
from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.domain.coupons import CouponError
from tui_pos.domain.customer import CustomerDetails
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.models.chain_store import seal
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient
from tui_pos.sync.coupons import CouponReservations
from tui_pos.sync.puller import pull_changes
from tui_pos.sync.sender import push_pending

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")
#: The store server tests' fixtures: PostgreSQL for the module, a database and API a test.
cluster, url, api = store_server.cluster, store_server.url, store_server.api


class Shop:
    """Two tills, T1 and T2, of store S1 at the API; opened one at a time."""

    def __init__(self, api: Api, root: Path) -> None:
        self.api = api
        self.root = root
        self.paths = {t: root / t / "till.db" for t in ("T1", "T2")}
        for till_id in self.paths:
            till = self.open(till_id)
            status, answer = api.call(
                "POST", "/v1/enroll", {"code": enroll_code(api.db_url, "S1", till_id)}
            )
            assert status == 200, answer
            head = (int(answer["head_seq"]), str(answer["head_hash"]))
            st.enrolled(till.db, api.base, "S1", till_id, str(answer["token"]), head)
            till.close()

    def open(self, till_id: str) -> Till:
        config = replace(Config(), store=replace(Config().store, till=till_id))
        till = open_till(
            config,
            self.paths[till_id],
            printer=RecordingPrinter(),
            clock=fixed_clock,
            pin_cost=TEST_PIN_COST,
        )
        ensure_demo_catalog(till)
        log_in_manager(till)
        return till

    def sync(self, till: Till) -> None:
        state = st.load(till.db)
        assert state is not None
        client = ServerClient(state.url, state.token)
        push_pending(till.db, client)
        pull_changes(till.db, client)

    def sql(self, query: str, *args: object) -> list[tuple[object, ...]]:
        with psycopg.connect(self.api.db_url) as conn:
            return list(conn.execute(query, args).fetchall())


@pytest.fixture
def shop(api: Api, tmp_path: Path) -> Iterator[Shop]:
    yield Shop(api, tmp_path)


def give_coupon(shop: Shop) -> str:
    """Ann's coupon from a campaign at T1; T2 holds Ann and the same coupon (as a till
    that the customer and coupon reached: spreading them is customer sync, issue 14)."""
    t1 = shop.open("T1")
    code = coupons_for(t1, "Ann Lee")["Ann Lee"]
    terms = t1.db.execute_sql(
        "SELECT kind, value, valid_from, valid_to, created_at FROM coupon WHERE code = ?", (code,)
    ).fetchone()
    t1.close()
    t2 = shop.open("T2")
    ann = t2.customers.create(CustomerDetails("Ann Lee", marketing_consent=True)).id
    with t2.db.atomic():
        t2.db.execute_sql(
            "INSERT INTO coupon (code, customer_id, campaign_id, kind, value, valid_from,"
            " valid_to, till, created_at) VALUES (?, ?, NULL, ?, ?, ?, ?, 'T1', ?)",
            (code, ann, *terms),
        )
        seal(t2.db, "T2")
    t2.close()
    return code


def redeem(till: Till, code: str) -> None:
    till.register.scan(LOAF)
    till.register.scan(LOAF)
    till.register.enter(code)
    assert till.register.totals().total_cents == 248


def redemptions(till: Till) -> int:
    return int(till.db.execute_sql("SELECT COUNT(*) FROM coupon_redemption").fetchone()[0])


def test_a_coupon_is_redeemed_once_at_any_till(shop: Shop) -> None:
    code = give_coupon(shop)
    t1 = shop.open("T1")
    redeem(t1, code)
    sale = t1.register.pay_cash("")
    assert sale is not None and sale.coupon == code
    reservations = t1.register.reserve_coupon
    assert isinstance(reservations, CouponReservations) and reservations.last == "reserved"
    assert shop.sql("SELECT till_id, sale_uuid FROM coupon_reservation") == [("T1", sale.uuid)]
    # The same sale asking again (a retry after a lost answer) keeps its reservation.
    reservations(sale)
    t1.close()

    t2 = shop.open("T2")
    redeem(t2, code)  # T2 does not know yet: the coupon is on the sale
    with pytest.raises(CouponError, match=f"Coupon {code} is being redeemed at till T1"):
        t2.register.pay_cash("")
    assert t2.register.cart.coupon == code and t2.register.has_payments  # kept, not stored
    assert redemptions(t2) == 0
    t2.register.remove_last_payment()
    t2.register.void_sale()
    t2.close()

    t1 = shop.open("T1")
    shop.sync(t1)  # T1's sale and its redemption reach the server
    t1.close()
    t2 = shop.open("T2")
    redeem(t2, code)
    with pytest.raises(CouponError, match=f"Coupon {code} was redeemed at till T1"):
        t2.register.pay_cash("")
    assert redemptions(t2) == 0
    t2.close()
    assert shop.sql("SELECT kind FROM alert") == []


def test_offline_redemption_is_stored_and_raised_as_an_alert(shop: Shop) -> None:
    code = give_coupon(shop)
    t1 = shop.open("T1")
    redeem(t1, code)
    assert t1.register.pay_cash("") is not None
    shop.sync(t1)
    t1.close()
    t2 = shop.open("T2")
    state = st.load(t2.db)
    assert state is not None
    dead = f"http://127.0.0.1:{free_port()}"  # nobody listens: the server is not reached
    st.enrolled(t2.db, dead, "S1", "T2", state.token, (state.acked_seq, state.acked_hash))
    redeem(t2, code)
    sale = t2.register.pay_cash("")  # offline: redeemed here, the sale goes on
    assert sale is not None and sale.coupon == code and redemptions(t2) == 1
    reservations = t2.register.reserve_coupon
    assert isinstance(reservations, CouponReservations) and reservations.last == "offline"
    st.enrolled(t2.db, shop.api.base, "S1", "T2", state.token, (state.acked_seq, state.acked_hash))
    shop.sync(t2)  # back online: the redemption row reaches the server
    t2.close()
    alerts = shop.sql("SELECT till_id, kind, message FROM alert")
    assert len(alerts) == 1
    till, kind, message = alerts[0]
    assert (till, kind) == ("T2", "coupon")
    assert f"coupon {code} redeemed at till T2 (sale {sale.uuid}, offline)" in str(message)
    assert "was also redeemed at till T1" in str(message)
    listed = store_server.tui_pos("server", "alerts", "--url", shop.api.db_url, "--operator", "ops")
    assert listed.returncode == 0 and f"coupon {code} redeemed at till T2" in listed.stdout


def test_reserve_refuses_bad_input_and_strangers(shop: Shop) -> None:
    server = shop.api
    assert (
        server.call("POST", "/v1/coupons/reserve", {"code": "CPAAAAAAAAAA", "sale": "s1"})[0] == 401
    )
    t1 = shop.open("T1")
    state = st.load(t1.db)
    t1.close()
    assert state is not None
    for body, field in (({"code": "nope", "sale": "s1"}, "'code'"), ({"code": "CPAB"}, "'code'")):
        status, answer = server.call("POST", "/v1/coupons/reserve", body, state.token)
        assert (status, answer["error"]) == (400, "malformed") and field in answer["message"]
    status, answer = server.call(
        "POST", "/v1/coupons/reserve", {"code": "CPAAAAAAAAAA", "sale": "a b"}, state.token
    )
    assert status == 400 and "'sale'" in answer["message"]
    assert shop.sql("SELECT * FROM coupon_reservation") == []


def test_unsubscribe_through_the_server_reaches_the_till(shop: Shop) -> None:
    give_coupon(shop)
    t1 = shop.open("T1")
    token = str(t1.db.execute_sql("SELECT token FROM unsubscribe_token").fetchone()[0])
    t1.close()
    server = shop.api
    for bad in ("nope", "", 42):
        status, answer = server.call("POST", "/v1/unsubscribe", {"token": bad})
        assert (status, answer["error"]) == (400, "malformed"), answer
        assert "not an unsubscribe token" in answer["message"]
    assert shop.sql("SELECT * FROM unsubscribe_request") == []
    typed = " ".join([token[:8].lower(), token[8:]])  # as a customer might paste it
    status, answer = server.call("POST", "/v1/unsubscribe", {"token": typed})
    assert (status, answer["token"], answer["recorded"]) == (202, token, True)
    status, answer = server.call("POST", "/v1/unsubscribe", {"token": token})
    assert (status, answer["recorded"]) == (202, False)  # once
    assert shop.sql("SELECT actor, action FROM audit WHERE action = 'unsubscribe'") == [
        ("customer (unsubscribe link)", "unsubscribe")
    ]
    for till_id in ("T2", "T1"):  # T2 never mailed Ann: it skips the token
        till = shop.open(till_id)
        shop.sync(till)
        events = till.db.execute_sql(
            "SELECT e.consent, e.source, e.note, c.marketing_consent FROM consent_event e"
            " JOIN customer c ON c.id = e.customer_id WHERE e.source = 'unsubscribe'"
        ).fetchall()
        if till_id == "T2":
            assert events == []
        else:
            assert len(events) == 1
            consent, _, note, profile = events[0]
            assert consent == 0 and profile == 0
            assert note.endswith("(through the store server)")
            queued = till.db.execute_sql(
                "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'campaign' AND status = 'queued'"
            ).fetchone()[0]
            assert queued == 0
        till.close()
