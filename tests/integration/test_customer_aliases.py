"""A profile the store server joined into another, at a real SQLite till: its rows
re-pointed (renamed when the survivor is new here, moved when both are known), its uuid
and cards naming the survivor afterwards, and other tills' spend counted once."""

from __future__ import annotations

from typing import Any

from tui_pos.bootstrap import Till
from tui_pos.demo.customers import demo_card
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.customer_merge import CustomerDocument
from tui_pos.models.customer_aliases import customer_by_card
from tui_pos.models.customer_stamps import apply_document
from tui_pos.models.journal_verify import verify_journal
from tui_pos.models.unit_of_work import writing
from tui_pos.sync.customer_topics import apply_customer_merge, apply_spend

LOAF = "5900000000015"
SURVIVOR = "5" * 32
LATER = "1900000000000.00000.S02/T1"  # a stamp after any the test till writes


def sell(till: Till, card: str, loaves: int) -> None:
    till.customers.attach_card(till.register, card)
    till.register.enter(f"{loaves}*{LOAF}")
    assert till.register.pay_cash("") is not None


def merge(till: Till, loser: str, survivor: str, cards: list[str]) -> int:
    change: dict[str, Any] = {
        "id": 7,
        "topic": "customer_merge",
        "key": loser,
        "till": "T1",
        "store": "S02",
        "body": {"uuid": loser, "into": survivor, "rule": "email", "cards": cards},
    }
    with writing(till.db, "T1"):
        return apply_customer_merge(till.db, change)


def test_a_loser_alone_here_takes_the_survivors_uuid_with_all_its_rows(demo_till: Till) -> None:
    card = demo_card(71)
    ada = demo_till.customers.create(CustomerDetails(name="Ada", card=card))
    sell(demo_till, card, 5)
    before = demo_till.customers.profile(ada.id)
    assert merge(demo_till, ada.uuid, SURVIVOR, []) == 1
    renamed = demo_till.customers.get(ada.id)
    assert renamed.uuid == SURVIVOR  # the same row: sales, ledger and history follow
    after = demo_till.customers.profile(ada.id)
    assert (after.stats, after.ledger) == (before.stats, before.ledger)
    assert merge(demo_till, ada.uuid, SURVIVOR, []) == 0  # applied twice: nothing new
    with writing(demo_till.db, "T1"):  # a later document naming the loser lands here
        apply_document(
            demo_till.db, CustomerDocument(ada.uuid, {"notes": ("likes tea", LATER)}, None, ())
        )
    assert demo_till.customers.get(ada.id).details.notes == "likes tea"
    one = demo_till.db.execute_sql("SELECT count(*) FROM customer WHERE uuid = ?", (SURVIVOR,))
    assert one.fetchone()[0] == 1  # no second profile made for the survivor
    assert verify_journal(demo_till.db)[0] == []


def test_both_known_here_the_loser_points_card_and_search_go_to_the_survivor(
    demo_till: Till,
) -> None:
    card_l, card_s = demo_card(72), demo_card(73)
    loser = demo_till.customers.create(CustomerDetails(name="Bo Loser", card=card_l))
    survivor = demo_till.customers.create(CustomerDetails(name="Bo Kept", card=card_s))
    sell(demo_till, card_l, 4)
    sell(demo_till, card_s, 2)
    ledger = demo_till.customers.ledger
    total = ledger.balance(loser.id) + ledger.balance(survivor.id)
    assert merge(demo_till, loser.uuid, survivor.uuid, [card_l]) == 1
    assert merge(demo_till, loser.uuid, survivor.uuid, [card_l]) == 0
    assert (ledger.balance(loser.id), ledger.balance(survivor.id)) == (0, total)
    for card in (card_l, card_s):  # the loser's card names the survivor
        assert customer_by_card(demo_till.db, card) == survivor.id
        found = demo_till.customers.by_card(card)
        assert found is not None and found.id == survivor.id
    assert [c.id for c in demo_till.customers.search("Bo", 10)] == [survivor.id]
    assert verify_journal(demo_till.db)[0] == []  # the moving rows are sealed


def test_other_tills_spend_counts_once_for_visits_spend_and_tier(demo_till: Till) -> None:
    card = demo_card(74)
    di = demo_till.customers.create(CustomerDetails(name="Di", card=card))
    now = demo_till.customers.clock().isoformat()  # the test till's fixed clock

    def pulled(uuid: str, cents: int, channel: str, change_id: int) -> int:
        change = {
            "id": change_id,
            "topic": "spend",
            "key": card,
            "till": "T2" if channel == "till" else "web:WEB1",
            "store": "S01",
            "body": {"uuid": uuid, "total_cents": cents, "at": now, "channel": channel},
        }
        with writing(demo_till.db, "T1"):
            return apply_spend(demo_till.db, change)

    assert pulled("s1", 20_000, "till", 1) == 1
    assert pulled("WEB-1", 15_000, "web", 2) == 1
    assert pulled("s1", 20_000, "till", 3) == 0  # sent again: held once
    stats = demo_till.customers.profile(di.id).stats
    assert (stats.visits, stats.spend_cents, stats.spend_12m_cents) == (2, 35_000, 35_000)
    assert demo_till.customers.badge(di.id).tier == "Silver"  # 350.00 of 300.00
    unknown = {"id": 4, "topic": "spend", "key": demo_card(75), "till": "T2", "store": "S01"}
    with writing(demo_till.db, "T1"):  # a card unknown here is skipped
        assert apply_spend(demo_till.db, {**unknown, "body": {"uuid": "x", "total_cents": 1}}) == 0
