"""A table that picks its columns by the width it has.

At 80 columns a report or a return showed its name column at full length and pushed the
numbers off the edge. Here the first column (the name) is cut with an ellipsis to what
is left, numbers come next in order of importance, and a column that does not fit at all
is left out (the caption says so) rather than hidden past the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from tui_pos.domain.text_width import cell_width, fit
from tui_pos.widgets.plain import plain

#: DataTable pads each cell by one cell on both sides.
_CELL_PADDING = 2
#: Room kept for the vertical scrollbar (``size`` is already inside the border).
_CHROME = 2
#: The name column never gets narrower than this (or its longest value, if shorter).
MIN_NAME = 12
#: A text column other than the name is cut at this many cells.
MAX_TEXT = 20


@dataclass(frozen=True)
class FitColumn:
    """One column: its heading, whether it holds numbers (right-aligned, kept first)."""

    title: str
    numeric: bool = False
    key: str = ""


def choose_columns(
    columns: Sequence[FitColumn], rows: Sequence[Sequence[str]], width: int
) -> tuple[list[int], list[int]]:
    """Which columns fit in ``width`` cells, and their widths.

    The first column always shows (at least ``MIN_NAME`` cells, cut with an ellipsis);
    then numeric columns in their order, then the name's full width, then the other
    text columns, while they fit.
    Returns the indexes of the columns shown (in their order) and the widths, one per
    column (0 for one left out).
    """
    natural = [
        max([cell_width(c.title), *(cell_width(r[i]) for r in rows if i < len(r))])
        for i, c in enumerate(columns)
    ]
    for i, c in enumerate(columns):
        if i and not c.numeric:
            natural[i] = min(natural[i], MAX_TEXT)
    widths = [0] * len(columns)
    if not columns:
        return [], widths
    name = min(natural[0], MIN_NAME)
    used = name + _CELL_PADDING
    numbers = [i for i in range(1, len(columns)) if columns[i].numeric]
    texts = [i for i in range(1, len(columns)) if not columns[i].numeric]
    for i in numbers:  # the numbers first: they are what a report is for
        if used + natural[i] + _CELL_PADDING <= width:
            widths[i] = natural[i]
            used += natural[i] + _CELL_PADDING
    grown = max(name, min(natural[0], width - used + name))  # then the whole name
    used += grown - name
    for i in texts:  # then other text columns (a code, a unit), if room is left
        if used + natural[i] + _CELL_PADDING <= width:
            widths[i] = natural[i]
            used += natural[i] + _CELL_PADDING
    widths[0] = max(grown, min(natural[0], width - used + grown))
    return [i for i, w in enumerate(widths) if w], widths


class FittedTable(DataTable[Text]):
    """A DataTable whose data is given whole and laid out again when its width changes."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._columns: list[FitColumn] = []
        self._rows: list[tuple[list[str], str, str | None]] = []
        self._laid_out_for = -1
        #: columns left out at the current width (their titles), for a caption
        self.left_out: list[str] = []

    def set_data(
        self,
        columns: Sequence[FitColumn],
        rows: Sequence[Sequence[str]],
        *,
        styles: Sequence[str] = (),
        keys: Sequence[str | None] = (),
    ) -> None:
        """Show ``rows`` (texts) under ``columns``; ``styles``/``keys`` per row (optional)."""
        self._columns = list(columns)
        self._rows = [
            (list(r), styles[n] if n < len(styles) else "", keys[n] if n < len(keys) else None)
            for n, r in enumerate(rows)
        ]
        self._lay_out()

    def _lay_out(self) -> None:
        width = max(self.size.width - _CHROME, 0) or 76  # 76: not laid out yet
        row = self.cursor_row
        shown, widths = choose_columns(self._columns, [r for r, _, _ in self._rows], width)
        self._laid_out_for = self.size.width
        self.left_out = [c.title for i, c in enumerate(self._columns) if i not in shown]
        self.clear(columns=True)
        for i in shown:
            self.add_column(plain(self._columns[i].title), width=widths[i], key=f"c{i}")
        for texts, style, key in self._rows:
            cells = []
            for i in shown:
                value = texts[i] if i < len(texts) else ""
                numeric = self._columns[i].numeric
                cells.append(
                    Text(
                        fit(value, widths[i]),
                        style=style,
                        justify="right" if numeric else "left",
                        no_wrap=True,
                    )
                )
            self.add_row(*cells, key=key)
        if self.row_count:
            self.move_cursor(row=min(max(row, 0), self.row_count - 1))

    def on_resize(self, event: events.Resize) -> None:
        """Choose the columns again for the new width."""
        if event.size.width != self._laid_out_for and self._columns:
            self._lay_out()
