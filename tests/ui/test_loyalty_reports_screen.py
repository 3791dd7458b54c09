"""Pilot test of the Loyalty page of the reports screen (Ctrl+R, then ``l``)."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable
from textual_plotext import PlotextPlot

from tests.support.loyalty_history import History
from tests.support.settle import settle
from tests.support.tills import FIXED_NOW
from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.screens.reports import ReportsScreen


async def test_loyalty_page_steps_through_its_reports(till: Till) -> None:
    h = History(till.db)
    member = h.customer(FIXED_NOW - timedelta(hours=5))
    h.sale(FIXED_NOW - timedelta(hours=3), 1500, member)
    h.sale(FIXED_NOW - timedelta(hours=2), 2500, member)
    h.sale(FIXED_NOW - timedelta(hours=1), 990)
    h.points(member, 40, "earn", FIXED_NOW - timedelta(hours=2))
    app = build_app(till)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        report = screen.report
        assert report is not None and report.kind == "summary"
        raw = {row[0]: row[3] for row in report.rows}
        assert (raw["member_visits"], raw["member_atv"], raw["guest_atv"]) == (2, 2000, 990)
        table = screen.query_one("#reports-table", DataTable)
        assert table.row_count == len(report.rows)
        await pilot.press("l")
        await settle(pilot)
        await pilot.pause()
        assert screen.report is not None and screen.report.kind == "month"
        assert screen.report.total("visits") == 2 and screen.report.total("earned") == 40
        assert screen.query_one("#reports-chart", PlotextPlot).display  # visits per month
        for kind in ("cohort", "offers", "summary"):
            await pilot.press("l")
            await settle(pilot)
            await pilot.pause()
            assert screen.report is not None and screen.report.kind == kind
        await pilot.press("1")  # back to the sales reports
        await settle(pilot)
        await pilot.pause()
        assert screen.report is not None and screen.report.kind == "hour"  # type: ignore[comparison-overlap]
