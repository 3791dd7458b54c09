"""Loyalty program analytics: what the store summed in, an :class:`AnalysisReport` out.

Definitions (docs/DESIGN.md, "Loyalty analytics"; every figure is summed in SQL):
- a *member* is a customer row; a *visit* is a completed sale with a positive total
  (a return is not a visit); a *member visit* has a customer, a *guest visit* has none;
- *repeat customer rate* = members with 2+ visits in the range / members with a visit;
  *returning visits* = member visits in the range that were not the member's first visit
  ever, as a share of member visits;
- *average transaction value* = sum of visit totals / visits (members and guests apart);
- *redemption rate* = points redeemed / points earned in the range, where earned = the
  ``earn`` and ``birthday`` ledger rows and redeemed = minus the ``redeem`` rows (points
  given back on a refund paid in points count against it); *members who redeemed* is a
  share of the members with a visit;
- *points liability* = the sum of the positive balances at the end of the range, and
  its value at ``point_value_cents`` a point;
- *lifetime value*: spend to date = completed sales up to the end of the range (returns
  negative), per member with a visit; spend per month = each member's spend / the months
  (30 days, the first one counted) since their first visit, averaged;
- *churned* = members with a visit whose last visit is more than ``churn_days`` before the
  end of the range;
- *cohorts*: members who joined (customer created) in month M; came back in M+k = had a
  visit in month M+k; the joined column sums to the members who joined in the range;
- *tier movement*: a member's tier at the end of a month (rolling 365-day spend, as the
  till decides tiers) against the end of the month before: up / down counts;
- *offers*: per promotion, the sales that used it, their members and revenue; per
  campaign, the coupons redeemed, the spend of the mailed members after the send, and the
  uplift of spend per head of the mailed group over the held-out control group.
Months are local months with the offset in force at the start of the range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tui_pos.domain.analysis import (
    AnalysisReport,
    Column,
    ColumnKind,
    DateRange,
    Row,
    average,
    format_cell,
    no_rows,
    share_bp,
    totals_row,
)

LoyaltyReportKind = Literal["summary", "month", "cohort", "offers"]

#: The loyalty reports, in menu order.
LOYALTY_KINDS: tuple[LoyaltyReportKind, ...] = ("summary", "month", "cohort", "offers")

LOYALTY_TITLES: dict[str, str] = {
    "summary": "Loyalty program",
    "month": "Loyalty by month",
    "cohort": "Member cohorts",
    "offers": "Offers and campaigns",
}

_TIER_KEYS = {"tier_up", "tier_down"}

#: How many months after joining a cohort row follows.
COHORT_MONTHS = 12

#: How a summary figure's raw number reads, by its unit (others as a plain count).
_CELL_KINDS: dict[str, ColumnKind] = {
    "basis_points": "percent",
    "hundredths": "percent",
    "cents": "money",
}

#: Days without a visit after which a member counts as churned (``--churn-days``).
DEFAULT_CHURN_DAYS = 90


@dataclass(frozen=True)
class ProgramFigures:
    """Program-wide sums over a range (the ledger and the sale documents)."""

    members: int  #: customers created before the end
    visiting_members: int
    repeat_members: int  #: members with 2+ visits in the range
    member_visits: int
    returning_visits: int  #: member visits that were not the member's first ever
    member_spend_cents: int
    guest_visits: int
    guest_spend_cents: int
    points_earned: int
    points_redeemed: int
    redeeming_members: int
    liability_points: int  #: sum of positive balances at the end
    lifetime_members: int  #: members with a visit before the end
    lifetime_spend_cents: int
    spend_per_month_sum_cents: int  #: sum over lifetime members of spend / months
    churned_members: int


@dataclass(frozen=True)
class MonthFigures:
    """One local month of the program."""

    month: str  #: YYYY-MM
    visiting_members: int
    repeat_members: int
    member_visits: int
    member_spend_cents: int
    guest_visits: int
    guest_spend_cents: int
    points_earned: int
    points_redeemed: int
    tier_up: int
    tier_down: int


@dataclass(frozen=True)
class CohortCell:
    """Members of the cohort that joined in ``joined`` with a visit in ``visited``."""

    joined: str  #: YYYY-MM
    visited: str  #: YYYY-MM
    members: int


@dataclass(frozen=True)
class OfferFigures:
    """How one promotion or campaign did over the range."""

    kind: Literal["promotion", "campaign"]
    name: str
    redemptions: int  #: lines with the promotion, or the campaign's coupons redeemed
    customers: int  #: distinct members who redeemed
    revenue_cents: int  #: total of the sales that redeemed
    targeted: int = 0  #: campaign: members mailed
    control: int = 0  #: campaign: members held out
    targeted_spend_cents: int = 0  #: campaign: spend of the mailed members after the send
    control_spend_cents: int = 0  #: campaign: spend of the control group after the send


def uplift_bp(figures: OfferFigures) -> int | None:
    """Spend per mailed member against spend per control member, as a relative change in
    hundredths of a percent (None without a control group or control spend)."""
    if not figures.targeted or not figures.control or figures.control_spend_cents <= 0:
        return None
    # (t/T) / (c/C) - 1, in integers: (t*C - c*T) / (c*T)
    num = figures.targeted_spend_cents * figures.control - figures.control_spend_cents * (
        figures.targeted
    )
    return share_bp(num, figures.control_spend_cents * figures.targeted)


def summary(
    till: str, period: DateRange, f: ProgramFigures, point_value_cents: int, churn_days: int
) -> AnalysisReport:
    """The program's figures, one per row: the value as read, the raw number and its unit
    (JSON and CSV keep the raw numbers)."""
    rows: list[tuple[str, str, str, int | None, str]] = []

    def add(key: str, label: str, raw: int | None, unit: str) -> None:
        text = "-" if raw is None else format_cell(raw, _CELL_KINDS.get(unit, "count"))
        if unit == "hundredths":  # visits per member: 2.50
            text = text.removesuffix("%")
        rows.append((key, label, text, raw, unit))

    add("members", "Members", f.members, "count")
    add("visiting_members", "Members with a visit", f.visiting_members, "count")
    add(
        "repeat_rate",
        "Repeat customer rate (2+ visits)",
        share_bp(f.repeat_members, f.visiting_members),
        "basis_points",
    )
    add(
        "returning_visit_share",
        "Visits by returning members",
        share_bp(f.returning_visits, f.member_visits),
        "basis_points",
    )
    add("member_visits", "Member visits", f.member_visits, "count")
    add(
        "visits_per_member",
        "Visits per member",
        average(f.member_visits * 100, f.visiting_members),
        "hundredths",
    )
    add(
        "member_atv",
        "Average sale, members",
        average(f.member_spend_cents, f.member_visits),
        "cents",
    )
    add(
        "guest_atv",
        "Average sale, non-members",
        average(f.guest_spend_cents, f.guest_visits),
        "cents",
    )
    add("guest_visits", "Non-member visits", f.guest_visits, "count")
    add("points_earned", "Points earned", f.points_earned, "points")
    add("points_redeemed", "Points redeemed", f.points_redeemed, "points")
    add(
        "redemption_rate",
        "Redemption rate (redeemed/earned)",
        share_bp(f.points_redeemed, f.points_earned),
        "basis_points",
    )
    add(
        "redeemer_share",
        "Members who redeemed",
        share_bp(f.redeeming_members, f.visiting_members),
        "basis_points",
    )
    add("liability_points", "Points outstanding (end)", f.liability_points, "points")
    add(
        "liability_cents",
        "Points liability (value)",
        f.liability_points * point_value_cents,
        "cents",
    )
    add(
        "lifetime_spend",
        "Spend to date per member",
        average(f.lifetime_spend_cents, f.lifetime_members),
        "cents",
    )
    add(
        "spend_per_month",
        "Spend per month per member",
        average(f.spend_per_month_sum_cents, f.lifetime_members),
        "cents",
    )
    add("churned", f"Churned (no visit in {churn_days} days)", f.churned_members, "count")
    add("churn_rate", "Churn rate", share_bp(f.churned_members, f.lifetime_members), "basis_points")
    return AnalysisReport(
        "summary",
        LOYALTY_TITLES["summary"],
        till,
        period,
        (
            Column("metric", "Key"),
            Column("label", "Figure"),
            Column("value", "Value"),
            Column("raw", "Raw", "count"),
            Column("unit", "Unit"),
        ),
        tuple(rows),
        note="All tills' documents in this database; definitions in docs/DESIGN.md",
    )


def by_month(till: str, period: DateRange, months: Sequence[MonthFigures]) -> AnalysisReport:
    """One row per month: visits, repeat members, average sales, points, tier movement."""
    rows: list[Row] = [
        (
            m.month,
            m.visiting_members,
            m.repeat_members,
            m.member_visits,
            average(m.member_spend_cents, m.member_visits),
            average(m.guest_spend_cents, m.guest_visits),
            m.points_earned,
            m.points_redeemed,
            share_bp(m.points_redeemed, m.points_earned),
            m.tier_up,
            m.tier_down,
        )
        for m in sorted(months, key=lambda m: m.month)
    ]
    columns = (
        Column("month", "Month"),
        Column("members", "Members", "count"),
        Column("repeat", "2+ visits", "count"),
        Column("visits", "Visits", "count"),
        Column("member_atv_cents", "Avg member", "money"),
        Column("guest_atv_cents", "Avg guest", "money"),
        Column("earned", "Earned", "count"),
        Column("redeemed", "Redeemed", "count"),
        Column("redemption_rate", "Redeemed %", "percent"),
        Column("tier_up", "Tier up", "count"),
        Column("tier_down", "Tier down", "count"),
    )
    totals = totals_row("Total", columns, rows, {"visits", "earned", "redeemed"} | _TIER_KEYS)
    totals[4] = average(sum(m.member_spend_cents for m in months), int(totals[3] or 0))
    totals[5] = average(
        sum(m.guest_spend_cents for m in months), sum(m.guest_visits for m in months)
    )
    totals[8] = share_bp(int(totals[7] or 0), int(totals[6] or 0))
    return AnalysisReport(
        "month",
        LOYALTY_TITLES["month"],
        till,
        period,
        columns,
        tuple(rows),
        tuple(totals) if rows else None,
        no_rows("member activity", period),
        chart="visits",
    )


def month_after(month: str, k: int) -> str:
    """``YYYY-MM`` plus ``k`` months."""
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + mon - 1 + k
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, later: str) -> int:
    """How many months ``later`` is after ``first`` (both ``YYYY-MM``)."""
    return (int(later[:4]) - int(first[:4])) * 12 + int(later[5:7]) - int(first[5:7])


def cohorts(
    till: str,
    period: DateRange,
    joined: Sequence[tuple[str, int]],
    cells: Sequence[CohortCell],
    last_month: str,
) -> AnalysisReport:
    """Per joining month: members who joined, then how many came back in each later month
    (empty where that month is after the range)."""
    back: dict[tuple[str, int], int] = {}
    for cell in cells:
        k = months_between(cell.joined, cell.visited)
        if 1 <= k <= COHORT_MONTHS:
            back[(cell.joined, k)] = back.get((cell.joined, k), 0) + cell.members
    span = max((months_between(m, last_month) for m, _ in joined), default=0)
    width = min(COHORT_MONTHS, span)
    rows: list[Row] = []
    for month, count in sorted(joined):
        after = months_between(month, last_month)
        rows.append(
            (
                month,
                count,
                *(back.get((month, k), 0) if k <= after else None for k in range(1, width + 1)),
            )
        )
    return AnalysisReport(
        "cohort",
        LOYALTY_TITLES["cohort"],
        till,
        period,
        (
            Column("month", "Joined"),
            Column("joined", "Members", "count"),
            *(Column(f"m{k}", f"+{k}", "count") for k in range(1, width + 1)),
        ),
        tuple(rows),
        ("Total", sum(c for _, c in joined), *(None for _ in range(width))) if rows else None,
        no_rows("members joined", period),
        note="+k: members of the cohort with a visit k months after the month they joined",
    )


def offers(till: str, period: DateRange, figures: Sequence[OfferFigures]) -> AnalysisReport:
    """Per promotion and campaign: redemptions, customers, revenue; campaigns also their
    mailed and control groups and the uplift of spend per head."""
    rows: list[Row] = [
        (
            f.kind,
            f.name,
            f.redemptions,
            f.customers,
            f.revenue_cents,
            f.targeted if f.kind == "campaign" else None,
            f.control if f.kind == "campaign" else None,
            average(f.targeted_spend_cents, f.targeted) if f.kind == "campaign" else None,
            average(f.control_spend_cents, f.control) if f.kind == "campaign" else None,
            uplift_bp(f),
        )
        for f in sorted(figures, key=lambda f: (f.kind, -f.revenue_cents, f.name))
    ]
    return AnalysisReport(
        "offers",
        LOYALTY_TITLES["offers"],
        till,
        period,
        (
            Column("kind", "Kind"),
            Column("name", "Offer"),
            Column("redemptions", "Used", "count"),
            Column("customers", "Members", "count"),
            Column("revenue_cents", "Revenue", "money"),
            Column("targeted", "Mailed", "count"),
            Column("control", "Control", "count"),
            Column("targeted_per_head_cents", "Per mailed", "money"),
            Column("control_per_head_cents", "Per control", "money"),
            Column("uplift", "Uplift", "percent"),
        ),
        tuple(rows),
        None,
        no_rows("offers used", period),
    )
