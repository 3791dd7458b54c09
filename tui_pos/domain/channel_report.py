"""The till's sales by channel: its own sales (``till``) and the web orders it knows
(``web``: imported from a file, or pulled from the store server)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui_pos.domain.analysis import AnalysisReport, Column, DateRange

CHANNELS = ("till", "web")


@dataclass(frozen=True)
class ChannelSales:
    """Completed documents of one channel in a range and what they came to."""

    channel: str
    documents: int
    total_cents: int


def by_channel(till: str, period: DateRange, groups: Sequence[ChannelSales]) -> AnalysisReport:
    """One row per channel with documents; the total is the sum over channels."""
    rows = tuple(
        (g.channel, g.documents, g.total_cents)
        for g in sorted(groups, key=lambda g: CHANNELS.index(g.channel))
        if g.documents
    )
    days = f"on {period.label}" if period.days == 1 else f"from {period.label}"
    return AnalysisReport(
        "channel",
        "Sales by channel",
        till,
        period,
        (
            Column("channel", "Channel"),
            Column("sales", "Sales", "count"),
            Column("total_cents", "Total", "money"),
        ),
        rows,
        ("Total", sum(r[1] for r in rows), sum(r[2] for r in rows)) if rows else None,
        f"No sales {days}",
    )
