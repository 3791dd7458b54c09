"""Importing the customers CSV: every row valid, or nothing written.

Columns (UTF-8, header row): ``name`` required; ``card,phone,email,birthday,notes,
preferences,consent`` optional. ``birthday`` is ``YYYY-MM-DD``; ``consent`` is yes/no
(also true/false, 1/0; empty = no). A row matching an existing customer by card, else by
phone, updates that customer; other rows create customers. Each bad row is reported with
its line number and reason (the pattern of :mod:`tui_pos.services.product_import`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tui_pos.domain.barcode import BarcodeParser
from tui_pos.domain.customer import CustomerDetails, check_details, parse_birthday, phone_digits
from tui_pos.domain.errors import DomainError, ImportRowError
from tui_pos.services.ports import CustomerStore
from tui_pos.services.product_import import ImportFailed, _rows, csv_reader

REQUIRED = ("name",)
OPTIONAL = ("card", "phone", "email", "birthday", "notes", "preferences", "consent")
_YES = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False}
_YES |= {"false": False, "0": False, "": False}


@dataclass(frozen=True)
class CustomerImportSummary:
    """What an import did (or, for a dry run, would do)."""

    created: int
    updated: int
    dry_run: bool


def card_key(text: str, parser: BarcodeParser) -> str:
    """How a card number is stored: a scannable loyalty card as the scanner reads it
    (its 13 digits), anything else as typed."""
    try:
        scanned = parser.parse(text)
    except DomainError:
        return text
    return scanned.code if scanned.kind == "customer" else text


def parse_customers(
    rows: Iterable[str], parser: BarcodeParser
) -> list[tuple[int, CustomerDetails]]:
    """Validate a customers CSV given as lines of text; raise ImportFailed on any bad row."""
    reader, header = csv_reader(rows, REQUIRED, OPTIONAL, fold_case=True)
    records: list[tuple[int, CustomerDetails]] = []
    errors: list[ImportRowError] = []
    seen: dict[tuple[str, str], int] = {}
    for row in _rows(reader, errors):
        line = reader.line_num
        try:
            details = _details(line, row, parser)
            keys = [("card", details.card or ""), ("phone", phone_digits(details.phone))]
            for label, key in keys:
                if key and (label, key) in seen:
                    raise ImportRowError(line, f"{label} also on line {seen[(label, key)]}")
            for label, key in keys:
                if key:
                    seen[(label, key)] = line
            records.append((line, details))
        except ImportRowError as exc:
            errors.append(exc)
    if errors:
        raise ImportFailed(errors)
    return records


def _details(
    line: int, row: dict[str | None, str | list[str] | None], parser: BarcodeParser
) -> CustomerDetails:
    if None in row:
        raise ImportRowError(line, "more fields than columns")

    def field(name: str) -> str:
        return str(row.get(name) or "").strip()

    consent_text = field("consent").lower()
    if consent_text not in _YES:
        raise ImportRowError(line, f"consent must be yes or no, got {field('consent')!r}")
    try:
        card = field("card")
        return check_details(
            CustomerDetails(
                name=field("name"),
                phone=field("phone"),
                email=field("email"),
                birthday=parse_birthday(field("birthday")),
                notes=field("notes"),
                preferences=field("preferences"),
                marketing_consent=_YES[consent_text],
                card=card_key(card, parser) if card else None,
            )
        )
    except DomainError as exc:
        raise ImportRowError(line, str(exc)) from exc


def import_customers(
    rows: Iterable[str],
    store: CustomerStore,
    parser: BarcodeParser,
    *,
    now: datetime,
    dry_run: bool = False,
) -> CustomerImportSummary:
    """Validate every row, then write them all in one transaction (or none on a dry run)."""
    records = parse_customers(rows, parser)
    created, updated = store.import_customers(records, now, dry_run)
    return CustomerImportSummary(created, updated, dry_run)
