"""Text is never markup: names, codes, reasons and config values with ``[`` ``]`` in them are
shown exactly as they are on every screen, and never crash the register.

The walk imports products, customers and staff named with markup, sets a markup store
name, then drives the real app by keys through every screen that shows them, typing
markup into every input on the way. A hypothesis test runs the same walk on generated
markup. ``screen_text`` reads what the terminal would show (the compositor's strips).
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Input
from textual.widgets._toast import Toast, ToastRack

from tests.support.approvals import approved
from tests.support.settle import settle
from tests.support.tills import TEST_PIN_COST
from tui_pos.app import PosApp, build_app
from tui_pos.bootstrap import Till, open_till
from tui_pos.cli import main
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.domain.barcode import gtin_check_digit
from tui_pos.domain.staff import Action, Role
from tui_pos.drivers.file_printer import FilePrinter
from tui_pos.screens.authorize import LoginScreen
from tui_pos.screens.dialogs import PromptScreen
from tui_pos.screens.register import RegisterScreen
from tui_pos.screens.returns import ReturnScreen
from tui_pos.screens.search import SearchScreen
from tui_pos.services.customer_import import import_customers
from tui_pos.services.product_import import import_products

#: Markup-laden words: tags, closers, escapes, actions, template variables.
MARKUP = (
    st.lists(
        st.sampled_from(
            [
                "[",
                "]",
                "[/]",
                "[/b]",
                "[b]",
                "[i",
                "[red]",
                "[/red]",
                "[link=x]",
                "[@click=app.bell]",
                "\\",
                "$x",
                "$",
                "=",
                "a",
                "Z",
                "7",
                "/",
                "[drawer]",
                "[#f00]",
                "[on red]",
            ]
        ),
        min_size=1,
        max_size=5,
    )
    .map("".join)
    .filter(lambda m: len(m) <= 20)
)  # the receipt (42 columns) wraps longer names

BARCODE = "2000000000008"[:12]
CODE = BARCODE + str(gtin_check_digit(BARCODE))


def _clock() -> datetime:
    return datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


def screen_text(app: PosApp) -> str:
    """What the active screen's own widgets show, as plain text (a modal's background is
    not included; toasts are)."""
    lines: list[str] = []
    for widget in app.screen.walk_children(Widget, with_self=False):
        if isinstance(widget, Toast):  # rendered whole: a toast may be taller than its rack
            lines.append(str(widget.render()))
        elif widget.display and widget.size.area and not isinstance(widget, ToastRack):
            lines += [strip.text for strip in widget.render_lines(Region(0, 0, *widget.size))]
    # Toasts and dialogs wrap long lines: compare with whitespace and borders collapsed.
    return " ".join(" ".join(line.strip(" ▌▐│") for line in lines).split())


def _csv(header: list[str], row: list[str]) -> list[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerow(row)
    return out.getvalue().splitlines(keepends=True)


def open_markup_till(folder: Path, m: str) -> Till:
    """A store named ``m shop`` with a product, a customer and a manager named with ``m``,
    printing to a folder that cannot exist (so the print queue fills up)."""
    config = Config()
    config = replace(config, store=replace(config.store, name=f"{m} shop"))
    till = open_till(
        config,
        folder / "till.db",
        printer=FilePrinter(Path("/proc/no-such-folder") / m / "receipts.txt"),
        clock=_clock,
        pin_cost=TEST_PIN_COST,
    )
    ensure_demo_catalog(till)
    rows = _csv(
        ["barcode", "name", "price", "tax", "category", "stock", "reorder_level"],
        [CODE, f"Zq {m} bag", "2.00", till.config.taxes[0].code, f"Cat {m}", "3", "5"],
    )
    import_products(
        rows,
        till.catalog_writer,
        [t.code for t in till.config.taxes],
        till.parser,
        till=till.config.store.till,
        now=_clock(),
    )
    people = _csv(
        ["name", "phone", "notes", "preferences"], [f"Cu {m}", "0123456789", f"N {m}", f"P {m}"]
    )
    import_customers(people, till.customers.store, till.parser, now=_clock())
    till.staff.add_employee(
        "7", f"Em {m}", Role.MANAGER, "2468", approval=approved(till, Action.STAFF_ADMIN)
    )
    return till


async def _type(pilot, text: str) -> None:
    await pilot.press(*text, "enter")
    await pilot.pause()


async def _settle(app: PosApp, pilot) -> None:
    await pilot.pause()
    await settle(pilot)


def _keys(text: str) -> list[str]:
    """``text`` as pilot key names (Pilot.press takes a character or a key name)."""
    names = {" ": "space", "[": "left_square_bracket", "]": "right_square_bracket"}
    return [names.get(c, c) for c in text]


async def _enter(pilot, text: str) -> None:
    await pilot.press(*_keys(text), "enter")
    await pilot.pause()


async def walk(m: str, folder: Path) -> None:
    """Every screen that shows the product, customer, employee or store named with ``m``."""
    till = open_markup_till(folder, m)
    app = build_app(till)
    try:
        async with app.run_test(size=(200, 60), notifications=True) as pilot:
            await _settle(app, pilot)
            assert isinstance(app.screen, LoginScreen)
            assert f"{m} shop: log in" in screen_text(app)
            await _enter(pilot, "7")
            await _enter(pilot, "2468")
            await _settle(app, pilot)  # the PIN is checked in a worker
            if isinstance(app.screen, PromptScreen):  # the opening float
                await _enter(pilot, "0")
            await _settle(app, pilot)
            register = app.screen
            assert isinstance(register, RegisterScreen)
            shown = screen_text(app)
            assert f"{m} shop" in shown and f"Em {m}" in shown  # store bar, greeting

            # Markup typed on the sale screen: words open the search with them as typed
            # (a code that is none is refused); either way it stays text.
            await _enter(pilot, m)
            if isinstance(app.screen, SearchScreen):
                assert app.screen.query_one("#search-input", Input).value == m.strip()
                await pilot.press("escape")
                await pilot.pause()
            assert isinstance(app.screen, RegisterScreen)
            # The product by its barcode: the cart line.
            await _enter(pilot, CODE)
            assert f"Zq {m} bag" in screen_text(app)

            # F3 price check by code: name and category.
            await pilot.press("f3")
            await _enter(pilot, CODE)
            shown = screen_text(app)
            assert f"Zq {m} bag" in shown and f"Cat {m}" in shown
            await _enter(pilot, m)  # markup typed into the price check
            await pilot.press("escape")

            # F2 find by name: the result row; Enter adds it.
            await pilot.press("f2")
            await pilot.press(*_keys("Zq"))
            await _settle(app, pilot)
            assert f"Zq {m} bag" in screen_text(app)
            await pilot.press("enter")
            await pilot.pause()
            assert len(till.register.cart.lines) == 2

            # Discount prompt: its title names the product; markup typed is refused (a
            # plain number such as "7" is a discount: taken, and the prompt closes).
            await pilot.press("f4")
            await pilot.pause()
            assert f"Zq {m} bag" in screen_text(app)
            await _enter(pilot, m)
            if m.strip().isdigit():
                assert isinstance(app.screen, RegisterScreen)
            else:
                assert isinstance(app.screen, PromptScreen)
                await pilot.press("escape")

            # Ctrl+U: markup typed as a search; the customer in the results, then the
            # profile (notes), then attach.
            await pilot.press("ctrl+u")
            await pilot.press(*_keys(m))
            await _settle(app, pilot)
            await pilot.press(*["backspace"] * len(m), *_keys("Cu"))
            await _settle(app, pilot)
            assert f"Cu {m}" in screen_text(app)
            await pilot.press("f4")
            await _settle(app, pilot)
            shown = screen_text(app)
            assert f"Cu {m}" in shown and f"N {m}" in shown and f"P {m}" in shown
            await pilot.press("escape")
            await pilot.press("enter")
            await _settle(app, pilot)
            assert isinstance(app.screen, RegisterScreen)
            assert f"Cu {m}" in screen_text(app)  # the badge

            # Park with a markup label, then resume it from the list.
            await pilot.press("f6")
            await _enter(pilot, f"L {m}")
            assert till.register.cart.is_empty
            await pilot.press("f7")
            await pilot.pause()
            assert f"L {m}"[:40] in screen_text(app)  # a label is kept to 40 characters
            await pilot.press("enter")
            await pilot.pause()
            assert len(till.register.cart.lines) == 2

            # Pay: markup typed as an amount is refused; then exact cash.
            await pilot.press("f10")
            await _enter(pilot, m)
            await pilot.press("enter")
            await _settle(app, pilot)
            assert isinstance(app.screen, RegisterScreen)
            assert till.register.cart.is_empty
            # The receipt could not be printed: the toast quotes the folder, markup and all.
            assert m in screen_text(app)

            # F11 receipt preview.
            await pilot.press("f11")
            await pilot.pause()
            assert f"Zq {m} bag" in screen_text(app)
            await pilot.press("escape")

            # Ctrl+P print queue: the waiting receipt with the printer's error.
            await pilot.press("ctrl+p")
            await _settle(app, pilot)
            assert m in screen_text(app)
            await pilot.press("escape")
            await _settle(app, pilot)

            # Ctrl+B returns: markup typed as a receipt number is refused; the sale's lines.
            await pilot.press("ctrl+b")
            await _enter(pilot, m)
            assert isinstance(app.screen, ReturnScreen)
            await _enter(pilot, "1")
            assert f"Zq {m} bag" in screen_text(app)
            await pilot.press("escape")

            # Ctrl+G stock: a count shows the product; low stock lists it (3 <= 5).
            await pilot.press("ctrl+g")
            await pilot.press("c")
            await _enter(pilot, m)  # not a code: refused, shown as typed
            await _enter(pilot, CODE)
            assert f"Zq {m} bag" in screen_text(app)
            await pilot.press("escape")  # back to the stock menu
            await pilot.press("l")
            await _settle(app, pilot)
            assert f"Zq {m} bag" in screen_text(app)
            await pilot.press("escape", "escape")

            assert isinstance(app.screen, RegisterScreen), app.screen
            # Ctrl+R reports: items and employees.
            await pilot.press("ctrl+r")
            await pilot.press("3")
            await _settle(app, pilot)
            assert f"Zq {m} bag" in screen_text(app)
            await pilot.press("4")
            await _settle(app, pilot)
            assert f"Em {m}" in screen_text(app)
            await pilot.press("escape")

            # Ctrl+K: cash out with a markup reason, then the audit log shows it.
            await pilot.press("ctrl+k")
            await pilot.press("o")
            await _enter(pilot, "1.00")
            await _enter(pilot, f"R {m}")
            await _settle(app, pilot)
            await pilot.press("ctrl+k")
            await pilot.press("a")
            await _settle(app, pilot)
            shown = screen_text(app)
            assert f"Em {m}" in shown
            await pilot.press("escape")

            # No drawer configured: the message keeps its "[drawer]".
            await pilot.press("ctrl+o")
            await _settle(app, pilot)
            assert "([drawer] in the config)" in screen_text(app), screen_text(app)

            # Ctrl+L locks: the log-in screen again with the store name and who left.
            await pilot.press("ctrl+l")
            await pilot.pause()
            shown = screen_text(app)
            assert f"{m} shop: log in" in shown and f"Em {m}" in shown
        assert app.return_code in (None, 0)
    finally:
        till.close()


@settings(
    max_examples=2,  # on top of the repros of issue 11 given as examples (a walk is slow)
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(m=MARKUP)
@example(m="Tea [/] bag")
@example(m="x[/b]")
@example(m="[drawer] [red]x[/red]")
@example(m="[@click=app.quit]q $x \\[")
@example(m="7")  # a discount, not markup (found by a run that explored)
async def test_markup_names_show_as_text_on_every_screen(m: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        await walk(m, Path(folder))


def test_cli_tables_show_markup_names_as_text(tmp_path: Path, monkeypatch) -> None:
    """The CLI's Rich tables (the X report, the items report) print names as they are."""
    m = "Tea [/] bag [red]x"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    monkeypatch.delenv("TUI_POS_CONFIG", raising=False)  # naming a missing file is an error
    till = open_markup_till(tmp_path, m)
    till.register.cashier = till.staff.log_in("7", "2468")
    till.register.enter(CODE)
    till.register.pay_cash("")
    till.close()
    db = str(tmp_path / "till.db")
    runner = CliRunner()
    x = runner.invoke(main, ["--db", db, "report", "x", "--by", "7"], input="2468\n")
    assert x.exit_code == 0, x.output
    items = runner.invoke(
        main,
        ["--db", db, "report", "sales", "--by", "item", "--date", "2026-11-25", "--as", "7"],
        input="2468\n",
        env={"COLUMNS": "200"},
    )
    assert items.exit_code == 0, items.output
    assert f"Zq {m} bag" in items.output, items.output
