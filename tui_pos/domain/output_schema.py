"""The documented shape of every output a script reads (exports and reports).

One place holds each schema: the writers build their records through
:meth:`Schema.record` (exactly the declared keys, in the declared order, whatever the
data), docs/outputs.md is checked against :func:`schema_markdown`, and the golden tests
check real output with :func:`json_problems` and :func:`csv_problems`.

Value types, the same in every output:

- ``cents``: money, an integer in minor units; the key ends in ``_cents``.
- ``count``: an integer count; ``id``: an integer row id.
- ``qty``: a quantity in the product's own unit (pieces, or kg with up to three
  decimals): a JSON number, a plain decimal in CSV (``12``, ``0.512``).
- ``money_text``: a price in major units with a dot (``1.79``), only in CSV files that
  are meant to be imported again (the products file takes prices this way).
- ``timestamp``: ISO 8601 with the local offset, to the second
  (``2026-12-02T09:15:00+01:00``); ``date``: ``YYYY-MM-DD``.
- ``bool``: JSON true/false; ``yes``/``no`` in CSV.
- ``text``: anything else, as stored (codes as imported, names as typed).
- ``cents_map``: an object of ``cents`` keyed by a fixed list (every key always
  present, zero when unused); CSV flattens it to ``name.key`` columns.
- ``tax_map``: an object keyed by tax code of ``{"rate", "base_cents", "tax_cents"}``;
  CSV flattens it to ``name.CODE.rate|base_cents|tax_cents`` columns for every tax code
  of the config (a stable header per config).
- ``text_list``: a JSON list of text; one cell of space-separated values in CSV.
- ``columns`` / ``rows``: an analysis report's column list and row objects: a column's
  ``kind`` gives its values' type (``money`` = cents, ``count``, ``qty`` = integer
  thousandths of the row's unit, ``percent`` = integer basis points, ``time`` =
  timestamp, ``text``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal, get_args

from tui_pos.domain.tender import TenderKind

ValueType = Literal[
    "text",
    "cents",
    "count",
    "id",
    "qty",
    "money_text",
    "timestamp",
    "date",
    "bool",
    "cents_map",
    "tax_map",
    "text_list",
    "columns",
    "rows",
]

#: Every tender kind, in the order the X/Z outputs list them (the domain's own list).
TENDER_KINDS: tuple[TenderKind, ...] = get_args(TenderKind)

_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_DECIMAL = re.compile(r"-?\d+(?:\.\d{1,3})?")
_MONEY_TEXT = re.compile(r"-?\d+\.\d\d")
_INTEGER = re.compile(r"-?\d+")
_TAX_PARTS = ("rate", "base_cents", "tax_cents")


def iso_timestamp(moment: datetime, tz: tzinfo | None = None) -> str:
    """``moment`` as every output writes a time: local (``tz``, else the machine's),
    to the second, with its offset: ``2026-12-02T09:15:00+01:00``."""
    return moment.astimezone(tz).isoformat(timespec="seconds")


def iso_timestamp_text(stored: str, tz: tzinfo | None = None) -> str:
    """A stored time (ISO text; naive means UTC, as the database keeps it) in the output
    style of :func:`iso_timestamp`."""
    moment = datetime.fromisoformat(stored)
    return iso_timestamp(moment if moment.tzinfo else moment.replace(tzinfo=UTC), tz)


@dataclass(frozen=True)
class Field:
    """One key of a record (one column of its CSV)."""

    name: str
    type: ValueType
    doc: str
    nullable: bool = False  #: may be null in JSON (an empty cell in CSV)
    keys: tuple[str, ...] = ()  #: the fixed keys of a ``cents_map``


@dataclass(frozen=True)
class Schema:
    """The records of one output: its fields in order, the command and formats."""

    name: str
    command: str
    formats: tuple[str, ...]
    doc: str
    fields: tuple[Field, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The keys (the CSV header before maps are flattened), in order."""
        return tuple(f.name for f in self.fields)

    def record(self, **values: Any) -> dict[str, Any]:
        """The declared keys in order; a missing or unknown key is a programming error."""
        missing = [n for n in self.names if n not in values]
        extra = [k for k in values if k not in self.names]
        if missing or extra:
            raise ValueError(f"{self.name}: missing {missing}, unknown {extra}")
        for f in self.fields:
            if f.type == "cents_map":
                values[f.name] = {k: int(values[f.name].get(k, 0)) for k in f.keys}
        return {n: values[n] for n in self.names}

    def csv_header(self, tax_codes: Sequence[str] = ()) -> list[str]:
        """The CSV header: maps flattened (``tenders_cents.cash``; tax codes as given)."""
        header: list[str] = []
        for f in self.fields:
            if f.type == "cents_map":
                header += [f"{f.name}.{k}" for k in f.keys]
            elif f.type == "tax_map":
                header += [f"{f.name}.{c}.{p}" for c in tax_codes for p in _TAX_PARTS]
            else:
                header.append(f.name)
        return header

    def csv_row(self, record: Mapping[str, Any], tax_codes: Sequence[str] = ()) -> list[object]:
        """One record as CSV cells in :meth:`csv_header` order."""
        cells: list[object] = []
        for f in self.fields:
            value = record[f.name]
            if f.type == "cents_map":
                cells += [value[k] for k in f.keys]
            elif f.type == "tax_map":
                empty = dict.fromkeys(_TAX_PARTS, "")
                cells += [value.get(c, empty)[p] for c in tax_codes for p in _TAX_PARTS]
            elif f.type == "bool":
                cells.append("yes" if value else "no")
            elif f.type == "text_list":
                cells.append(" ".join(value))
            else:
                cells.append("" if value is None else value)
        return cells


def _json_ok(f: Field, value: Any) -> bool:
    if value is None:
        return f.nullable
    if f.type in ("cents", "count", "id"):
        return isinstance(value, int) and not isinstance(value, bool)
    if f.type == "qty":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if f.type == "bool":
        return isinstance(value, bool)
    if f.type == "timestamp":
        return isinstance(value, str) and bool(_TIMESTAMP.fullmatch(value))
    if f.type == "date":
        return isinstance(value, str) and bool(_DATE.fullmatch(value))
    if f.type == "money_text":
        return isinstance(value, str) and bool(_MONEY_TEXT.fullmatch(value))
    if f.type == "cents_map":
        return (
            isinstance(value, dict)
            and list(value) == list(f.keys)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value.values())
        )
    if f.type == "text_list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if f.type == "columns":
        return isinstance(value, list) and all(list(c) == ["key", "title", "kind"] for c in value)
    if f.type == "rows":
        return isinstance(value, list | dict)
    if f.type == "tax_map":
        return isinstance(value, dict) and all(
            isinstance(v, dict)
            and list(v) == list(_TAX_PARTS)
            and isinstance(v["rate"], str)
            and all(isinstance(v[p], int) for p in _TAX_PARTS[1:])
            for v in value.values()
        )
    return isinstance(value, str)


def json_problems(schema: Schema, record: Mapping[str, Any]) -> list[str]:
    """What in a JSON record does not match ``schema`` (keys, order, types); [] if fine."""
    if list(record) != list(schema.names):
        return [f"{schema.name}: keys {list(record)} are not {list(schema.names)}"]
    return [
        f"{schema.name}.{f.name}: {record[f.name]!r} is not {f.type}"
        for f in schema.fields
        if not _json_ok(f, record[f.name])
    ]


def _cell_ok(kind: ValueType, cell: str, nullable: bool) -> bool:
    if cell == "":
        return nullable or kind in ("text", "text_list")
    patterns = {
        "cents": _INTEGER,
        "count": _INTEGER,
        "id": _INTEGER,
        "qty": _DECIMAL,
        "money_text": _MONEY_TEXT,
        "timestamp": _TIMESTAMP,
        "date": _DATE,
    }
    if kind == "bool":
        return cell in ("yes", "no")
    pattern = patterns.get(kind)
    return pattern is None or bool(pattern.fullmatch(cell))


def csv_problems(schema: Schema, text: str, tax_codes: Sequence[str] = ()) -> list[str]:
    """What in CSV text does not match ``schema`` (the header, each cell's type)."""
    rows = list(csv.reader(io.StringIO(text)))
    header = schema.csv_header(tax_codes)
    if not rows or rows[0] != header:
        return [f"{schema.name}: header {rows[0] if rows else []} is not {header}"]
    kinds: list[tuple[ValueType, bool]] = []
    for f in schema.fields:
        if f.type == "cents_map":
            kinds += [("cents", False)] * len(f.keys)
        elif f.type == "tax_map":
            kinds += [("text", False), ("cents", True), ("cents", True)] * len(tax_codes)
        else:
            kinds.append((f.type, f.nullable))
    problems: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            problems.append(f"{schema.name} line {number}: {len(row)} cells")
            continue
        for name, (kind, nullable), cell in zip(header, kinds, row, strict=True):
            if not _cell_ok(kind, cell, nullable):
                problems.append(f"{schema.name} line {number} {name}: {cell!r} is not {kind}")
    return problems


def schema_markdown(schemas: Iterable[Schema]) -> str:
    """The schemas as the Markdown tables of docs/outputs.md (a test keeps them equal)."""
    parts: list[str] = []
    for s in schemas:
        parts += [
            f"### {s.name}",
            "",
            f"`{s.command}` ({', '.join(s.formats)}). {s.doc}",
            "",
            "| key | type | meaning |",
            "|---|---|---|",
        ]
        for f in s.fields:
            kind = f.type + (" or null" if f.nullable else "")
            if f.keys:
                kind += f" ({', '.join(f.keys)})"
            parts.append(f"| `{f.name}` | {kind} | {f.doc} |")
        parts.append("")
    return "\n".join(parts)
