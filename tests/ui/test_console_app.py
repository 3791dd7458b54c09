"""The till on its own console, in the app: keys, tables by width, blind count, kiosk quit,
cashier speed (weight asked for, names searched, optional card reference)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from tests.support.approvals import approved
from tests.support.settle import settle
from tests.support.tills import copy_database, fixed_clock, open_test_till
from tui_pos.app import PosApp, build_app
from tui_pos.bootstrap import Till
from tui_pos.config import Config, load_config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.domain.errors import ConfigError, TenderError
from tui_pos.domain.report_rows import report_rows
from tui_pos.domain.staff import Action, Role
from tui_pos.domain.tender import Tender
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.keymap_check import all_screens, conflicts
from tui_pos.screens.authorize import OverrideScreen
from tui_pos.screens.dialogs import PromptScreen
from tui_pos.screens.register import RegisterScreen
from tui_pos.screens.search import SearchScreen
from tui_pos.widgets.fitted_table import FitColumn, choose_columns


def test_no_two_bindings_of_any_screen_share_a_key() -> None:
    assert conflicts(all_screens(), PosApp.BINDINGS, {}) == []


def test_a_keymap_conflict_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "till.toml"
    path.write_text('[store]\nname = "Shop"\n\n[keymap]\nsearch = "f10"\n', encoding="utf-8")
    config = load_config(path)
    with pytest.raises(ConfigError) as refused:
        conflicts_checked(config)
    message = str(refused.value)
    assert f"{path} line 5" in message and "keymap.search" in message
    assert '"f10" is already "Pay" (tender)' in message
    # Moving Pay away as well is fine: one key, one action again.
    path.write_text('[keymap]\nsearch = "f10"\ntender = "f2"\n', encoding="utf-8")
    conflicts_checked(load_config(path))


def conflicts_checked(config: Config) -> None:
    from tui_pos.keymap_check import check_keymap

    check_keymap(config.keymap, config.source)


def test_columns_are_chosen_by_width() -> None:
    columns = [
        FitColumn("Item"),
        FitColumn("Code"),
        FitColumn("Quantity", numeric=True),
        FitColumn("Net sales", numeric=True),
    ]
    rows = [["Milk Chocolate 100g Premium", "5900000001234", "101", "333.51"]]
    shown, widths = choose_columns(columns, rows, 50)
    assert shown == [0, 2, 3] and widths[0] == 27  # the numbers and the whole name first
    shown, widths = choose_columns(columns, rows, 30)
    assert shown == [0, 2] and widths[0] >= 12  # the name cut, never the numbers first
    assert choose_columns(columns, rows, 200)[0] == [0, 1, 2, 3]


def test_the_card_reference_can_be_optional() -> None:
    tender = Tender(500)
    with pytest.raises(TenderError):
        tender.pay_card(None, "")
    tender.card_reference_required = False
    assert tender.pay_card(None, "").reference == ""


def test_a_blind_counter_does_not_see_the_cash_expected(demo_till: Till) -> None:
    report = demo_till.reports.x_report()
    seen = dict(report_rows(report))
    blind = dict(report_rows(report, blind=True))
    assert seen["Cash expected"] != "(blind count)"
    assert blind["Cash expected"] == "(blind count)"
    assert all("(blind count)" not in v for k, v in blind.items() if "cash" not in k.lower())


@pytest.fixture
def shop(tmp_path: Path, demo_template: Path) -> Till:
    path = copy_database(demo_template, tmp_path / "till.db")
    till = open_test_till(Config(), path, printer=RecordingPrinter(), clock=fixed_clock)
    ensure_demo_catalog(till)
    return till


async def test_weight_is_asked_for_and_names_are_searched(shop: Till) -> None:
    app = build_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"4011", "enter")  # bananas, by PLU, no weight
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen) and "Bananas" in app.screen.title_text
        await pilot.press(*"abc", "enter")  # a bad weight: the dialog stays, nothing added
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen) and shop.register.cart.is_empty
        await pilot.press(*"0.512", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        (line,) = shop.register.cart.lines
        assert line.name == "Bananas" and line.qty_milli == 512
        await pilot.press(*"dark choc", "enter")  # words, not a code: the search opens
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one("#search-input", Input).value == "dark choc"
    shop.close()


async def test_quitting_needs_the_quit_permission(shop: Till) -> None:
    shop.staff.add_employee(
        "7", "Casey Cashier", Role.CASHIER, "8642", approval=approved(shop, Action.STAFF_ADMIN)
    )
    cashier = shop.staff.log_in("7", "8642")
    shop.register.cashier = cashier
    app = build_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)  # a cashier may not leave a kiosk
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen) and app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press(*"1", "enter", *"2468", "enter")  # the manager approves
        await pilot.pause()
        assert not app.is_running
    shop.close()
