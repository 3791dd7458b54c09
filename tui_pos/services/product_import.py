"""Importing the products CSV: every row valid, or nothing written.

Columns (UTF-8, header row, comma, semicolon or tab between them):
``barcode,name,price,tax,category,stock`` required, ``plu,unit,reorder_level``
optional, ``damaged,low`` (from ``export stock``) accepted and ignored (see
docs/outputs.md). Each bad row is reported with
its line number and reason.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Protocol

from tui_pos.domain.barcode import BarcodeParser
from tui_pos.domain.csv_dialect import DelimiterError, detect_delimiter
from tui_pos.domain.errors import DomainError, ImportRowError
from tui_pos.domain.money import parse_money
from tui_pos.domain.quantity import QuantityLimits, Unit, parse_quantity

REQUIRED = ("barcode", "name", "price", "tax", "category", "stock")
OPTIONAL = ("plu", "unit", "reorder_level")
#: Columns of ``tui-pos export stock`` that an import accepts and does not read.
READ_ONLY = ("damaged", "low")
#: Stock and reorder levels are not bound by the per-line sale limits.
_STOCK_LIMITS = QuantityLimits(max_each=9_999_999, max_weight_grams=9_999_999_999)


@dataclass(frozen=True)
class ProductRecord:
    """One validated row of the products file."""

    line: int
    code: str | None
    name: str
    price_cents: int
    tax_code: str
    category: str
    stock_milli: int | None
    plu: str | None
    unit: Unit
    reorder_level_milli: int
    #: The optional columns the file has: an update leaves the others as they are.
    given: frozenset[str] = frozenset(OPTIONAL)


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    created: int
    updated: int
    dry_run: bool


class ImportFailed(DomainError):
    """The file has bad rows; nothing was written. ``errors`` lists them all."""

    def __init__(self, errors: list[ImportRowError]) -> None:
        shown = "\n".join(str(e) for e in errors[:50])
        more = f"\n... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} bad row(s), nothing imported:\n{shown}{more}")
        self.errors = errors


class SeenKeys(Protocol):
    """Where an import remembers the barcodes and PLUs it has read, to find a key that two
    rows give (a dict in memory, or a temporary table when the file is large)."""

    def first_line(self, kind: str, key: str, line: int) -> int | None:
        """The earlier line that has ``key`` of ``kind``; else remember ``line``, None."""


class MemorySeenKeys:
    """:class:`SeenKeys` in a dict (small files, tests)."""

    def __init__(self) -> None:
        self._lines: dict[tuple[str, str], int] = {}

    def first_line(self, kind: str, key: str, line: int) -> int | None:
        """See :meth:`SeenKeys.first_line`."""
        first = self._lines.setdefault((kind, key), line)
        return None if first == line else first


class ProductRows:
    """The rows of a products file, validated one at a time as they are read (a file of
    a million rows is never held in memory). Bad rows are collected in ``errors`` with
    their line numbers; the header is checked at once (ImportFailed on line 1)."""

    def __init__(self, rows: Iterable[str], tax_codes: Iterable[str], parser: BarcodeParser):
        self._reader, header = csv_reader(rows, REQUIRED, OPTIONAL, ignored=READ_ONLY)
        self._given = frozenset(h for h in header if h in OPTIONAL)
        self._taxes = set(tax_codes)
        self._parser = parser
        self.errors: list[ImportRowError] = []

    def records(self, seen: SeenKeys) -> Iterator[ProductRecord]:
        """The valid records in file order; a row that repeats an earlier row's barcode or
        PLU is a bad row (its key is not remembered: the earlier row stays the reference)."""
        reader = self._reader
        for row in _rows(reader, self.errors):
            line = reader.line_num
            try:
                record = _record(line, row, self._taxes, self._parser, self._given)
                for key, kind in ((record.code, "barcode"), (record.plu, "plu")):
                    if key is not None and (first := seen.first_line(kind, key, line)):
                        raise ImportRowError(line, f"{kind} also on line {first}")
            except ImportRowError as exc:
                self.errors.append(exc)
                continue
            yield record

    def fail(self, more: Iterable[ImportRowError] = ()) -> None:
        """Raise ImportFailed listing every bad row (``more`` too), in line order; nothing
        when all rows were good."""
        errors = sorted([*self.errors, *more], key=lambda e: e.line)
        if errors:
            raise ImportFailed(errors)


class CatalogWriter(Protocol):
    """Writes validated products (one transaction for the whole file)."""

    def upsert_products(
        self, products: ProductRows, till: str, now: datetime, dry_run: bool
    ) -> ImportSummary:
        """Create or update the products as their rows are read; stock given in a row
        becomes a count movement. When any row is bad (``products.errors``, or a PLU that
        belongs to another product) nothing is written: raise ImportFailed listing them."""


def parse_products(
    rows: Iterable[str], tax_codes: Iterable[str], parser: BarcodeParser
) -> list[ProductRecord]:
    """Validate a products CSV given as lines of text; raise ImportFailed on any bad row."""
    products = ProductRows(rows, tax_codes, parser)
    records = list(products.records(MemorySeenKeys()))
    products.fail()
    return records


def csv_reader(
    rows: Iterable[str],
    required: Sequence[str],
    optional: Sequence[str],
    *,
    fold_case: bool = False,
    ignored: Sequence[str] = (),
) -> tuple[csv.DictReader[str], list[str]]:
    """A reader over an import file whose header names every ``required`` column and no
    unknown one (ImportFailed on line 1 otherwise); returns it with the header read.
    The delimiter (comma, semicolon or tab) is told from the header; ``ignored`` columns
    are accepted and not read (the read-only columns of an export)."""
    lines = iter(rows)
    first = next(lines, "")
    try:
        delimiter = detect_delimiter(first, (*required, *optional, *ignored))
    except DelimiterError as exc:
        raise ImportFailed([ImportRowError(1, str(exc))]) from exc
    reader = csv.DictReader(chain([first], lines), delimiter=delimiter)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ImportFailed([ImportRowError(1, f"not readable as CSV: {exc}")]) from exc
    if fold_case:
        header = [h.lower() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailed([ImportRowError(1, f"missing column(s): {', '.join(missing)}")])
    unknown = [h for h in header if h not in (*required, *optional, *ignored)]
    if unknown:
        raise ImportFailed([ImportRowError(1, f"unknown column(s): {', '.join(unknown)}")])
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:  # the csv module would keep the last one's values, silently
        raise ImportFailed([ImportRowError(1, f"column(s) given twice: {', '.join(twice)}")])
    reader.fieldnames = header
    return reader, header


def _rows(
    reader: csv.DictReader[str], errors: list[ImportRowError]
) -> Iterator[dict[str | None, str | list[str] | None]]:
    """The rows of ``reader``; a row the csv module cannot read (an unclosed quote running
    into a huge field...) ends the file as a bad row instead of a crash."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(ImportRowError(reader.line_num, f"not readable as CSV: {exc}"))
            return
        yield row


def _record(
    line: int,
    row: dict[str | None, str | list[str] | None],
    taxes: set[str],
    parser: BarcodeParser,
    given: frozenset[str] = frozenset(OPTIONAL),
) -> ProductRecord:
    if None in row:
        raise ImportRowError(line, "more fields than columns")

    def field(name: str) -> str:
        value = row.get(name)
        if value is None and name in REQUIRED:
            raise ImportRowError(line, f"missing {name}")
        return str(value or "").strip()

    name = field("name")
    if not name or len(name) > 120 or not name.isprintable():
        raise ImportRowError(line, "name must be 1-120 printable characters")
    price_text = field("price")
    try:
        price = parse_money(price_text)
    except DomainError as exc:
        raise ImportRowError(line, f"price: {exc}") from exc
    tax = field("tax").upper()
    if tax not in taxes:
        raise ImportRowError(
            line, f"tax code {tax!r} is not a tax code of this till ({', '.join(sorted(taxes))})"
        )
    unit_text = field("unit").lower() or "each"
    if unit_text not in ("each", "kg"):
        raise ImportRowError(line, f"unit must be each or kg, got {unit_text!r}")
    unit: Unit = "kg" if unit_text == "kg" else "each"
    code = _code(line, field("barcode"), parser)
    plu = field("plu") or None
    if plu is not None and not re.fullmatch(r"[0-9]{1,6}", plu):
        raise ImportRowError(line, "plu must be 1-6 digits")
    if plu is not None:
        plu = plu.lstrip("0") or "0"
    if code is None and plu is None:
        raise ImportRowError(line, "needs a barcode or a plu")
    return ProductRecord(
        line=line,
        code=code,
        name=name,
        price_cents=price,
        tax_code=tax,
        category=field("category")[:60],
        # Without a unit column the level may be a weight: kg reads "12" and "12.5" alike.
        stock_milli=_level(line, "stock", field("stock"), unit if "unit" in given else "kg"),
        plu=plu,
        unit=unit,
        reorder_level_milli=_level(line, "reorder_level", field("reorder_level"), unit) or 0,
        given=given,
    )


def _code(line: int, text: str, parser: BarcodeParser) -> str | None:
    if not text:
        return None
    try:
        scanned = parser.parse(text)
    except DomainError as exc:
        raise ImportRowError(line, f"barcode: {exc}") from exc
    if scanned.kind == "plu":
        raise ImportRowError(line, f"barcode {text} is too short: put it in the plu column")
    if scanned.kind not in ("product", "price", "weight"):
        raise ImportRowError(line, f"barcode {text} is a {scanned.kind} code, not an item")
    return scanned.code


def _level(line: int, column: str, text: str, unit: Unit) -> int | None:
    if not text:
        return None
    if text in ("0", "0.0", "0.000"):
        return 0
    try:
        return parse_quantity(text, unit, _STOCK_LIMITS)
    except DomainError as exc:
        raise ImportRowError(line, f"{column}: {exc}") from exc


def import_products(
    rows: Iterable[str],
    writer: CatalogWriter,
    tax_codes: Iterable[str],
    parser: BarcodeParser,
    *,
    till: str,
    now: datetime,
    dry_run: bool = False,
) -> ImportSummary:
    """Validate and write the rows in one transaction: every row valid, or nothing written
    (ImportFailed lists the bad rows); a dry run writes nothing either way."""
    return writer.upsert_products(ProductRows(rows, tax_codes, parser), till, now, dry_run)
