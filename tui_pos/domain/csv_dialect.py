"""Which delimiter an import file uses: comma, semicolon (a spreadsheet set to a
European locale saves those) or tab, told from its header line.

The header names known columns, so each candidate splits it and the one that yields the
most known names wins: more reliable than ``csv.Sniffer`` on a short header (it guesses
from character frequencies and picks a letter on a one-column file). A header where two
delimiters find as many known names with different columns, or with no known name and
several candidates present, cannot be told: a clear error, never a guess.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from tui_pos.domain.errors import DomainError

#: The delimiters an import file may use, the default first.
DELIMITERS: tuple[str, ...] = (",", ";", "\t")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


class DelimiterError(DomainError):
    """The header line does not say which delimiter the file uses."""


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def detect_delimiter(header: str, known: Iterable[str]) -> str:
    """The delimiter of a file whose first line is ``header`` (``known``: its possible
    column names, compared without case or surrounding spaces)."""
    names = {k.lower() for k in known}
    splits = {d: [c.strip().lower() for c in _cells(header, d)] for d in DELIMITERS}
    scores = {d: sum(c in names for c in cells) for d, cells in splits.items()}
    best = max(scores.values())
    if best == 0:
        present = [d for d in DELIMITERS if d in header]
        if len(present) <= 1:
            return present[0] if present else ","
        raise DelimiterError(_unclear(present))
    winners = [d for d in DELIMITERS if scores[d] == best]
    if len({tuple(splits[d]) for d in winners}) > 1:
        raise DelimiterError(_unclear(winners))
    return winners[0]


def _unclear(candidates: list[str]) -> str:
    which = " or ".join(_NAMES[d] for d in candidates)
    return (
        f"cannot tell whether the columns are separated by {which}: save the file with "
        "one delimiter (comma, semicolon or tab) and a header of the column names"
    )
