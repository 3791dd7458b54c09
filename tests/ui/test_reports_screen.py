"""Pilot test of the reports screen: opened from the register with Ctrl+R, keys only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from tests.support.sales_generator import (
    FIRST_DAY,
    Generated,
    MovingClock,
    generate,
    open_generated_till,
)
from tests.support.settle import settle
from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.keymap_check import binding_ids
from tui_pos.screens.dialogs import PromptScreen
from tui_pos.screens.register import RegisterScreen
from tui_pos.screens.reports import ReportsScreen


@pytest.fixture
def sold(tmp_path: Path, demo_template: Path) -> Iterator[tuple[Till, Generated]]:
    clock = MovingClock(FIRST_DAY)
    till = open_generated_till(demo_template, tmp_path / "till.db", clock)
    made = generate(till, clock, seed=3, sales=40)
    clock.now = FIRST_DAY + timedelta(days=1, hours=12)  # "today" for the screen
    yield till, made
    till.close()


def reports_screen(app) -> ReportsScreen:
    assert isinstance(app.screen, ReportsScreen)
    return app.screen


async def test_reports_screen_by_keyboard(sold: tuple[Till, Generated]) -> None:
    till, made = sold
    days = sorted({d.created_at.astimezone().date() for d in made.docs})
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen = reports_screen(app)
        assert screen.report is not None and screen.report.kind == "hour"
        assert screen.report.period.first == till.analysis.today()
        chart = screen.query_one("#reports-chart", PlotextPlot)
        assert chart.display  # sales by hour is drawn

        # d: the whole range of the generated sales; the table shows the same totals.
        await pilot.press("d")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+u", *f"{days[0]} {days[-1]}", "enter")
        await settle(pilot)
        screen = reports_screen(app)
        report = screen.report
        assert report is not None and (report.period.first, report.period.last) == (
            days[0],
            days[-1],
        )
        done = [d for d in made.docs if d.status == "completed"]
        assert report.total("sales") == len(done)
        assert report.total("net_cents") == sum(d.subtotal_cents - d.discount_cents for d in done)
        table = screen.query_one("#reports-table", DataTable)
        assert table.row_count == len(report.rows) + 1  # and the totals row
        assert chart.display

        # 3: top sellers, no chart; 0: no-sales.
        await pilot.press("3")
        await settle(pilot)
        assert screen.report is not None and screen.report.kind == "item"
        assert not chart.display
        assert [str(c.label) for c in table.columns.values()][0] == "Item"
        await pilot.press("0")
        await settle(pilot)
        assert screen.report is not None and screen.report.kind == "no-sales"
        assert screen.report.rows
        assert "No-sales" in str(screen.query_one("#reports-menu", Static).render())

        # A bad range keeps the dialog open and changes nothing.
        await pilot.press("d", "ctrl+u", *"2026-03-09 2026-03-01", "enter")
        assert isinstance(app.screen, PromptScreen)
        assert "before it starts" in str(app.screen.query_one("#prompt-error", Static).render())
        await pilot.press("escape")
        assert reports_screen(app).report is screen.report

        # p: the days just before: nothing sold, and the screen says so.
        await pilot.press("1", "p")
        await settle(pilot)
        assert screen.report is not None and screen.report.is_empty
        message = str(screen.query_one("#reports-message", Static).render())
        assert message.startswith("No sales from")
        assert not chart.display

        await pilot.press("escape")
        assert isinstance(app.screen, RegisterScreen)
        assert app.focused is app.screen.entry


def test_report_keys_are_remappable() -> None:
    ids = binding_ids()
    assert {"reports", "report-hour", "report-no-sales", "report-dates", "reports-close"} <= ids
