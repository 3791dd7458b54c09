"""Analysis reports on generated sales, each checked against sums computed here in Python
from the sale documents (never from the SQL the store runs)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support.sales_generator import (
    DAYS,
    FIRST_DAY,
    Generated,
    MovingClock,
    generate,
    open_generated_till,
)
from tui_pos.bootstrap import Till
from tui_pos.domain.analysis import (
    AnalysisReport,
    DateRange,
    DateRangeError,
    format_cell,
    offset_spans,
    parse_range,
    parse_range_text,
    utc_offset_minutes,
)
from tui_pos.domain.errors import DomainError
from tui_pos.domain.sale import SaleDocument, format_sale_number
from tui_pos.domain.tax import TaxRate
from tui_pos.models.analysis_store import SqliteAnalysisStore
from tui_pos.services.analysis import Analysis

ZONES = ("UTC", "Asia/Kathmandu", "America/New_York")  # +0, +5:45, -5/-4 (DST on day 2)


@pytest.fixture(scope="module")
def generated(
    tmp_path_factory: pytest.TempPathFactory, demo_template: Path
) -> Iterator[tuple[Till, Generated]]:
    clock = MovingClock(FIRST_DAY)
    till = open_generated_till(demo_template, tmp_path_factory.mktemp("gen") / "till.db", clock)
    made = generate(till, clock, seed=20261125, sales=160)
    yield till, made
    till.close()


def analysis_in(till: Till, zone: str) -> Analysis:
    return Analysis(SqliteAnalysisStore(till.db), "T1", till.register.clock, ZoneInfo(zone))


def whole_range(tz: tzinfo) -> DateRange:
    """Every local day the generated sales can fall on in ``tz``."""
    first = FIRST_DAY.astimezone(tz).date()
    return DateRange(
        date.fromordinal(first.toordinal() - 1), date.fromordinal(first.toordinal() + DAYS + 1)
    )


def in_range(doc: SaleDocument, period: DateRange, tz: tzinfo) -> bool:
    return period.first <= doc.created_at.astimezone(tz).date() <= period.last


def completed(made: Generated, period: DateRange, tz: tzinfo) -> list[SaleDocument]:
    return [d for d in made.docs if d.status == "completed" and in_range(d, period, tz)]


def rows(report: AnalysisReport) -> list[dict[str, object]]:
    return report.to_dict()["rows"]  # type: ignore[no-any-return]


def one_day(tz: tzinfo, offset: int) -> DateRange:
    day = date.fromordinal(FIRST_DAY.astimezone(tz).date().toordinal() + offset)
    return DateRange(day, day)


def periods(tz: tzinfo) -> list[DateRange]:
    """The whole range, and each single day (cut at local midnight)."""
    return [whole_range(tz), one_day(tz, 0), one_day(tz, 1), one_day(tz, 2)]


# -- the generated data is what the tests think it is -----------------------------------------
def test_generated_data_covers_every_report(generated: tuple[Till, Generated]) -> None:
    _till, made = generated
    statuses = Counter(d.status for d in made.docs)
    assert statuses["completed"] > 100 and statuses["voided"] >= 5
    assert any(d.voided_lines for d in made.docs if d.status == "completed")
    assert any(ln.qty_milli < 0 for d in made.docs for ln in d.lines)
    assert any(ln.unit == "kg" for d in made.docs for ln in d.lines)
    assert {p.kind for d in made.docs for p in d.payments} == {"cash", "card"}
    assert {d.cashier for d in made.docs} == {"Ann", "Bob", ""}
    assert any(ln.line_discount_cents for d in made.docs for ln in d.lines)
    assert any(ln.cart_discount_cents for d in made.docs for ln in d.lines)
    assert len(made.no_sales) >= 3


# -- each report against independent sums ----------------------------------------------------
@pytest.mark.parametrize("zone", ZONES)
def test_sales_by_hour_uses_local_hours(generated: tuple[Till, Generated], zone: str) -> None:
    till, made = generated
    tz = ZoneInfo(zone)
    for period in periods(tz):
        docs = completed(made, period, tz)
        by_hour: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for d in docs:
            bucket = by_hour[d.created_at.astimezone(tz).hour]
            bucket[0] += 1
            bucket[1] += d.subtotal_cents - d.discount_cents
        report = analysis_in(till, zone).by_hour(period)
        got = {int(str(r["hour"])[:2]): [r["sales"], r["net_cents"]] for r in rows(report)}
        assert {h: v for h, v in got.items() if v != [0, 0]} == dict(by_hour)
        if got:  # no gaps between the first and last hour: the chart reads as a day
            assert sorted(got) == list(range(min(got), max(got) + 1))
        assert report.total("sales") == len(docs)
        assert report.total("net_cents") == sum(d.subtotal_cents - d.discount_cents for d in docs)
        assert report.chart == "net_cents"


@pytest.mark.parametrize("zone", ZONES)
def test_sales_by_category_and_item_net_of_returns(
    generated: tuple[Till, Generated], zone: str
) -> None:
    till, made = generated
    tz = ZoneInfo(zone)
    analysis = analysis_in(till, zone)
    for period in periods(tz):
        docs = completed(made, period, tz)
        cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        item: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for d in docs:
            for ln in d.lines:
                name = made.categories.get(ln.product_id or -1, "") or "(none)"
                cat[name][0] += ln.amount_cents
                cat[name][1] += ln.line_discount_cents + ln.cart_discount_cents
                item[(ln.name, ln.unit)][0] += ln.qty_milli
                item[(ln.name, ln.unit)][1] += ln.amount_cents
        net = sum(d.subtotal_cents - d.discount_cents for d in docs)
        by_cat = analysis.by_category(period)
        assert {r["category"]: [r["net_cents"], r["discount_cents"]] for r in rows(by_cat)} == cat
        assert by_cat.total("net_cents") == net
        by_item = analysis.by_item(period)
        got = {(r["item"], r["unit"]): [r["qty_milli"], r["net_cents"]] for r in rows(by_item)}
        assert got == item
        assert by_item.total("net_cents") == net
        nets = by_item.column("net_cents")
        assert nets == sorted(nets, reverse=True)  # top sellers first


def test_top_n_keeps_the_best_rows_and_totals_all(generated: tuple[Till, Generated]) -> None:
    till, _made = generated
    analysis = analysis_in(till, "UTC")
    period = whole_range(ZoneInfo("UTC"))
    full = analysis.by_item(period)
    top = analysis.report("item", period, top=5)
    assert top.rows == full.rows[:5]
    assert top.totals == full.totals
    assert "Top 5 of" in top.note
    with pytest.raises(DomainError):
        analysis.report("item", period, top=0)
    with pytest.raises(DomainError, match="No report 'weather'"):
        analysis.report("weather", period)


@pytest.mark.parametrize("zone", ZONES)
def test_sales_by_employee(generated: tuple[Till, Generated], zone: str) -> None:
    till, made = generated
    tz = ZoneInfo(zone)
    for period in periods(tz):
        expected: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for d in made.docs:
            if not in_range(d, period, tz):
                continue
            e = expected[d.cashier or "(none)"]
            if d.status == "completed":
                e[0] += 1
                e[1] += d.subtotal_cents - d.discount_cents
                e[2] += d.discount_cents
            else:
                e[3] += 1
        report = analysis_in(till, zone).by_employee(period)
        got = {
            r["employee"]: [r["sales"], r["net_cents"], r["discount_cents"], r["voids"]]
            for r in rows(report)
        }
        assert got == expected
        assert report.total("sales") == sum(e[0] for e in expected.values())


@pytest.mark.parametrize("zone", ZONES)
def test_sales_by_tender_and_tax(generated: tuple[Till, Generated], zone: str) -> None:
    till, made = generated
    tz = ZoneInfo(zone)
    analysis = analysis_in(till, zone)
    for period in periods(tz):
        docs = completed(made, period, tz)
        tenders: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        taxes: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for d in docs:
            for p in d.payments:
                t = tenders[p.kind]
                t[0] += 1
                t[1] += max(p.amount_cents, 0)
                t[2] += max(-p.amount_cents, 0)
            for x in d.taxes:
                key = (x.code, TaxRate(x.code, x.code, x.rate_bp).label)
                taxes[key][0] += x.base_cents
                taxes[key][1] += x.tax_cents
        by_tender = analysis.by_tender(period)
        got = {
            r["tender"]: [r["payments"], r["taken_cents"], r["refunded_cents"]]
            for r in rows(by_tender)
        }
        assert got == tenders
        # Tenders add up to what the sales were paid: totals plus cash rounding.
        assert by_tender.total("net_cents") == sum(d.paid_cents for d in docs)
        by_tax = analysis.by_tax(period)
        assert {
            (r["code"], r["rate"]): [r["base_cents"], r["tax_cents"]] for r in rows(by_tax)
        } == taxes
        assert by_tax.total("tax_cents") == sum(d.tax_cents for d in docs)


@pytest.mark.parametrize("zone", ZONES)
def test_discounts_per_employee(generated: tuple[Till, Generated], zone: str) -> None:
    till, made = generated
    tz = ZoneInfo(zone)
    for period in periods(tz):
        expected: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for d in completed(made, period, tz):
            line = sum(ln.line_discount_cents for ln in d.lines)
            sale = sum(ln.cart_discount_cents for ln in d.lines)
            if line or sale:
                e = expected[d.cashier or "(none)"]
                e[0] += 1
                e[1] += line
                e[2] += sale
        report = analysis_in(till, zone).discounts(period)
        got = {
            r["employee"]: [r["sales"], r["line_discount_cents"], r["sale_discount_cents"]]
            for r in rows(report)
        }
        assert got == expected
        assert report.total("discount_cents") == sum(
            d.discount_cents for d in completed(made, period, tz)
        )


@pytest.mark.parametrize("zone", ZONES)
def test_voids_refunds_and_no_sales(generated: tuple[Till, Generated], zone: str) -> None:
    till, made = generated
    tz = ZoneInfo(zone)
    analysis = analysis_in(till, zone)
    for period in periods(tz):
        docs = [d for d in made.docs if in_range(d, period, tz)]
        voids = [
            (
                format_sale_number("T1", d.seq or 0),
                "whole sale" if d.status == "voided" else "lines",
                d.voided_lines + (len(d.lines) if d.status == "voided" else 0),
                d.total_cents if d.status == "voided" else None,
            )
            for d in sorted(docs, key=lambda d: d.seq or 0)
            if d.status == "voided" or d.voided_lines
        ]
        report = analysis.voids(period)
        assert [
            (r["sale"], r["what"], r["lines"], r["amount_cents"]) for r in rows(report)
        ] == voids
        assert report.total("amount_cents") == sum(v[3] or 0 for v in voids)

        returned = [
            (format_sale_number("T1", d.seq or 0), ln.name, -ln.qty_milli, -ln.amount_cents)
            for d in sorted(docs, key=lambda d: d.seq or 0)
            if d.status == "completed"
            for ln in d.lines
            if ln.qty_milli < 0
        ]
        report = analysis.refunds(period)
        got = [(r["sale"], r["item"], r["qty_milli"], r["amount_cents"]) for r in rows(report)]
        assert got == returned
        assert report.total("amount_cents") == sum(r[3] for r in returned)

        expected_no_sales = [
            (seq, at.astimezone(tz).strftime("%Y-%m-%d %H:%M"))
            for seq, at, _sent in made.no_sales
            if period.first <= at.astimezone(tz).date() <= period.last
        ]
        report = analysis.no_sales(period)
        assert [(r["number"], r["time"]) for r in rows(report)] == expected_no_sales
    assert any(
        r["drawer"] == "not opened: dropped" for r in rows(analysis.no_sales(whole_range(tz)))
    )


def test_returns_are_netted_out_of_sales_and_listed_as_refunds(
    generated: tuple[Till, Generated],
) -> None:
    till, made = generated
    analysis = analysis_in(till, "UTC")
    period = whole_range(ZoneInfo("UTC"))
    refunds = analysis.refunds(period)
    assert len(refunds.rows) == 2
    refunded = refunds.total("amount_cents")
    assert isinstance(refunded, int) and refunded > 0
    returned = {ln.name for d in made.docs for ln in d.lines if ln.qty_milli < 0}
    # The item report's quantity for a returned item is what was sold minus what came back.
    for r in rows(analysis.by_item(period)):
        if r["item"] in returned:
            sold = sum(
                ln.qty_milli
                for d in made.docs
                if d.status == "completed"
                for ln in d.lines
                if ln.name == r["item"] and ln.qty_milli > 0
            )
            assert r["qty_milli"] == sold - 2000
    tender = {r["tender"]: r for r in rows(analysis.by_tender(period))}
    assert tender["cash"]["refunded_cents"] == refunded


def test_a_day_without_sales_says_so(generated: tuple[Till, Generated]) -> None:
    till, _made = generated
    analysis = analysis_in(till, "UTC")
    for kind in (
        "hour",
        "category",
        "item",
        "employee",
        "tender",
        "tax",
        "discounts",
        "voids",
        "refunds",
        "no-sales",
    ):
        report = analysis.report(kind, DateRange(date(2001, 1, 1), date(2001, 1, 1)))
        assert report.is_empty
        assert report.empty_message.startswith("No ") and "on 2001-01-01" in report.empty_message
        data = report.to_dict()
        assert data["rows"] == [] and data["message"] == report.empty_message
    week = analysis.report("hour", DateRange(date(2001, 1, 1), date(2001, 1, 7)))
    assert week.empty_message == "No sales from 2001-01-01 to 2001-01-07"


# -- ranges and cells ----------------------------------------------------------------------------
def test_date_ranges() -> None:
    today = date(2026, 11, 25)
    assert parse_range(today) == DateRange(today, today)
    assert parse_range(today, day="2026-11-01") == DateRange(date(2026, 11, 1), date(2026, 11, 1))
    assert parse_range(today, first="2026-11-01") == DateRange(date(2026, 11, 1), today)
    assert parse_range(today, last="2026-11-03").days == 1
    assert parse_range(today, first="2026-11-01", last="2026-11-30").days == 30
    assert parse_range_text("2026-11-01..2026-11-03", today).days == 3
    assert parse_range_text("2026-11-01 2026-11-03", today).days == 3
    assert parse_range_text("", today) == DateRange(today, today)
    with pytest.raises(DateRangeError, match="before it starts"):
        parse_range(today, first="2026-11-30", last="2026-11-01")
    with pytest.raises(DateRangeError, match="not a date"):
        parse_range(today, day="yesterday")
    with pytest.raises(DateRangeError, match="either a date or"):
        parse_range(today, day="2026-11-01", first="2026-11-01")
    with pytest.raises(DateRangeError, match="too long"):
        parse_range(today, first="1990-01-01")
    with pytest.raises(DateRangeError):
        parse_range_text("a b c", today)


def test_day_bounds_follow_the_zone_rules_of_each_date() -> None:
    ny = ZoneInfo("America/New_York")
    start, end = DateRange(date(2026, 3, 8), date(2026, 3, 8)).bounds(ny)
    # The day the clocks go forward (same-zone subtraction would read the wall clock).
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 23 * 3600
    assert start.utcoffset() != end.utcoffset()


def test_cells_read_as_money_quantity_and_share() -> None:
    assert format_cell(123456, "money") == "1,234.56"
    assert format_cell(-512, "qty", "kg") == "-0.512 kg"
    assert format_cell(3000, "qty") == "3"
    assert format_cell(1234, "percent") == "12.34%"
    assert format_cell(None, "money") == ""
    assert format_cell("Ann", "text") == "Ann"


def test_system_zone_is_the_default(generated: tuple[Till, Generated]) -> None:
    """The till's own Analysis (tz None) groups like an explicit zone equal to the system's."""
    till, _made = generated
    period = whole_range(ZoneInfo("UTC"))
    system = datetime.now().astimezone().tzinfo
    assert system is not None
    ours = till.analysis.by_hour(period)
    explicit = Analysis(SqliteAnalysisStore(till.db), "T1", till.register.clock, system)
    assert ours.rows == explicit.by_hour(period).rows


@pytest.mark.parametrize(
    ("zone", "offsets"),
    [("UTC", [0]), ("Asia/Kathmandu", [345]), ("America/New_York", [-300, -240, -300])],
)
def test_a_year_is_cut_where_the_offset_changes(zone: str, offsets: list[int]) -> None:
    tz = ZoneInfo(zone)
    start, end = DateRange(date(2026, 1, 1), date(2026, 12, 31)).bounds(tz)
    spans = offset_spans(start, end, tz)
    assert [s.offset_minutes for s in spans] == offsets
    assert spans[0].start == start and spans[-1].end == end
    for before, after in zip(spans, spans[1:], strict=False):
        assert before.end == after.start
        # The cut is the exact second the clocks change.
        assert utc_offset_minutes(after.start, tz) == after.offset_minutes
        assert utc_offset_minutes(after.start - timedelta(seconds=1), tz) == before.offset_minutes


def test_the_system_zone_with_daylight_saving(
    generated: tuple[Till, Generated], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the system zone set to New York, the default (tz None) groups across the DST
    change exactly like the explicit zone."""
    import time

    till, _made = generated
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        ny = ZoneInfo("America/New_York")
        period = whole_range(ny)
        assert (
            till.analysis.by_hour(period).rows
            == analysis_in(till, "America/New_York").by_hour(period).rows
        )
        assert (
            till.analysis.voids(period).rows
            == analysis_in(till, "America/New_York").voids(period).rows
        )
    finally:
        monkeypatch.undo()
        time.tzset()
