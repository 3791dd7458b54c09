"""``tui-pos report loyalty --by ...``: the loyalty program's analytics (read only, no
personal data: every figure is a count or a sum over members)."""

from __future__ import annotations

import click

from tui_pos.cli.context import Context
from tui_pos.cli.reports import emit_analysis
from tui_pos.cli.signing import AS_OPTION, signed
from tui_pos.domain.loyalty_analytics import DEFAULT_CHURN_DAYS, LOYALTY_KINDS
from tui_pos.domain.staff import Action


@click.command("loyalty")
@click.option(
    "--by",
    "kind",
    default="summary",
    show_default=True,
    type=click.Choice(list(LOYALTY_KINDS)),
    help="Which loyalty report.",
)
@click.option("--date", "day", help="One day (YYYY-MM-DD).")
@click.option("--from", "first", help="First day of the range (YYYY-MM-DD), included.")
@click.option("--to", "last", help="Last day of the range (YYYY-MM-DD), included.")
@click.option(
    "--churn-days",
    type=click.IntRange(min=1, max=3660),
    default=DEFAULT_CHURN_DAYS,
    show_default=True,
    help="A member not seen for this many days has churned (summary).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@AS_OPTION
@click.pass_obj
def report_loyalty(
    obj: Context,
    kind: str,
    day: str | None,
    first: str | None,
    last: str | None,
    churn_days: int,
    fmt: str,
    by: str | None,
) -> None:
    """Loyalty program analytics over local calendar days (default: today): summary,
    month, cohort, offers. Definitions: docs/DESIGN.md."""
    from tui_pos.domain.analysis import parse_range

    with obj.open_till() as till:
        signed(till, by, Action.REPORTS, f"loyalty report by {kind}", flag="--as")
        analytics = till.loyalty_analytics
        period = parse_range(analytics.today(), day=day, first=first, last=last)
        result = analytics.report(kind, period, churn_days)
    emit_analysis(result, fmt)
