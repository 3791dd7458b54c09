"""How times are stored: UTC without a zone (SQLite has none), and as journal text."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The production clock."""
    return datetime.now(UTC)


def to_utc_naive(moment: datetime) -> datetime:
    """Stored times are UTC without tzinfo."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_utc_naive(moment: datetime) -> datetime:
    """A stored time back as an aware UTC datetime."""
    return moment.replace(tzinfo=UTC)


def stamp(moment: datetime) -> str:
    """An aware time as it is written in the database and in journal payloads."""
    return to_utc_naive(moment).isoformat(sep=" ")


def stamp_of(value: datetime | str) -> str:
    """A stored time (a naive UTC datetime, or text as SQLite returns it) as journal text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.isoformat(sep=" ")
