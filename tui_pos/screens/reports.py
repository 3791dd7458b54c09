"""The reports screen: pick a report with a digit, a date range with ``d``; sales by hour
is drawn as a bar chart above its table. Queries run in a thread worker."""

from __future__ import annotations

from collections.abc import Awaitable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tui_pos.domain.analysis import (
    REPORT_KINDS,
    AnalysisReport,
    DateRange,
    ReportKind,
    parse_range_text,
)
from tui_pos.domain.analysis_reports import TITLES
from tui_pos.domain.errors import PosError
from tui_pos.domain.loyalty_analytics import LOYALTY_KINDS, LOYALTY_TITLES
from tui_pos.domain.money import div_round
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.screens.dialogs import FLOW_GROUP, PromptScreen, ask
from tui_pos.services.analysis import Analysis
from tui_pos.services.loyalty_analytics import LoyaltyAnalytics
from tui_pos.widgets.fitted_table import FitColumn, FittedTable
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.plain import styled

#: Items shown on screen (the CLI's --top); the totals still cover every item.
TOP_ITEMS_ON_SCREEN = 200

#: The key of each report: 1-9, then 0.
REPORT_KEYS: dict[ReportKind, str] = {
    kind: str((i + 1) % 10) for i, kind in enumerate(REPORT_KINDS)
}

_SHORT: dict[ReportKind, str] = {
    "hour": "Hour",
    "category": "Category",
    "item": "Items",
    "employee": "Staff",
    "tender": "Tender",
    "tax": "Tax",
    "discounts": "Disc",
    "voids": "Voids",
    "refunds": "Refunds",
    "no-sales": "No-sale",
}


class ReportsScreen(ShowsUserErrors, Screen[None]):
    """Read-only analysis reports over local calendar days (today to start with)."""

    BINDINGS = [
        *(
            Binding(REPORT_KEYS[kind], f"show('{kind}')", _SHORT[kind], id=f"report-{kind}")
            for kind in REPORT_KINDS
        ),
        Binding("l", "loyalty", "Loyalty", id="report-loyalty"),
        Binding("d", "dates", "Dates", id="report-dates"),
        Binding("t", "today", "Today", id="report-today"),
        Binding("p", "shift(-1)", "Earlier", id="report-earlier"),
        Binding("n", "shift(1)", "Later", id="report-later"),
        Binding("escape", "close", "Close", id="reports-close"),
    ]

    def __init__(
        self, analysis: Analysis, title: str, loyalty: LoyaltyAnalytics | None = None
    ) -> None:
        super().__init__()
        self.analysis = analysis
        self.loyalty = loyalty  #: the Loyalty page's reports (``l`` steps through them)
        self.store_title = title
        self.kind: ReportKind = "hour"
        self.period = DateRange(analysis.today(), analysis.today())
        self.report: AnalysisReport | None = None  #: the report on show

    def compose(self) -> ComposeResult:
        """Title, the list of reports, chart and table, message, keys."""
        yield Static("", id="reports-title")
        with Horizontal(id="reports-body"):
            yield Static("", id="reports-menu")
            with Vertical(id="reports-main"):
                yield PlotextPlot(id="reports-chart")
                yield FittedTable(id="reports-table", zebra_stripes=True)
                yield Static("", id="reports-message", markup=False)
        yield KeysBar()

    def on_mount(self) -> None:
        """Load the first report."""
        self.query_one("#reports-table", FittedTable).focus()
        self.load()

    # -- loading -----------------------------------------------------------------------
    def load(self) -> None:
        """Show what is being asked, and ask for it off the UI thread."""
        self._header()
        self._say("Loading…")
        self.query_one("#reports-chart").display = self.kind in ("hour", "month")
        self.run_query(self.kind, self.period)

    @work(thread=True, exclusive=True, group="reports", exit_on_error=False)
    def run_query(self, kind: ReportKind, period: DateRange) -> None:
        """Sum in a thread (a year of sales takes a moment); the newest request wins."""
        top = TOP_ITEMS_ON_SCREEN if kind == "item" else None
        try:
            if kind in LOYALTY_KINDS and self.loyalty is not None:
                report = self.loyalty.report(kind, period)
            else:
                report = self.analysis.report(kind, period, top)
        except PosError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.show_report, report)

    def show_report(self, report: AnalysisReport) -> None:
        """Fill the table (and the chart) with a finished report."""
        if (report.kind, report.period) != (self.kind, self.period):
            return  # an older request finished after a newer one was made
        self.report = report
        table = self.query_one("#reports-table", FittedTable)
        rows = [list(r) for r in report.text_rows()]
        keys: list[str | None] = [None] * len(rows)
        totals = report.text_totals()
        if totals is not None and not report.is_empty:
            rows.append(list(totals))
            keys.append("totals")
        styles = ["bold" if key == "totals" else "" for key in keys]
        columns = [
            FitColumn(c.title, c.kind not in ("text", "time"), c.key) for c in report.columns
        ]
        table.set_data(columns, rows, styles=styles, keys=keys)
        self._chart(report)
        if report.is_empty:
            self._say(report.empty_message)
        else:
            self._say(report.note)

    def on_resize(self, _event: object) -> None:
        """Say which columns the width left out (the table picks them by width)."""
        if self.report is not None and not self.report.is_empty:
            self.call_after_refresh(lambda: self._say(self.report.note if self.report else ""))

    def _chart(self, report: AnalysisReport) -> None:
        chart = self.query_one("#reports-chart", PlotextPlot)
        chart.display = report.chart is not None and not report.is_empty
        if not chart.display or report.chart is None:
            return
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        by_month = report.kind == "month"
        labels = [
            str(v)[5:7] if by_month else str(v)[:2]
            for v in report.column("month" if by_month else report.columns[0].key)
        ]
        # Whole currency units: the chart is for the eye; the table has the exact amounts.
        money = next(c.kind for c in report.columns if c.key == report.chart) == "money"
        values = [div_round(int(v or 0), 100 if money else 1) for v in report.column(report.chart)]
        plt.bar(labels, values)
        plt.title(f"{report.title} ({report.period.label})")
        plt.xlabel("month" if by_month else "hour")
        chart.refresh()

    def _failed(self, message: str) -> None:
        self.app.bell()
        self._say(message, error=True)

    def _header(self) -> None:
        self.query_one("#reports-title", Static).update(
            styled(
                "[b]$store[/b]  ·  $title  ·  $period",
                store=self.store_title,
                title=_title(self.kind),
                period=self.period.label,
            )
        )
        menu = [
            f"[reverse] {REPORT_KEYS[k]} {TITLES[k]} [/reverse]"
            if k == self.kind
            else f" {REPORT_KEYS[k]} {TITLES[k]}"
            for k in REPORT_KINDS
        ]
        if self.loyalty is not None:
            menu += [
                f"[reverse] l {LOYALTY_TITLES[k]} [/reverse]"
                if k == self.kind
                else f"   {LOYALTY_TITLES[k]}"
                for k in LOYALTY_KINDS
            ]
        self.query_one("#reports-menu", Static).update("\n".join(menu))

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#reports-message", Static)
        left_out = self.query_one("#reports-table", FittedTable).left_out
        if left_out and not error:
            text = f"{text}  (too narrow for: {', '.join(left_out)})".strip()
        message.update(Text(text))
        message.set_class(error, "error")

    # -- keys --------------------------------------------------------------------------
    def action_show(self, kind: ReportKind) -> None:
        """Switch to another report over the same days."""
        self.kind = kind
        self.load()

    def action_loyalty(self) -> None:
        """The Loyalty page: the program, by month, cohorts, offers, in turn."""
        if self.loyalty is None:
            self._failed("No loyalty reports at this till")
            return
        kinds: tuple[str, ...] = LOYALTY_KINDS
        at = kinds.index(self.kind) + 1 if self.kind in kinds else 0
        self.kind = LOYALTY_KINDS[at % len(LOYALTY_KINDS)]
        self.load()

    def action_dates(self) -> None:
        """Ask for a day or a from/to range (a bad date keeps the dialog open)."""
        today = self.analysis.today()
        current = self.period.first.isoformat()
        if self.period.days > 1:
            current += f" {self.period.last.isoformat()}"
        prompt = PromptScreen(
            "Report dates",
            "One day (2026-11-25) or from and to (2026-11-01 2026-11-30); empty = today",
            lambda text: parse_range_text(text, today),
            value=current,
            scan_aware=False,
        )
        self._show_period(ask(self.app, prompt))

    @work(group=FLOW_GROUP)
    async def _show_period(self, chosen: Awaitable[DateRange | None]) -> None:
        period = await chosen
        if period is not None:
            self.period = period
            self.load()

    def action_today(self) -> None:
        """Back to today."""
        today = self.analysis.today()
        self.period = DateRange(today, today)
        self.load()

    def action_shift(self, step: int) -> None:
        """The same number of days just before (or after) the range shown."""
        days = self.period.days * step
        self.period = DateRange(
            self.period.first.fromordinal(self.period.first.toordinal() + days),
            self.period.last.fromordinal(self.period.last.toordinal() + days),
        )
        self.load()

    def action_close(self) -> None:
        """Back to the register."""
        self.dismiss(None)


def _title(kind: str) -> str:
    return LOYALTY_TITLES[kind] if kind in LOYALTY_TITLES else TITLES[kind]
