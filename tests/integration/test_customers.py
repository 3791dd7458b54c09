"""Customers and loyalty through the services on a real SQLite till.

Dated sales are stored as documents (``sale_document`` with an explicit time) through the
till's own ``record_sale``, so the points are computed and written the way the register
does it.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.approvals import approved
from tests.support.tills import copy_database, open_test_till
from tui_pos.bootstrap import Till
from tui_pos.config import Config
from tui_pos.domain.cart import Cart
from tui_pos.domain.cart_lines import CartLine
from tui_pos.domain.customer import CustomerDetails, CustomerError
from tui_pos.domain.errors import DomainError
from tui_pos.domain.loyalty import LoyaltyError
from tui_pos.domain.sale import SaleDocument, sale_document
from tui_pos.domain.staff import Action
from tui_pos.domain.tender import Payment, Tender
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.services.customer_import import import_customers
from tui_pos.services.product_import import ImportFailed

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B, Bakery
CARD = "2400000000013"  # a loyalty card under the default "24" customer rule


def rows(till: Till, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with sqlite3.connect(till.db_path) as conn:
        return conn.execute(sql, args).fetchall()


def add_customer(till: Till, name: str = "Ada Lovelace", **kw: object) -> int:
    details = CustomerDetails(name=name, **kw)  # type: ignore[arg-type]
    return till.customers.create(details).id


def loaf_id(till: Till) -> int:
    product = till.catalog.by_code(till.parser.parse(LOAF).code)
    assert product is not None
    return product.id


def dated_sale(
    till: Till, customer_id: int | None, cents: int, when: datetime, product_id: int = 0
) -> SaleDocument:
    """A one-line sale of ``cents`` at ``when`` paid by card, stored through record_sale."""
    settings = till.register.settings
    cart = Cart(settings.taxes, prices_include_tax=True)
    cart.customer_id = customer_id
    cart.add(CartLine(product_id or loaf_id(till), "Item", "each", cents, 1000, "B"))
    tender = Tender(cart.totals().total_cents)
    tender.pay_card(None, "REF1")
    doc = sale_document(cart, tender, till=settings.till, cashier="t", now=when)
    return till.register.store.record_sale(doc)


def return_of(doc: SaleDocument, when: datetime) -> SaleDocument:
    """A return as the returns feature stores it: negative lines, the customer copied."""
    lines = tuple(
        dataclasses.replace(
            ln,
            qty_milli=-ln.qty_milli,
            base_cents=-ln.base_cents,
            line_discount_cents=-ln.line_discount_cents,
            cart_discount_cents=-ln.cart_discount_cents,
            amount_cents=-ln.amount_cents,
        )
        for ln in doc.lines
    )
    refund = Payment("cash", -doc.total_cents, -doc.total_cents)
    return dataclasses.replace(
        doc,
        uuid=doc.uuid[:-4] + "beef",
        created_at=when,
        lines=lines,
        taxes=(),
        payments=(refund,),
        subtotal_cents=-doc.subtotal_cents,
        total_cents=-doc.total_cents,
        tax_cents=0,
        seq=None,
        points=None,
    )


def balance(till: Till, customer_id: int) -> int:
    total = rows(
        till, "SELECT SUM(points) FROM loyalty_entry WHERE customer_id = ?", (customer_id,)
    )
    assert till.customers.ledger.balance(customer_id) == (total[0][0] or 0)
    return int(total[0][0] or 0)  # type: ignore[call-overload]


# --- at the till ---------------------------------------------------------------------------


def test_card_scan_attaches_and_the_sale_earns_points_on_the_receipt(demo_till: Till) -> None:
    cid = add_customer(demo_till, card=CARD, phone="07700 900123")
    reg = demo_till.register
    assert reg.enter(CARD).message == "Customer: Ada Lovelace"
    assert reg.cart.customer_id == cid
    reg.enter(f"7*{LOAF}")  # 7 x 1.49 = 10.43
    doc = reg.pay_cash("20")
    assert doc is not None and doc.customer_id == cid
    assert doc.points is not None and (doc.points.earned, doc.points.balance) == (10, 10)
    assert rows(demo_till, "SELECT kind, points FROM loyalty_entry") == [("earn", 10)]
    assert rows(demo_till, "SELECT customer_id FROM sale") == [(cid,)]
    text = "\n".join(demo_till.receipts.lines(doc))
    assert "Points earned" in text and "Points balance" in text
    assert "Ada" not in text and "07700" not in text  # no personal data on paper
    again = reg.find_sale("")  # a reprint reads the same points back
    assert again.points == doc.points
    # nor in the tamper-evident journal
    payloads = " ".join(str(r[0]) for r in rows(demo_till, "SELECT payload FROM journal"))
    assert "Ada" not in payloads and "07700" not in payloads


def test_unknown_card_is_refused_and_changes_nothing(demo_till: Till) -> None:
    with pytest.raises(CustomerError, match="belongs to no customer"):
        demo_till.register.enter(CARD)
    assert demo_till.register.cart.customer_id is None


def test_no_customer_no_points(demo_till: Till) -> None:
    demo_till.register.enter(LOAF)
    doc = demo_till.register.pay_cash("")
    assert doc is not None and doc.points is None
    assert rows(demo_till, "SELECT COUNT(*) FROM loyalty_entry") == [(0,)]


def test_redeem_points_as_a_payment(demo_till: Till) -> None:
    cid = add_customer(demo_till)
    demo_till.customers.ledger.adjust(cid, 5_000, "welcome", "T1", demo_till.register.clock())
    reg = demo_till.register
    demo_till.customers.attach(reg, cid)
    reg.enter(f"10*{LOAF}")  # 14.90
    assert "up to 745" in demo_till.customers.redeem_hint(reg)  # 50 % of the sale
    with pytest.raises(LoyaltyError, match="At most 745 points"):
        demo_till.customers.redeem(reg, "800")
    with pytest.raises(LoyaltyError, match="at least 100"):
        demo_till.customers.redeem(reg, "99")
    assert demo_till.customers.redeem(reg, "") is None  # the most allowed: 745 points
    assert reg.tender_state().remaining_cents == 745
    doc = reg.pay_cash("")
    assert doc is not None and doc.points is not None
    assert (doc.points.redeemed, doc.points.earned) == (745, 7)  # earned on the cash part only
    assert balance(demo_till, cid) == 5_000 - 745 + 7
    assert rows(demo_till, "SELECT kind, amount_cents, reference FROM payment ORDER BY seq") == [
        ("points", 745, "745"),
        ("cash", 745, ""),
    ]
    assert "Points (745)" in "\n".join(demo_till.receipts.lines(doc))
    assert demo_till.reports.x_report().to_dict()["tenders"] == {"cash": 745, "points": 745}


def test_redeem_needs_a_customer_and_the_points(demo_till: Till) -> None:
    reg = demo_till.register
    reg.enter(LOAF)
    with pytest.raises(LoyaltyError, match="No customer"):
        demo_till.customers.redeem(reg, "100")
    cid = add_customer(demo_till)
    demo_till.customers.attach(reg, cid)
    with pytest.raises(LoyaltyError, match="has 0 points"):
        demo_till.customers.redeem(reg, "100")
    assert reg.tender_state().payments == ()


def test_points_spent_elsewhere_before_the_commit_refuse_the_sale(demo_till: Till) -> None:
    cid = add_customer(demo_till)
    now = demo_till.register.clock()
    demo_till.customers.ledger.adjust(cid, 200, "", "T1", now)
    reg = demo_till.register
    demo_till.customers.attach(reg, cid)
    reg.enter(f"2*{LOAF}")
    demo_till.customers.redeem(reg, "100")
    demo_till.customers.ledger.adjust(cid, -150, "spent at another till", "T2", now)
    with pytest.raises(LoyaltyError, match="has 50 points now"):
        reg.pay_cash("")
    assert rows(demo_till, "SELECT COUNT(*) FROM sale") == [(0,)]  # nothing stored
    assert balance(demo_till, cid) == 50
    assert [p.kind for p in reg.tender_state().payments] == ["points", "cash"]  # kept
    reg.remove_last_payment()
    reg.remove_last_payment()
    assert reg.pay_cash("") is not None  # without the points it goes through


def test_detach_and_points_payment(demo_till: Till) -> None:
    cid = add_customer(demo_till)
    demo_till.customers.ledger.adjust(cid, 500, "", "T1", demo_till.register.clock())
    reg = demo_till.register
    demo_till.customers.attach(reg, cid)
    reg.enter(f"2*{LOAF}")
    demo_till.customers.redeem(reg, "100")
    with pytest.raises(DomainError, match="Points were redeemed"):
        reg.set_customer(None)
    reg.remove_last_payment()
    reg.set_customer(None)
    assert reg.cart.customer_id is None


# --- tiers across a year ---------------------------------------------------------------------


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def test_tier_transitions_across_a_year_of_dated_sales(demo_till: Till) -> None:
    """Bronze 0, Silver 300.00 (x1.25), Gold 1000.00 (x1.5) over the rolling 12 months."""
    cid = add_customer(demo_till)
    ledger = demo_till.customers.ledger

    def tier(day: str) -> str | None:
        found = ledger.tier(cid, at(day))
        return found.name if found else None

    def earned(day: str, cents: int) -> int:
        doc = dated_sale(demo_till, cid, cents, at(day))
        assert doc.points is not None
        return doc.points.earned

    assert tier("2025-01-10") == "Bronze"
    assert earned("2025-01-10", 40_000) == 400  # Bronze before the sale: x1
    assert tier("2025-01-11") == "Silver"  # upgraded by it
    assert earned("2025-02-01", 1_000) == 12  # 10 x 1.25 = 12.5 -> 12
    assert earned("2025-06-01", 70_000) == 875  # still Silver: 700 x 1.25
    assert tier("2025-06-02") == "Gold"  # 1,110.00 in 12 months
    assert earned("2025-07-01", 1_000) == 15  # Gold x1.5
    # A year after the first sale it leaves the window: 720.00 left, down to Silver.
    assert tier("2026-01-09") == "Gold" and tier("2026-01-10") == "Silver"
    assert earned("2026-01-11", 1_000) == 12
    # June's big sale leaves too: 20.00 left, Bronze again.
    assert tier("2026-05-31") == "Silver" and tier("2026-06-01") == "Bronze"
    assert earned("2026-06-02", 1_000) == 10
    assert balance(demo_till, cid) == 400 + 12 + 875 + 15 + 12 + 10
    badge = demo_till.customers.badge(cid)  # the till's clock: 2026-11-25
    assert badge.tier == "Bronze" and badge.balance == 1_324


def test_a_return_in_the_window_lowers_the_tier(demo_till: Till) -> None:
    cid = add_customer(demo_till)
    sale = dated_sale(demo_till, cid, 40_000, at("2026-03-01"))
    assert demo_till.customers.ledger.tier(cid, at("2026-03-02")).name == "Silver"  # type: ignore[union-attr]
    demo_till.register.store.record_sale(return_of(sale, at("2026-03-05")))
    assert demo_till.customers.ledger.tier(cid, at("2026-03-06")).name == "Bronze"  # type: ignore[union-attr]


# --- returns -----------------------------------------------------------------------------------


def test_points_are_reversed_on_return(demo_till: Till) -> None:
    cid = add_customer(demo_till)
    sale = dated_sale(demo_till, cid, 5_000, at("2026-11-01"))
    assert balance(demo_till, cid) == 50
    back = demo_till.register.store.record_sale(return_of(sale, at("2026-11-02")))
    assert back.customer_id == cid and back.points is not None
    assert back.points.earned == -50 and back.points.balance == 0
    assert rows(demo_till, "SELECT kind, points FROM loyalty_entry ORDER BY id") == [
        ("earn", 50),
        ("reversal", -50),
    ]
    assert "Points reversed" in "\n".join(demo_till.receipts.lines(back))


def test_a_return_after_the_points_were_spent_takes_the_balance_below_zero(
    demo_till: Till,
) -> None:
    cid = add_customer(demo_till)
    sale = dated_sale(demo_till, cid, 20_000, at("2026-11-01"))  # earns 200
    reg = demo_till.register
    demo_till.customers.attach(reg, cid)
    reg.enter(f"3*{LOAF}")  # 4.47
    demo_till.customers.redeem(reg, "200")
    assert reg.pay_cash("") is not None
    spent_and_earned = balance(demo_till, cid)
    assert spent_and_earned == 200 - 200 + 2  # 2.47 paid in cash earns 2
    demo_till.register.store.record_sale(return_of(sale, at("2026-11-20")))
    assert balance(demo_till, cid) == spent_and_earned - 200 < 0  # recorded, not hidden
    demo_till.customers.attach(reg, cid)
    reg.enter(LOAF)
    with pytest.raises(LoyaltyError, match=r"has -\d+ points"):
        demo_till.customers.redeem(reg, "100")
    assert "up to 0" in demo_till.customers.redeem_hint(reg)


# --- birthday ---------------------------------------------------------------------------------


def test_birthday_reward_in_the_window_once_a_year(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 20, 12, tzinfo=UTC)]
    till = open_test_till(
        Config(), tmp_path / "t.db", printer=RecordingPrinter(), clock=lambda: now[0]
    )
    try:
        cid = add_customer(till, birthday=date(1984, 11, 25))
        assert till.customers.badge(cid).birthday_offer == date(2026, 11, 25)  # 5 days before
        assert till.customers.grant_birthday(cid) == 200
        assert till.customers.badge(cid).birthday_offer is None
        with pytest.raises(LoyaltyError, match="No birthday reward"):
            till.customers.grant_birthday(cid)
        assert balance(till, cid) == 200
        now[0] = datetime(2026, 12, 3, 12, tzinfo=UTC)  # 8 days after: out of the window
        assert till.customers.badge(cid).birthday_offer is None
        now[0] = datetime(2027, 11, 25, 12, tzinfo=UTC)  # next year: again
        assert till.customers.grant_birthday(cid) == 200
        assert rows(till, "SELECT kind, points, note FROM loyalty_entry") == [
            ("birthday", 200, "2026-11-25"),
            ("birthday", 200, "2027-11-25"),
        ]
    finally:
        till.close()


# --- the open sale keeps its customer -----------------------------------------------------------


def test_customer_survives_suspend_resume_and_a_crash(tmp_path: Path, demo_template: Path) -> None:

    path = tmp_path / "till.db"
    copy_database(demo_template, path)
    till = open_test_till(Config(), path, printer=RecordingPrinter())
    cid = add_customer(till)
    till.customers.attach(till.register, cid)
    till.register.enter(LOAF)
    parked = till.register.suspend("Ada")
    assert till.register.cart.customer_id is None
    till.register.resume(parked)
    assert till.register.cart.customer_id == cid
    till.close()  # the till stops with the sale open
    again = open_test_till(Config(), path, printer=RecordingPrinter())
    try:
        assert again.register.cart.customer_id == cid
        assert len(again.register.cart.lines) == 1
    finally:
        again.close()


# --- privacy ------------------------------------------------------------------------------------


def test_export_everything_then_erase_keeps_the_books(demo_till: Till) -> None:
    cid = add_customer(
        demo_till,
        phone="07700 900123",
        email="ada@example.com",
        birthday=date(1985, 12, 10),
        notes="likes rye",
        card=CARD,
    )
    sale = dated_sale(demo_till, cid, 2_500, at("2026-11-01"))
    data = demo_till.customers.export_data(
        CARD, approval=approved(demo_till, Action.CUSTOMER_ADMIN)
    )
    assert data["profile"]["email"] == "ada@example.com"
    assert data["loyalty"]["balance"] == 25
    assert [s["sale"] for s in data["sales"]] == ["T1-000001"]
    assert data["sales"][0]["lines"][0]["amount_cents"] == 2_500
    erased = demo_till.customers.erase(
        str(cid), "request 42", approval=approved(demo_till, Action.CUSTOMER_ADMIN)
    )
    d = erased.details
    assert erased.erased and erased.name == "(erased)"
    assert (d.phone, d.email, d.birthday, d.notes, d.card) == ("", "", None, "", None)
    assert demo_till.customers.search("Ada") == [] and demo_till.customers.search("07700") == []
    assert demo_till.customers.by_card(CARD) is None
    assert rows(demo_till, "SELECT customer_id FROM sale") == [(cid,)]  # the books keep it
    assert balance(demo_till, cid) == 25
    kinds = [k for _, k, _ in demo_till.customers.store.events(cid)]
    assert kinds == ["exported", "erased"]
    with pytest.raises(CustomerError, match="already erased"):
        demo_till.customers.erase(str(cid), approval=approved(demo_till, Action.CUSTOMER_ADMIN))
    with pytest.raises(CustomerError, match="erased"):
        demo_till.customers.attach(demo_till.register, cid)
    assert sale.seq == 1


# --- profile, segments, import ------------------------------------------------------------------


def test_profile_shows_history_and_suggestions(demo_till: Till) -> None:
    cid = add_customer(demo_till)
    products = [info.product for info in demo_till.catalog.search("milk", 3)]
    bread, milk = loaf_id(demo_till), products[0].id
    for day in range(1, 5):
        dated_sale(demo_till, cid, 300, at(f"2026-10-0{day}"), bread)
        dated_sale(demo_till, cid, 120, at(f"2026-10-0{day}") + timedelta(minutes=1), milk)
    profile = demo_till.customers.profile(cid, [bread])
    assert profile.stats.visits == 8
    assert profile.stats.average_basket_cents == (4 * 300 + 4 * 120) // 8
    assert profile.stats.last_visit == at("2026-10-04") + timedelta(minutes=1)
    assert sorted(count for _, count in profile.favourites) == [4, 4]
    assert [(s.product_id, s.reason) for _, s in profile.suggestions] == [(milk, "usual")]
    assert len(profile.ledger) == 8 and profile.tier == "Bronze"


def test_segments_and_export_rows(demo_till: Till) -> None:
    a = add_customer(demo_till, "Ada Lovelace", marketing_consent=True)
    add_customer(demo_till, "Alan Turing")
    dated_sale(demo_till, a, 120_000, at("2026-08-01"))  # Gold, last seen 116 days ago
    views = {v.name: v.count for v in demo_till.customers.segments()}
    assert views["newsletter"] == 1 and views["gold-lapsed"] == 1
    rows_ = demo_till.customers.export_rows(
        "gold-lapsed", approval=approved(demo_till, Action.CUSTOMER_ADMIN)
    )
    assert [(r["name"], r["tier"], r["points"]) for r in rows_] == [("Ada Lovelace", "Gold", 1200)]
    assert (
        len(demo_till.customers.export_rows(approval=approved(demo_till, Action.CUSTOMER_ADMIN)))
        == 2
    )
    with pytest.raises(CustomerError, match="No segment named"):
        demo_till.customers.export_rows(
            "whales", approval=approved(demo_till, Action.CUSTOMER_ADMIN)
        )


def test_search_by_phone_name_and_card(demo_till: Till) -> None:
    add_customer(demo_till, "Ada Lovelace", phone="+44 7700 900123", card=CARD)
    add_customer(demo_till, "Alan Turing", phone="07700 900456")
    names = lambda text: [c.name for c in demo_till.customers.search(text)]  # noqa: E731
    assert names("900123") == ["Ada Lovelace"]
    assert names("ada") == ["Ada Lovelace"]
    assert names("a lov") == ["Ada Lovelace"]
    assert names("tur") == ["Alan Turing"]
    assert names(CARD) == ["Ada Lovelace"]
    assert names("7700") == ["Ada Lovelace", "Alan Turing"]
    assert names("%") == [] and names("") == []


def test_quick_create_and_validation(demo_till: Till) -> None:
    c = demo_till.customers.create_quick("  Grace   Hopper , 07700 900999 ")
    assert (c.name, c.details.phone) == ("Grace Hopper", "07700 900999")
    for bad, message in [(",123", "needs a name"), ("Bob, 12", "Not a phone number")]:
        with pytest.raises(CustomerError, match=message):
            demo_till.customers.create_quick(bad)
    add_customer(demo_till, "Ada", card=CARD)
    with pytest.raises(CustomerError, match="belongs to Ada"):
        demo_till.customers.create(CustomerDetails("Eve", card=CARD))


CSV_OK = """card,name,phone,email,birthday,notes,consent
2400000000013,Ada Lovelace,07700 900123,ada@example.com,1985-12-10,rye,yes
,Alan Turing,07700 900456,,,,no
"""


def test_import_customers_all_or_nothing(demo_till: Till) -> None:
    store, parser, now = demo_till.customers.store, demo_till.parser, demo_till.register.clock()
    dry = import_customers(CSV_OK.splitlines(True), store, parser, now=now, dry_run=True)
    assert (dry.created, dry.updated) == (2, 0) and store.all_customers() == []
    done = import_customers(CSV_OK.splitlines(True), store, parser, now=now)
    assert (done.created, done.updated) == (2, 0)
    again = import_customers(
        CSV_OK.replace("rye", "spelt").splitlines(True), store, parser, now=now
    )
    assert (again.created, again.updated) == (0, 2)  # matched by card, then by phone
    assert demo_till.customers.find(CARD).details.notes == "spelt"
    bad = (
        "name,phone,birthday,consent,email\n"
        "Ok Person,07700 900777,,,\n"
        ",07700 900778,,,\n"
        "Bad Date,,1985-13-01,,\n"
        "Bad Consent,,,maybe,\n"
        "Same Phone,07700 900777,,,\n"
        "Bad Mail,,,,not-an-email\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_customers(bad.splitlines(True), store, parser, now=now)
    assert [e.line for e in failed.value.errors] == [3, 4, 5, 6, 7]
    assert "phone also on line 2" in str(failed.value)
    assert len(store.all_customers()) == 2  # nothing written
    with pytest.raises(ImportFailed, match="unknown column"):
        import_customers(["name,shoe_size\n"], store, parser, now=now)
    with pytest.raises(ImportFailed, match="missing column"):
        import_customers(["phone\n"], store, parser, now=now)


def test_config_rules_reach_the_till(tmp_path: Path) -> None:
    from tui_pos.config import parse_config
    from tui_pos.demo import ensure_demo_catalog

    config = parse_config(
        '[loyalty]\ncategory_multipliers = { "Bakery" = "3" }\npoints_per_unit = 2\n'
        'tiers = [{ name = "Member", min_spend = 0, multiplier = "1" }]\n'
    )
    till = open_test_till(config, tmp_path / "t.db", printer=RecordingPrinter())
    try:
        ensure_demo_catalog(till)
        cid = add_customer(till)
        doc = dated_sale(till, cid, 1_000, at("2026-11-01"))  # the loaf is Bakery
        assert doc.points is not None and doc.points.earned == 60  # 10 x 2 x 3
        assert till.customers.badge(cid).tier == "Member"
    finally:
        till.close()


def test_loyalty_off_keeps_the_customer_but_no_points(tmp_path: Path) -> None:
    from tui_pos.config import parse_config
    from tui_pos.demo import ensure_demo_catalog

    till = open_test_till(parse_config("[loyalty]\nenabled = false\n"), tmp_path / "t.db")
    try:
        ensure_demo_catalog(till)
        cid = add_customer(till)
        doc = dated_sale(till, cid, 1_000, at("2026-11-01"))
        assert doc.customer_id == cid and doc.points is None
        assert rows(till, "SELECT COUNT(*) FROM loyalty_entry") == [(0,)]
    finally:
        till.close()


def test_demo_customers_have_a_history_on_another_till(demo_till: Till) -> None:
    from tui_pos.demo.customers import HISTORY_TILL, demo_card, ensure_demo_customers

    assert ensure_demo_customers(demo_till, count=4)
    assert not ensure_demo_customers(demo_till, count=4)  # once
    first = demo_till.customers.by_card(demo_card(1))
    assert first is not None
    badge = demo_till.customers.badge(first.id)
    assert badge.birthday_offer == demo_till.register.clock().date() and badge.balance > 0
    profile = demo_till.customers.profile(first.id)
    assert profile.stats.visits > 5 and profile.favourites and profile.suggestions
    assert rows(demo_till, "SELECT DISTINCT till FROM sale") == [(HISTORY_TILL,)]
    assert demo_till.print_queue.jobs.pending(HISTORY_TILL) == []
    with pytest.raises(DomainError, match="No sale yet"):
        demo_till.register.last_completed()  # this till starts at sale 1
    names = [c.name for c in demo_till.customers.store.all_customers()]
    assert len(set(names)) == len(names) == 4


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_customers_file_is_refused_clearly_or_parsed(text: str) -> None:
    from tui_pos.bootstrap import barcode_parser
    from tui_pos.services.customer_import import parse_customers

    try:
        records = parse_customers(
            ("name,phone,birthday,consent,card\n" + text).splitlines(True), barcode_parser(Config())
        )
    except ImportFailed as exc:
        assert exc.errors and all(e.line >= 1 for e in exc.errors)
    else:
        assert all(details.name for _, details in records)


def test_a_card_takes_no_quantity_but_keeps_one_typed_before(demo_till: Till) -> None:
    from tui_pos.domain.errors import QuantityError

    cid = add_customer(demo_till, card=CARD)
    reg = demo_till.register
    with pytest.raises(QuantityError, match="no quantity"):
        reg.enter(f"3*{CARD}")
    assert reg.cart.customer_id is None
    reg.enter("3*")
    assert reg.enter(CARD).line is None and reg.cart.customer_id == cid
    assert reg.pending_qty == "3"  # still there for the next item
    assert reg.enter(LOAF).line.qty_milli == 3000
