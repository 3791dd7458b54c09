"""Loyalty analytics on a history with answers worked out by hand, and properties of the
ledger and cohort figures on generated histories (hypothesis)."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.loyalty_history import History
from tests.support.tills import fixed_clock
from tui_pos.bootstrap import open_till
from tui_pos.cli import main
from tui_pos.config import Config
from tui_pos.domain.analysis import AnalysisReport, DateRange, share_bp
from tui_pos.domain.loyalty import LoyaltyRules, Tier
from tui_pos.models.database import open_database
from tui_pos.models.loyalty_analytics_store import SqliteLoyaltyAnalyticsStore
from tui_pos.services.loyalty_analytics import LoyaltyAnalytics

RULES = LoyaltyRules(enabled=True, tiers=(Tier("Silver", 10_000), Tier("Gold", 50_000)))
Q1 = DateRange(date(2026, 1, 1), date(2026, 3, 31))


def at(day: str, hour: int = 10) -> datetime:
    """A UTC moment on ``day``."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty till database (copied for each history)."""
    path = tmp_path_factory.mktemp("loyalty") / "till.db"
    open_till(Config(), path, clock=fixed_clock).close()
    return path


def analytics_on(path: Path) -> tuple[LoyaltyAnalytics, History]:
    """The analytics (UTC days) and a history writer on the database at ``path``."""
    db = open_database(path)
    store = SqliteLoyaltyAnalyticsStore(db)
    return LoyaltyAnalytics(store, RULES, "T1", fixed_clock, UTC), History(db)


@pytest.fixture
def hand(template: Path, tmp_path: Path) -> Iterator[LoyaltyAnalytics]:
    """Three members, two guests, a return, a voided sale and points (see each test)."""
    path = tmp_path / "till.db"
    shutil.copyfile(template, path)
    analytics, h = analytics_on(path)
    a = h.customer(at("2025-12-10"))
    b = h.customer(at("2026-01-03", 9))
    h.customer(at("2026-02-14"))  # C: never comes
    h.sale(at("2025-12-15"), 1000, a)
    h.sale(at("2026-01-05"), 2000, a)
    h.sale(at("2026-01-20"), 3000, a)
    h.sale(at("2026-02-10"), 60000, a)
    h.sale(at("2026-03-02"), 9999, a, status="voided")
    h.sale(at("2026-01-03"), 5000, b)
    h.sale(at("2026-01-10"), -1000, b)  # a return: not a visit, spend counts it
    h.sale(at("2026-03-03"), 700, b)
    h.sale(at("2026-01-07"), 800)
    h.sale(at("2026-03-01"), 1200)
    h.points(a, 10, "earn", at("2025-12-15"))
    h.points(a, 20, "earn", at("2026-01-05"))
    h.points(a, 30, "earn", at("2026-01-20"))
    h.points(a, 600, "earn", at("2026-02-10"))
    h.points(a, -100, "redeem", at("2026-02-10"))
    h.points(a, 5, "adjust", at("2026-03-05"))
    h.points(b, 50, "earn", at("2026-01-03"))
    h.points(b, -10, "reversal", at("2026-01-10"))
    h.points(b, 25, "birthday", at("2026-03-05"))
    yield analytics
    h.db.close()


def figures(report: AnalysisReport) -> dict[str, int | None]:
    """The summary's raw numbers by key."""
    return {str(row[0]): row[3] if isinstance(row[3], int) else None for row in report.rows}


def test_summary_figures_match_the_hand_worked_history(hand: LoyaltyAnalytics) -> None:
    got = figures(hand.report("summary", Q1, churn_days=30))
    assert got["members"] == 3
    assert got["visiting_members"] == 2
    assert got["repeat_rate"] == 10_000  # A 3 visits, B 2 (the return is not a visit)
    assert got["returning_visit_share"] == 8_000  # 4 of 5: only B's first visit is new
    assert got["member_visits"] == 5
    assert got["visits_per_member"] == 250
    assert got["member_atv"] == 14_140  # 70,700 / 5
    assert got["guest_atv"] == 1_000
    assert got["guest_visits"] == 2
    assert got["points_earned"] == 725  # earn + birthday in the range; adjust is neither
    assert got["points_redeemed"] == 100
    assert got["redemption_rate"] == 1_379  # 100 / 725
    assert got["redeemer_share"] == 5_000
    assert got["liability_points"] == 630  # A 565 + B 65
    assert got["liability_cents"] == 630
    assert got["lifetime_spend"] == 35_350  # (66,000 + 4,700) / 2
    # A: 66,000 over 4 thirty-day months since 15 Dec; B: 4,700 // 3 = 1,566
    assert got["spend_per_month"] == 9_033
    assert got["churned"] == 1  # A's last visit is 10 Feb, more than 30 days before 1 Apr
    assert got["churn_rate"] == 5_000


def test_month_report_and_tier_movement(hand: LoyaltyAnalytics) -> None:
    report = hand.report("month", Q1)
    rows = {row[0]: row for row in report.rows}
    keys = [c.key for c in report.columns]

    def cell(month: str, key: str) -> object:
        return rows[month][keys.index(key)]

    assert list(rows) == ["2026-01", "2026-02", "2026-03"]
    assert [cell("2026-01", k) for k in ("members", "repeat", "visits")] == [2, 1, 3]
    assert cell("2026-01", "member_atv_cents") == 3_333
    assert cell("2026-01", "guest_atv_cents") == 800
    assert [cell("2026-02", k) for k in ("earned", "redeemed", "redemption_rate")] == [
        600,
        100,
        1_667,
    ]
    # A's rolling spend passes Gold (50.00 -> 660.00) during February; nobody goes down
    assert [cell(m, "tier_up") for m in rows] == [0, 1, 0]
    assert [cell(m, "tier_down") for m in rows] == [0, 0, 0]
    assert report.total("visits") == 5


def test_tier_down_when_the_rolling_year_drops_a_big_sale(hand: LoyaltyAnalytics) -> None:
    year_later = DateRange(date(2027, 1, 1), date(2027, 3, 31))
    report = hand.report("month", year_later)
    assert report.total("tier_down") == 1  # A's 600.00 leaves the 365-day window in Feb


def test_cohorts(hand: LoyaltyAnalytics) -> None:
    report = hand.report("cohort", Q1)
    assert [c.key for c in report.columns] == ["month", "joined", "m1", "m2"]
    assert report.rows == (("2026-01", 1, 0, 1), ("2026-02", 1, 0, None))
    assert report.total("joined") == 2


def test_offers_lists_promotions_used(hand: LoyaltyAnalytics) -> None:
    assert hand.report("offers", Q1).is_empty


def test_unknown_report_is_refused(hand: LoyaltyAnalytics) -> None:
    with pytest.raises(Exception, match="No loyalty report 'nope'"):
        hand.report("nope", Q1)


_KINDS = st.sampled_from(["earn", "birthday", "redeem", "reversal", "adjust"])
_DAY = st.integers(min_value=0, max_value=120)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(st.integers(0, 3), _KINDS, st.integers(-500, 500), _DAY), max_size=40)
)
def test_redemption_rate_is_redeemed_over_earned(template: Path, rows: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "till.db"
        shutil.copyfile(template, path)
        analytics, h = analytics_on(path)
        people = [h.customer(at("2025-12-01")) for _ in range(4)]
        start = at("2025-12-01")
        for who, kind, points, day in rows:
            h.points(people[who], points, kind, start + timedelta(days=day))
        period = DateRange(date(2026, 1, 1), date(2026, 2, 28))
        got = figures(analytics.report("summary", period))
        lo, hi = period.bounds(UTC)
        inside = [r for r in rows if lo <= start + timedelta(days=r[3]) < hi]
        earned = sum(p for _, k, p, _ in inside if k in ("earn", "birthday"))
        redeemed = -sum(p for _, k, p, _ in inside if k == "redeem")
        assert got["points_earned"] == earned
        assert got["points_redeemed"] == redeemed
        assert got["redemption_rate"] == share_bp(redeemed, earned)
        balances = [
            sum(p for w, _, p, d in rows if w == i and start + timedelta(days=d) < hi)
            for i in range(4)
        ]
        assert got["liability_points"] == sum(max(b, 0) for b in balances)
        h.db.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    joins=st.lists(st.integers(0, 400), max_size=30),
    visits=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 400)), max_size=40),
)
def test_cohorts_sum_to_the_members_who_joined(
    template: Path, joins: list[int], visits: list[tuple[int, int]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "till.db"
        shutil.copyfile(template, path)
        analytics, h = analytics_on(path)
        origin = at("2025-11-01")
        people = [h.customer(origin + timedelta(days=d)) for d in joins]
        for who, day in visits:
            if who < len(people) and day >= joins[who]:
                h.sale(origin + timedelta(days=day, hours=1), 500, people[who])
        period = DateRange(date(2026, 1, 1), date(2026, 9, 30))
        report = analytics.report("cohort", period)
        lo, hi = period.bounds(UTC)
        joined = sum(1 for d in joins if lo <= origin + timedelta(days=d) < hi)
        assert sum(int(r[1] or 0) for r in report.rows) == joined
        assert report.total("joined") == (joined if joined else None)
        for row in report.rows:  # nobody comes back more often than the cohort holds
            assert all(v is None or 0 <= int(v) <= int(row[1] or 0) for v in row[2:])
        h.db.close()


def test_cli_report_loyalty_json_and_csv(template: Path, tmp_path: Path) -> None:
    path = tmp_path / "till.db"
    shutil.copyfile(template, path)
    _, h = analytics_on(path)
    member = h.customer(at("2026-01-02"))
    h.sale(at("2026-01-05"), 2500, member)
    h.db.close()
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "--db",
            str(path),
            "report",
            "loyalty",
            "--by",
            "summary",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_key = {row["metric"]: row["raw"] for row in data["rows"]}
    assert by_key["member_visits"] == 1 and by_key["member_atv"] == 2500
    csv_out = runner.invoke(
        main,
        [
            "--db",
            str(path),
            "report",
            "loyalty",
            "--by",
            "month",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--format",
            "csv",
        ],
    )
    assert csv_out.exit_code == 0
    assert csv_out.output.splitlines()[1].startswith("2026-01,1,0,1,2500,")
    bad = runner.invoke(main, ["--db", str(path), "report", "loyalty", "--from", "2026-13-01"])
    assert bad.exit_code == 1 and "not a date" in bad.output


@pytest.mark.parametrize(
    ("zone", "jan_visits", "feb_visits", "cohort"),
    [
        ("Pacific/Kiritimati", None, 3, "2026-02"),  # UTC+14: both late sales are February
        ("Pacific/Pago_Pago", 2, 1, "2026-01"),  # UTC-11: both are still January
        ("UTC", 1, 2, "2026-01"),
    ],
)
def test_months_are_local_at_the_edges_of_a_month(
    template: Path, tmp_path: Path, zone: str, jan_visits: int | None, feb_visits: int, cohort: str
) -> None:
    path = tmp_path / "till.db"
    shutil.copyfile(template, path)
    db = open_database(path)
    h = History(db)
    member = h.customer(at("2026-01-31", 12))
    h.sale(at("2026-01-31", 15), 1000, member)  # 1 Feb 05:00 at +14, 31 Jan 04:00 at -11
    h.sale(at("2026-02-01", 5), 1000, member)  # 1 Feb 19:00 at +14, 31 Jan 18:00 at -11
    h.sale(at("2026-02-15"), 1000, member)
    analytics = LoyaltyAnalytics(
        SqliteLoyaltyAnalyticsStore(db), RULES, "T1", fixed_clock, ZoneInfo(zone)
    )
    report = analytics.report("month", Q1)
    visits = {row[0]: row[3] for row in report.rows}
    assert visits.get("2026-01") == jan_visits
    assert visits["2026-02"] == feb_visits
    assert analytics.report("cohort", Q1).rows[0][:2] == (cohort, 1)
    db.close()
