"""CSV as the till writes it: every export goes through :func:`csv_text`.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken
by a spreadsheet as a formula (``=HYPERLINK(...)`` in a product name or a customer's
notes runs when a manager opens the export). As OWASP recommends, such a cell is
prefixed with a single quote, which the spreadsheet shows as text. Numbers stay numbers:
an ``int`` or a plain decimal string (``-150``, ``-1.50``, ``+3``) is written as it is,
since a sign before digits alone computes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence

#: What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet will not run it: numbers as they are, None as empty,
    text starting like a formula with ``'`` in front."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object] | Mapping[str, object]]) -> str:
    """A header row and the rows (sequences, or mappings keyed by the header's names) as
    CSV text with ``\\n`` line ends, every cell through :func:`safe_cell`."""
    out = io.StringIO()
    line = io.StringIO()
    # "\r\n" as the writer's line end makes it quote a cell holding a lone CR (with "\n"
    # it would not, and the CR would split the row); each line then ends with "\n".
    writer = csv.writer(line, lineterminator="\r\n")

    def write(cells: Iterable[object]) -> None:
        line.seek(0)
        line.truncate()
        writer.writerow([safe_cell(v) for v in cells])
        out.write(line.getvalue()[:-2] + "\n")

    write(header)
    for row in rows:
        write([row.get(h) for h in header] if isinstance(row, Mapping) else row)
    return out.getvalue()
