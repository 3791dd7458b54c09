"""Analysis reports as data: a date range, columns, rows and a totals row.

A report is what the store summed, shaped for reading; it knows nothing of how it is
shown (Rich table, DataTable, chart, CSV, JSON). Values stay raw: money in minor units
(``*_cents`` columns), quantities in thousandths (``qty_milli``), counts as ints.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from tui_pos.domain.errors import DomainError
from tui_pos.domain.money import div_round, format_money
from tui_pos.domain.quantity import format_quantity

ReportKind = Literal[
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
    "hours",
    "audit",
    "summary",
    "month",
    "cohort",
    "offers",
    "channel",
]

#: Every report, in the order menus list them.
REPORT_KINDS: tuple[ReportKind, ...] = (
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
)

#: How a column's values read: ``time`` values are ISO 8601 timestamps with the offset
#: (docs/outputs.md), shown to the minute in a table.
ColumnKind = Literal["text", "money", "qty", "count", "percent", "time"]

_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")

#: A date range may not be longer than this (a mistyped year would scan decades).
MAX_RANGE_DAYS = 3660


class DateRangeError(DomainError):
    """A date that cannot be read, or a range that ends before it starts."""


@dataclass(frozen=True)
class DateRange:
    """Local calendar days from ``first`` to ``last``, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise DateRangeError(
                f"The range ends ({self.last.isoformat()}) before it starts "
                f"({self.first.isoformat()})"
            )
        if self.days > MAX_RANGE_DAYS:
            raise DateRangeError(f"A range of {self.days} days is too long (at most 10 years)")

    @property
    def days(self) -> int:
        """How many calendar days the range covers."""
        return self.last.toordinal() - self.first.toordinal() + 1

    @property
    def label(self) -> str:
        """``2026-11-25`` for one day, ``2026-11-01 to 2026-11-30`` for more."""
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} to {self.last.isoformat()}"

    def bounds(self, tz: tzinfo | None) -> tuple[datetime, datetime]:
        """``[start, end)`` as aware datetimes: local midnight of ``first`` to the
        midnight after ``last`` (each with the offset in force on its date)."""
        return day_start(self.first, tz), day_start(date.fromordinal(self.last.toordinal() + 1), tz)


def day_start(day: date, tz: tzinfo | None) -> datetime:
    """Local midnight starting ``day``; ``tz`` None means the system's zone."""
    if tz is not None:
        return datetime.combine(day, time.min, tzinfo=tz)
    # A naive local time's astimezone() applies the system zone's rules for that date.
    return datetime.combine(day, time.min).astimezone()


@dataclass(frozen=True)
class OffsetSpan:
    """A stretch of time in which the local zone keeps one UTC offset."""

    start: datetime
    end: datetime
    offset_minutes: int


def utc_offset_minutes(moment: datetime, tz: tzinfo | None) -> int:
    """The local zone's offset from UTC at ``moment`` (aware), in minutes."""
    offset = moment.astimezone(tz).utcoffset()
    assert offset is not None  # astimezone() always gives an aware time
    return int(offset.total_seconds()) // 60


def offset_spans(start: datetime, end: datetime, tz: tzinfo | None) -> list[OffsetSpan]:
    """``[start, end)`` cut where the offset changes (daylight saving), so each span can be
    grouped by local hour with one fixed offset. A year has one to three spans."""
    spans: list[OffsetSpan] = []
    span_start, current = start, utc_offset_minutes(start, tz)
    probe = start
    while probe < end:
        step = min(probe + timedelta(days=1), end)
        if utc_offset_minutes(step, tz) == current:
            probe = step
            continue
        low, high = probe, step  # the change is in (low, high]: find its second
        while high - low > timedelta(seconds=1):
            middle = low + (high - low) / 2
            if utc_offset_minutes(middle, tz) == current:
                low = middle
            else:
                high = middle
        if high >= end:
            break
        spans.append(OffsetSpan(span_start, high, current))
        span_start, current, probe = high, utc_offset_minutes(high, tz), high
    spans.append(OffsetSpan(span_start, end, current))
    return spans


def parse_day(text: str, what: str = "date") -> date:
    """A date typed as ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DateRangeError(f"{what}: {text.strip()!r} is not a date like 2026-11-25") from None


def parse_range(
    today: date,
    *,
    day: str | None = None,
    first: str | None = None,
    last: str | None = None,
) -> DateRange:
    """The range the user asked for: one ``day``, or ``first``..``last`` (either may be
    left out: from the first alone runs to today, to the last alone is that one day);
    nothing given means today."""
    if day is not None:
        if first is not None or last is not None:
            raise DateRangeError("Give either a date or a from/to range, not both")
        one = parse_day(day)
        return DateRange(one, one)
    start = parse_day(first, "from") if first is not None else None
    end = parse_day(last, "to") if last is not None else None
    if start is None and end is None:
        return DateRange(today, today)
    if start is None:
        assert end is not None
        return DateRange(end, end)
    return DateRange(start, end if end is not None else max(today, start))


def parse_range_text(text: str, today: date) -> DateRange:
    """A range typed in one field: ``2026-11-25``, ``2026-11-01 2026-11-30``,
    ``2026-11-01..2026-11-30``; empty means today."""
    parts = text.replace("..", " ").replace(" to ", " ").split()
    if not parts:
        return DateRange(today, today)
    if len(parts) == 1:
        return parse_range(today, day=parts[0])
    if len(parts) == 2:
        return parse_range(today, first=parts[0], last=parts[1])
    raise DateRangeError(f"{text.strip()!r}: give one date or two (from and to)")


@dataclass(frozen=True)
class Column:
    """One column: the key of its values, a heading, and how its values read."""

    key: str
    title: str
    kind: ColumnKind = "text"


Cell = str | int | None
Row = tuple[Cell, ...]


@dataclass(frozen=True)
class AnalysisReport:
    """A report ready to show: rows in reading order and, for summable reports, totals.

    ``totals`` cover every row of the range even when ``rows`` was cut to the top N.
    ``chart`` names the column to draw against the first one ("bar" reports only).
    """

    kind: ReportKind
    title: str
    till: str
    period: DateRange
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    totals: Row | None = None
    empty_message: str = ""
    chart: str | None = None
    note: str = ""

    @property
    def is_empty(self) -> bool:
        """Nothing happened in the range (the message says so)."""
        return not self.rows

    def column(self, key: str) -> list[Cell]:
        """The values of one column, row by row."""
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    def total(self, key: str) -> Cell:
        """The totals row's value of one column (None without totals)."""
        if self.totals is None:
            return None
        return self.totals[[c.key for c in self.columns].index(key)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the range, the columns, rows and totals as objects keyed by column."""
        keys = [c.key for c in self.columns]
        return {
            "report": self.kind,
            "title": self.title,
            "till": self.till,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "columns": [{"key": c.key, "title": c.title, "kind": c.kind} for c in self.columns],
            "rows": [dict(zip(keys, row, strict=True)) for row in self.rows],
            "totals": dict(zip(keys, self.totals, strict=True)) if self.totals else None,
            "count": len(self.rows),
            "message": self.empty_message if self.is_empty else None,
            "note": self.note or None,
        }

    def text_rows(self) -> list[list[str]]:
        """The rows as text, amounts and quantities formatted for reading."""
        return [self._text(row) for row in self.rows]

    def text_totals(self) -> list[str] | None:
        """The totals row as text (None without totals)."""
        return None if self.totals is None else self._text(self.totals)

    def _text(self, row: Row) -> list[str]:
        keys = [c.key for c in self.columns]
        unit = row[keys.index("unit")] if "unit" in keys else "each"
        return [format_cell(v, c.kind, str(unit)) for v, c in zip(row, self.columns, strict=True)]


def format_cell(value: Cell, kind: ColumnKind, unit: str = "each") -> str:
    """One value as it reads in a table: money ``12.50``, quantity ``0.512 kg``, share
    ``12.5%``; None is empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        if kind == "time" and _TIMESTAMP.match(value):  # not a totals label
            return value[:16].replace("T", " ")
        return value
    if kind == "money":
        return format_money(value)
    if kind == "qty":
        sign = "-" if value < 0 else ""
        return sign + format_quantity(abs(value), "kg" if unit == "kg" else "each")
    if kind == "percent":
        whole, frac = divmod(abs(value), 100)
        return f"{'-' if value < 0 else ''}{whole}.{frac:02d}%"
    return str(value)


# -- building rows (every report's shaping uses these) ---------------------------------
def share_bp(part: int, whole: int) -> int | None:
    """``part / whole`` in hundredths of a percent (None when ``whole`` is not positive)."""
    return div_round(part * 10_000, whole) if whole > 0 else None


def average(total: int, count: int) -> int | None:
    """``total / count`` rounded half away from zero (None for no count)."""
    return div_round(total, count) if count else None


def no_rows(what: str, period: DateRange) -> str:
    """The message of an empty report: ``No sales on 2026-01-05`` / ``... from ...``."""
    return f"No {what} {'on' if period.days == 1 else 'from'} {period.label}"


def totals_row(
    label: str, columns: Sequence[Column], rows: Sequence[Row], summed: Collection[str]
) -> list[Cell]:
    """A totals row: ``label`` first, the sum of each column named in ``summed`` (an
    empty cell counts 0), empty elsewhere; the caller fills in averages and shares."""
    total: list[Cell] = [label]
    for index, column in enumerate(columns[1:], start=1):
        total.append(sum(int(row[index] or 0) for row in rows) if column.key in summed else None)
    return total
