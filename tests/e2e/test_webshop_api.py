"""The web shop channel for real: PostgreSQL, the API as a process, a scripted web shop
client over HTTP (its own token per shop), a till's pushes through the same API."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.support.store_server import (  # noqa: F401  (fixtures)
    ROOT,
    Api,
    api,
    chain,
    cluster,
    enroll_code,
    token_for,
    tui_pos,
    url,
)

psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

TEA = "5900000000017"  # the product the till's pushed sales name


class WebShop:
    """A scripted web shop: its token, its store, JSON over HTTP."""

    def __init__(self, server: Api, store: str, shop: str) -> None:
        done = tui_pos(
            "server", "shop-token", "--url", server.db_url, "--store", store, "--shop", shop,
            "--operator", "ops",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        self.api, self.store, self.token = server, store, done.stdout.strip()

    def post(self, order: dict[str, Any], store: str = "") -> tuple[int, dict[str, Any]]:
        return self.api.call("POST", f"/v1/stores/{store or self.store}/orders", order, self.token)

    def get(self, what: str, store: str = "") -> tuple[int, dict[str, Any]]:
        return self.api.call("GET", f"/v1/stores/{store or self.store}/{what}", token=self.token)


def order(order_id: str = "WEB-1001", qty: int = 2, **extra: Any) -> dict[str, Any]:
    """A paid order of ``qty`` teas at 1.49 (23 % tax included), paid by card."""
    amount = 149 * qty
    tax = (amount * 2300 + 6150) // 12300
    return {
        "order_id": order_id,
        "created_at": "2026-12-02T09:14:00Z",
        "fulfilment": "collect",
        "customer": {"card": "2900000000011", "email": "ada@example.com", "name": "Ada"},
        "lines": [
            {
                "barcode": TEA,
                "qty": qty,
                "unit_price_cents": 149,
                "amount_cents": amount,
                "tax_rate_bp": 2300,
                "tax_cents": tax,
            }
        ],
        "total_cents": amount,
        "tax_cents": tax,
        "payment": {"method": "card", "reference": "psp-8812", "amount_cents": amount},
        **extra,
    }


def counts(server: Api) -> tuple[int, ...]:
    with psycopg.connect(server.db_url) as conn:
        return tuple(
            int(conn.execute(f"SELECT count(*) FROM {t}".encode()).fetchone()[0])
            for t in ("web_order", "web_order_line", "stock_ledger", "change", "loyalty_ledger")
        )


@pytest.fixture
def shop(api: Api) -> WebShop:  # noqa: F811 (the fixture)
    """Store S01 with till T1 having pushed 3 sales of two teas, and web shop WEB1."""
    till = token_for(api, "S01", "T1")
    status, _ = api.call(
        "POST", "/v1/push", {"store": "S01", "till": "T1", "documents": chain(3)}, till
    )
    assert status == 200
    return WebShop(api, "S01", "WEB1")


def test_an_order_is_booked_once_and_moves_the_stores_stock(shop: WebShop) -> None:
    status, levels = shop.get("stock")
    assert status == 200 and levels["levels"] == [{"code": TEA, "qty_milli": -6000}]
    status, booked = shop.post(order(points={"earned": 2}))
    assert status == 201, booked
    assert booked == {
        "order_id": "WEB-1001",
        "store": "S01",
        "booked": True,
        "duplicate": False,
        "total_cents": 298,
        "points_balance": 2,
    }
    before = counts(shop.api)
    status, again = shop.post(order(points={"earned": 2}))
    assert (status, again["duplicate"], again["points_balance"]) == (200, True, 2)
    # changes: stock, web_order, loyalty and the customer's spend
    assert counts(shop.api) == before == (1, 1, 4, 7, 1)
    # the shop polls from its cursor: only the web order's movement is new
    status, feed = shop.get(f"stock?after={levels['cursor']}")
    assert status == 200 and feed["changes"] == [{"code": TEA, "qty_milli": -2000}]
    status, quiet = shop.get(f"stock?after={feed['cursor']}")
    assert (quiet["changes"], quiet["more"], quiet["cursor"]) == ([], False, feed["cursor"])
    status, now = shop.get("stock")
    assert now["levels"] == [{"code": TEA, "qty_milli": -8000}]
    # the same order id with other content is a conflict, nothing booked
    status, refused = shop.post(order(qty=3))
    assert (status, refused["error"], refused["field"]) == (409, "conflict", "order_id")
    assert counts(shop.api) == before


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _DROP:
        del target[last]
    else:
        target[last] = value
    return data


_DROP = object()


@pytest.mark.parametrize(
    ("path", "value", "field", "why"),
    [
        ("surprise", 1, "surprise", "unknown field"),
        ("lines.0.colour", "red", "lines[0].colour", "unknown field"),
        ("order_id", _DROP, "order_id", "is required"),
        ("order_id", "x" * 65, "order_id", "must be 1-64"),
        ("lines.0.qty", "2", "lines[0].qty", "integer from 1 to 9999"),
        ("lines.0.qty", True, "lines[0].qty", "integer from 1 to 9999"),
        ("lines.0.qty", 10_000, "lines[0].qty", "integer from 1 to 9999"),
        ("lines.0.amount_cents", 297, "lines[0].amount_cents", "qty x unit_price_cents is 298"),
        ("lines.0.tax_cents", 50, "lines[0].tax_cents", "tax included at 2300 bp is 56"),
        ("total_cents", 300, "total_cents", "the lines add up to 298"),
        ("tax_cents", 57, "tax_cents", "lines' tax adds up to 56"),
        ("payment.amount_cents", 200, "payment.amount_cents", "must make total_cents 298"),
        ("fulfilment", "drone", "fulfilment", "'collect' or 'ship'"),
        ("created_at", "2026-12-02 09:14", "created_at", "name its zone"),
        ("customer.email", "not-an-address", "customer.email", "an e-mail address"),
        ("customer.name", "Ada 4111 1111 1111 1111", "customer.name", "payment card number"),
        ("lines", [], "lines", "1 to 200 lines"),
        ("points", {"redeemed": 5}, "points.redeemed_cents", "go together"),
    ],
)
def test_a_bad_order_is_refused_naming_the_field_and_nothing_is_booked(
    shop: WebShop, path: str, value: Any, field: str, why: str
) -> None:
    before = counts(shop.api)
    status, refused = shop.post(_set(order(), path, value))
    assert (status, refused["error"], refused["field"]) == (400, "malformed", field)
    assert why in refused["message"]
    assert counts(shop.api) == before


def test_unknown_products_other_stores_and_wrong_tokens_are_refused(shop: WebShop) -> None:
    before = counts(shop.api)
    status, refused = shop.post(_set(order(), "lines.0.barcode", "4006381333931"))
    assert (status, refused["error"], refused["field"]) == (
        422,
        "unknown_product",
        "lines[0].barcode",
    )
    status, refused = shop.post(_set(_set(order(), "lines.0.barcode", _DROP), "lines.0.sku", "TEA"))
    assert (status, refused["field"]) == (422, "lines[0].sku")
    # a shop of store S02 cannot book at, read the stock of, or ask points from S01
    other = WebShop(shop.api, "S02", "WEB2")
    for status, refused in (
        other.post(order(), store="S01"),
        other.get("stock", store="S01"),
        other.get("points?card=2900000000011", store="S01"),
    ):
        assert (status, refused["error"], refused["field"]) == (403, "wrong_store", "store")
    # a till's token is not a web shop's, and no token is refused
    till = token_for(shop.api, "S01", "T9")
    assert shop.api.call("POST", "/v1/stores/S01/orders", order(), till)[0] == 401
    assert shop.api.call("GET", "/v1/stores/S01/stock")[0] == 401
    # a shop's token is not a till's
    assert shop.api.call("GET", "/v1/head", token=shop.token)[0] == 401
    status, refused = shop.api.call("POST", "/v1/stores/S01/orders", raw=b"{", token=shop.token)
    assert (status, refused["field"]) == (400, "order")
    status, refused = shop.get("stock?after=yesterday")
    assert (status, refused["field"]) == (400, "after")
    assert counts(shop.api) == before
    # a new token replaces the old one
    renewed = WebShop(shop.api, "S01", "WEB1")
    assert shop.get("stock")[0] == 401 and renewed.get("stock")[0] == 200
    moved = tui_pos(
        "server", "shop-token", "--url", shop.api.db_url, "--store", "S02", "--shop", "WEB1",
        "--operator", "ops",
    )  # fmt: skip
    assert moved.returncode == 1 and "belongs to another store" in moved.stderr


def test_points_earned_and_redeemed_online_share_one_ledger(shop: WebShop) -> None:
    status, _ = shop.post(order("WEB-1", qty=5, points={"earned": 7}))
    assert status == 201
    status, points = shop.get("points?card=2900000000011")
    assert (status, points["balance"]) == (200, 7)
    # redeeming more than the balance is refused and books nothing
    before = counts(shop.api)
    pay = {"method": "card", "amount_cents": 198}
    too_much = order("WEB-2", points={"redeemed": 8, "redeemed_cents": 100}, payment=pay)
    status, refused = shop.post(too_much)
    assert (status, refused["error"], refused["field"], refused["balance"]) == (
        409,
        "points",
        "points.redeemed",
        7,
    )
    assert counts(shop.api) == before
    fine = order("WEB-2", points={"redeemed": 6, "redeemed_cents": 100}, payment=pay)
    status, booked = shop.post(fine)
    assert (status, booked["points_balance"]) == (201, 1)
    status, points = shop.get("points?card=2900000000011")
    assert [(r["points"], r["kind"], r["ref"]) for r in points["recent"]] == [
        (-6, "redeem", "WEB-2"),
        (7, "earn", "WEB-1"),
    ]
    # the tills' ledger: one balance per card, published to the tills of every store
    from tui_pos.server.ledgers import points_balance

    with psycopg.connect(shop.api.db_url) as conn:
        assert points_balance(conn, "2900000000011") == 1
        published = conn.execute(
            "SELECT store_id, origin_till, key, body->>'points' FROM change "
            "WHERE topic = 'loyalty' ORDER BY id"
        ).fetchall()
    assert published == [
        (None, "web:WEB1", "2900000000011", "7"),
        (None, "web:WEB1", "2900000000011", "-6"),
    ]
    status, refused = shop.get("points?card=<b>")
    assert (status, refused["field"]) == (400, "card")


def server_report(server: Api, by: str, *extra: str) -> dict[str, Any]:
    done = tui_pos(
        "server", "report", by, "--url", server.db_url, "--from", "2026-12-01", "--to",
        "2026-12-02", "--format", "json", "--operator", "ops", *extra,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_every_report_total_is_the_sum_of_documents_across_channels(shop: WebShop) -> None:
    """Till T1 of S01 pushed 3 sales (300); WEB1 of S01 and WEB2 of S02 book orders."""
    other = WebShop(shop.api, "S02", "WEB2")
    till = token_for(shop.api, "S02", "T1")
    docs = {"store": "S02", "till": "T1", "documents": chain(1, tag="z")}
    assert shop.api.call("POST", "/v1/push", docs, till)[0] == 200
    late = order("WEB-2", qty=1, created_at="2026-12-02T00:30:00+01:00")  # 1 Dec in UTC
    for client, booked in ((shop, order("WEB-1")), (shop, late), (other, order("WEB-9", qty=3))):
        assert client.post(booked)[0] == 201
    documents = 300 + 100 + 298 + 149 + 447  # the tills' sales, then the web orders
    by_channel = server_report(shop.api, "channel")
    assert [(r["key"], r["sales"], r["total_cents"]) for r in by_channel["rows"]] == [
        ("till", 4, 400),
        ("web", 3, 894),
    ]
    for by in ("till", "store", "day", "hour", "employee", "channel"):
        assert server_report(shop.api, by)["totals"]["total_cents"] == documents, by
    assert [r["key"] for r in server_report(shop.api, "till")["rows"]] == [
        "S01 T1",
        "S01 web:WEB1",
        "S02 T1",
        "S02 web:WEB2",
    ]
    days = server_report(shop.api, "day", "--store", "S01")["rows"]
    assert [(r["key"], r["sales"], r["total_cents"]) for r in days] == [
        ("2026-12-01", 2, 249),  # T1's sale at seq 2 and the web order made at 00:30+01:00
        ("2026-12-02", 3, 498),
    ]
    s01 = server_report(shop.api, "channel", "--store", "S01")
    assert [(r["key"], r["total_cents"]) for r in s01["rows"]] == [("till", 300), ("web", 447)]
    items = server_report(shop.api, "item", "--store", "S01")["rows"]
    assert items == [{"key": TEA, "name": "Tea", "qty": 9000, "net_cents": 747}]
    tenders = server_report(shop.api, "tender")["rows"]
    assert [(r["key"], r["amount_cents"]) for r in tenders] == [("cash", 400), ("web card", 894)]
    taxes = server_report(shop.api, "tax", "--store", "S01")["rows"]
    assert [(r["key"], r["base_cents"] + r["tax_cents"]) for r in taxes] == [
        ("A", 300),
        ("web 23.00%", 447),
    ]
    # every report cut by channel (--channel): the tills' part and the web's make the whole
    measure = {"category": "net_cents", "item": "net_cents", "tender": "amount_cents"}
    for by in ("till", "day", "employee", "category", "item", "tender", "tax"):
        key = measure.get(by, "base_cents" if by == "tax" else "total_cents")
        cuts = {
            channel: sum(r[key] for r in server_report(shop.api, by, *channel)["rows"])
            for channel in ((), ("--channel", "till"), ("--channel", "web"))
        }
        parts = cuts[("--channel", "till")], cuts[("--channel", "web")]
        assert sum(parts) == cuts[()], by
        if key == "total_cents":
            assert parts == (400, 894), by
    web_s01 = server_report(shop.api, "item", "--store", "S01", "--channel", "web")
    assert web_s01["rows"] == [{"key": TEA, "name": None, "qty": 3000, "net_cents": 447}]


def till_step(db: Path, till: str, *step: str) -> list[str]:
    """Run one step of a till process (tests/e2e/webshop_till_child.py); its output lines."""
    done = subprocess.run(
        [sys.executable, "tests/e2e/webshop_till_child.py", str(db), till, *step],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")


def test_a_web_order_for_collection_is_handed_over_at_till_2_once(
    api: Api,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    tills = {}
    for till in ("T1", "T2"):
        db, config = tmp_path / f"{till}.db", tmp_path / f"{till}.toml"
        config.write_text(f'[store]\ntill = "{till}"\n')
        code = enroll_code(api.db_url, "S01", till)
        done = tui_pos("--config", str(config), "--db", str(db), "sync", "enroll", api.base, code)
        assert done.returncode == 0, done.stderr
        assert till_step(db, till, "push")[0].startswith("PUSHED")
        tills[till] = db
    shop = WebShop(api, "S01", "WEB1")
    loaf = "5900000000015"  # White Loaf 800g, 60 in stock at each till's demo catalog
    web = _set(order("WEB-77", qty=2), "lines.0.barcode", loaf)
    assert shop.post(web)[0] == 201
    status, levels = shop.get("stock")
    assert {"code": "0" + loaf, "qty_milli": 118_000} in levels["levels"]
    twice = _set(order("WEB-78", qty=1), "lines.0.barcode", loaf)
    assert shop.post(twice)[0] == 201
    # the web order moved the stock of every till of the store once (60 + 60 - 2 - 1)
    for till, db in tills.items():
        assert till_step(db, till, "level", loaf)[0] == "LEVEL 117000", till
    assert till_step(tills["T2"], "T2", "collect", "WEB-77")[0] == "HANDED"
    refused = "REFUSED Order WEB-77 was handed over already"
    assert till_step(tills["T2"], "T2", "collect", "WEB-77")[0] == refused
    assert till_step(tills["T1"], "T1", "collect", "WEB-77")[0] == refused  # told by the server
    # WEB-78 handed over at both tills while they could not see each other: both kept, alert
    assert till_step(tills["T2"], "T2", "collect", "WEB-78")[0] == "HANDED"
    assert till_step(tills["T1"], "T1", "collect-offline", "WEB-78")[0] == "HANDED"
    with psycopg.connect(api.db_url) as conn:
        events = conn.execute(  # who pushed it, who handed over (a pulled copy names T2)
            "SELECT till_id, data->>4, count(*) FROM chain_row WHERE tbl = 'online_order_event' "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
        alerts = conn.execute("SELECT kind, message FROM alert").fetchall()
        collected = conn.execute(
            "SELECT order_id, till_id FROM web_order_collected ORDER BY order_id"
        ).fetchall()
    assert events == [("T1", "T1", 1), ("T1", "T2", 1), ("T2", "T2", 2)]
    assert alerts == [("handed_over_twice", "web order WEB-78 was handed over at two tills")]
    assert collected == [("WEB-77", "T2"), ("WEB-78", "T2")]
    # WEB-77 returned at T1 (refunded to the web payment), refused a second time at T2
    back = till_step(tills["T1"], "T1", "return", "WEB-77")[0]
    assert back == "RETURNED -298 web order WEB-77: card not present"
    again = till_step(tills["T2"], "T2", "return", "WEB-77")[0]
    assert again == "REFUSED Everything of WEB-77 was returned already"
    # two tills claiming the last piece at once: the server takes one claim only
    claim = {"document": "WEB-78", "lines": [{"position": 1, "qty_milli": 1000}]}
    t2 = token_for(api, "S01", "T3")
    status, first = api.call("POST", "/v1/returns/claim", {**claim, "claim": "c-first-1"}, t2)
    assert (status, first["lines"][0]["left_milli"]) == (200, 0)
    status, second = api.call("POST", "/v1/returns/claim", {**claim, "claim": "c-second"}, t2)
    assert (status, second["error"], second["field"]) == (409, "over_return", "lines[0].qty_milli")
    status, same = api.call("POST", "/v1/returns/claim", {**claim, "claim": "c-first-1"}, t2)
    assert status == 200  # the same claim again (a lost answer) is acknowledged
    status, bad = api.call("POST", "/v1/returns/claim", {**claim, "claim": "c-x", "more": 1}, t2)
    assert (status, bad["field"]) == (400, "claim")
    # T1's sale returned at T2 through the server, then at T1 itself (as offline): an alert
    sold = till_step(tills["T1"], "T1", "sell", loaf)[0]
    assert sold == "SOLD 149 T1-000002"  # T1-000001 is WEB-77's return
    assert till_step(tills["T2"], "T2", "return", "T1-000002")[0] == "RETURNED -149 "
    assert till_step(tills["T1"], "T1", "return-own", "T1-000002")[0] == "RETURNED -149"
    with psycopg.connect(api.db_url) as conn:
        over = conn.execute("SELECT message FROM alert WHERE kind = 'over_return'").fetchall()
    assert over == [
        (
            "line 1 of sale T1-000002: 1000 sold, 1000 returned at this till and 1000 at others; "
            "both returns are kept",
        )
    ]
    # the till's report by channel: its own sale and the two web orders it knows
    assert till_step(tills["T2"], "T2", "sell", loaf)[0] == "SOLD 149 T2-000002"
    t2_config = str(tmp_path / "T2.toml")
    period = ["--from", "2026-11-01", "--to", date.today().isoformat(), "--format", "json"]
    report = ["--config", t2_config, "--db", str(tills["T2"]), "report", "sales", *period]
    done = tui_pos(*report, "--by", "channel", "--store", "S01")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert rows == [
        {"channel": "till", "sales": 2, "total_cents": 0},  # T2 returned T1's loaf, sold one
        {"channel": "web", "sales": 2, "total_cents": 298 + 149},
    ]
    hours = json.loads(tui_pos(*report, "--by", "hour").stdout)
    assert hours["totals"]["net_cents"] == 0  # the till's own sales = its channel's row
    other = tui_pos(*report, "--by", "channel", "--store", "S02")
    assert other.returncode == 1
    assert "this till belongs to store S01, not S02" in other.stderr
    day = ["--config", t2_config, "--db", str(tills["T2"]), "report", "x", "--format", "json"]
    x = tui_pos(*day, "--store", "S01")  # the X is the till's own channel (till) of its store
    assert x.returncode == 0, x.stderr
    assert json.loads(x.stdout)["net_cents"] == hours["totals"]["net_cents"]
    assert "not S02" in tui_pos(*day, "--store", "S02").stderr


def test_lines_by_sku_or_barcode_are_products_of_the_servers_catalog(shop: WebShop) -> None:
    """A product managed at the server (``/v1/catalog``) is sold on the web by its PLU as
    SKU, by its catalog key, or by barcode, before any till has ledgered its stock."""
    mate = "4006381333931"
    body = {
        "name": "Mate 0.5l", "price_cents": 149, "tax_code": "A", "category": "Drinks",
        "unit": "each", "plu": "4711", "reorder_level_milli": 0,
    }  # fmt: skip
    item = {"topic": "product", "by": {"id": 1, "name": "Ann", "role": "manager"}}
    till = token_for(shop.api, "S01", "T8")
    status, _ = shop.api.call(
        "POST", "/v1/catalog", {**item, "items": [{"key": mate, "body": body}]}, till
    )
    assert status == 200

    def by_sku(order_id: str, sku: str) -> dict[str, Any]:
        return _set(_set(order(order_id, qty=1), "lines.0.barcode", _DROP), "lines.0.sku", sku)

    before = counts(shop.api)
    status, refused = shop.post(by_sku("WEB-S0", "4712"))
    assert (status, refused["error"], refused["field"]) == (422, "unknown_product", "lines[0].sku")
    assert counts(shop.api) == before
    assert shop.post(by_sku("WEB-S1", "4711"))[0] == 201  # the PLU
    assert shop.post(by_sku("WEB-S2", "0" + mate))[0] == 201  # the catalog's key (GTIN-14)
    assert shop.post(_set(order("WEB-S3", qty=1), "lines.0.barcode", mate))[0] == 201
    status, levels = shop.get("stock")
    assert {"code": "0" + mate, "qty_milli": -3000} in levels["levels"]
    with psycopg.connect(shop.api.db_url) as conn:
        lines = conn.execute(
            "SELECT DISTINCT product_code FROM web_order_line WHERE order_id LIKE 'WEB-S%'"
        ).fetchall()
    assert lines == [("0" + mate,)]  # one product, whichever way the shop named it
    # an ended product is not sold any more
    ended = {**body, "active": False}
    status, _ = shop.api.call(
        "POST", "/v1/catalog", {**item, "items": [{"key": mate, "body": ended}]}, till
    )
    assert status == 200
    assert shop.post(by_sku("WEB-S4", "4711"))[0] == 422
