"""Pilot tests: attaching a customer, creating one mid-sale, redeeming points, the profile,
segments and the birthday offer, all by keys on the real app."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from tests.support.settle import settle
from tests.support.tills import fixed_clock, open_test_till
from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.domain.customer import CustomerDetails
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.keymap_check import binding_ids
from tui_pos.screens.customer import CustomerScreen
from tui_pos.screens.customer_edit import EditCustomerScreen
from tui_pos.screens.customer_profile import ProfileScreen, profile_renderable
from tui_pos.screens.dialogs import ConfirmScreen, PromptScreen
from tui_pos.screens.register import RegisterScreen
from tui_pos.screens.segments import SegmentsScreen
from tui_pos.screens.tender import TenderScreen

LOAF = "5900000000015"  # White Loaf 800g, 1.49
CARD = "2400000000013"


@pytest.fixture
def printer() -> RecordingPrinter:
    return RecordingPrinter()


@pytest.fixture
def till(tmp_path: Path, printer: RecordingPrinter) -> Iterator[Till]:
    # A file: searches and profiles run in worker threads with their own connections.
    opened = open_test_till(Config(), tmp_path / "till.db", printer=printer, clock=fixed_clock)
    ensure_demo_catalog(opened)
    yield opened
    opened.close()


def rows(till: Till, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(till.db_path) as conn:
        return conn.execute(sql).fetchall()


def badge_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, RegisterScreen)
    return str(screen.query_one("#customer-badge").render())


async def test_find_by_phone_and_attach_with_enter(till: Till) -> None:
    ada = till.customers.create(CustomerDetails("Ada Lovelace", phone="07700 900123")).id
    till.customers.create(CustomerDetails("Alan Turing", phone="07700 900456"))
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*LOAF, "enter")
        await pilot.press("ctrl+u")
        assert isinstance(app.screen, CustomerScreen)
        await pilot.press(*"900123")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert till.register.cart.customer_id == ada
        assert "Ada Lovelace" in badge_text(app) and "Points 0" in badge_text(app)
        assert "Customer: Ada Lovelace" in str(app.screen.query_one("#message").render())
        # F8 in the customer dialog takes the customer off again.
        await pilot.press("ctrl+u", "f8")
        await pilot.pause()
        assert till.register.cart.customer_id is None
        assert not app.screen.query_one("#customer-badge").display


async def test_new_customer_in_a_few_keystrokes(till: Till) -> None:
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+u", "ctrl+n")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"Grace Hopper, 07700 900999", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        customer_id = till.register.cart.customer_id
        assert customer_id is not None
        assert till.customers.get(customer_id).details.phone == "07700 900999"


async def test_scan_a_card_then_pay_partly_with_points(
    till: Till, printer: RecordingPrinter
) -> None:
    ada = till.customers.create(CustomerDetails("Ada Lovelace", card=CARD)).id
    till.customers.ledger.adjust(ada, 1_000, "welcome", "T1", fixed_clock())
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*CARD, "enter")  # a wedge scanner types the card
        assert till.register.cart.customer_id == ada
        assert "Points 1,000" in badge_text(app) and "Bronze" in badge_text(app)
        await pilot.press(*f"10*{LOAF}", "enter")  # 14.90
        await pilot.press("f10")
        assert isinstance(app.screen, TenderScreen)
        await pilot.press("f4")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"900", "enter")  # more than half the sale: refused, stays open
        assert isinstance(app.screen, PromptScreen)
        assert "At most 745" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("enter")  # empty = the most allowed
        await pilot.pause()
        assert isinstance(app.screen, TenderScreen)
        assert till.register.tender_state().remaining_cents == 745
        await pilot.press("enter")  # exact cash for the rest
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
    assert rows(till, "SELECT kind, amount_cents FROM payment ORDER BY seq") == [
        ("points", 745),
        ("cash", 745),
    ]
    assert rows(till, "SELECT kind, points FROM loyalty_entry ORDER BY id") == [
        ("adjust", 1000),
        ("redeem", -745),
        ("earn", 7),
    ]
    receipt = "\n".join(printer.receipts[0])
    assert "Points redeemed" in receipt and "Points balance" in receipt and "262" in receipt


async def test_points_key_is_off_without_a_customer(till: Till) -> None:
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*LOAF, "enter", "f10")
        assert isinstance(app.screen, TenderScreen)
        await pilot.press("f4")
        assert isinstance(app.screen, TenderScreen)  # nothing opened
        assert till.register.tender_state().payments == ()


async def test_birthday_offer_when_attached(till: Till) -> None:
    ada = till.customers.create(
        CustomerDetails("Ada Lovelace", card=CARD, birthday=date(1990, 11, 27))
    ).id
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*CARD, "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert "Points 200" in badge_text(app)
    assert till.customers.ledger.balance(ada) == 200
    assert rows(till, "SELECT kind, note FROM loyalty_entry") == [("birthday", "2026-11-27")]


async def test_profile_and_segments_screens(till: Till, tmp_path: Path) -> None:
    ada = till.customers.create(
        CustomerDetails("Ada Lovelace", phone="07700 900123", marketing_consent=True)
    ).id
    till.register.set_customer(ada)
    till.register.enter(LOAF)
    till.register.pay_cash("")
    app = build_app(till)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+u", *"Ada")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert app.screen.profile is not None and app.screen.profile.stats.visits == 1
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(profile_renderable(app.screen.profile))
        body = console.export_text()
        assert "Ada Lovelace" in body and "White Loaf 800g" in body and "earn" in body
        await pilot.press("escape", "f6")
        await settle(pilot)
        assert isinstance(app.screen, SegmentsScreen)
        names = [v.name for v in app.screen.segments]
        newsletter = names.index("newsletter")
        await pilot.press(*["down"] * newsletter, "f5")
        await settle(pilot)
        exported = list((tmp_path / "exports").glob("customers-newsletter-*.csv"))
        assert len(exported) == 1
        assert "Ada Lovelace" in exported[0].read_text()
        assert exported[0].stat().st_mode & 0o077 == 0  # personal data: owner only


def test_new_keys_are_remappable() -> None:
    ids = binding_ids()
    for key in ("customer", "tender-points", "customer-new", "profile-birthday"):
        assert key in ids


async def test_edit_the_profile(till: Till) -> None:
    ada = till.customers.create(CustomerDetails("Ada Lovelace", phone="07700 900123")).id
    till.register.set_customer(ada)
    app = build_app(till)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+u", "f4")
        await settle(pilot)
        await pilot.press("f2")
        assert isinstance(app.screen, EditCustomerScreen)
        await pilot.press("enter", "enter")  # name, phone: unchanged
        await pilot.press(*"ada@example", "ctrl+s")  # a bad email: refused, stays open
        assert isinstance(app.screen, EditCustomerScreen)
        assert "Not an email" in str(app.screen.query_one("#edit-error").render())
        await pilot.press(*".com", "enter", *"1985-12-10", "enter", "enter", *"oat milk")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
    details = till.customers.get(ada).details
    assert (details.email, details.birthday, details.preferences) == (
        "ada@example.com",
        date(1985, 12, 10),
        "oat milk",
    )
