"""``tui-pos db verify``: the journal's chains, and every document against its entry."""

from __future__ import annotations

import json
from collections.abc import Iterator

from peewee import Database

from tui_pos.domain.journal import canonical, check_chain
from tui_pos.domain.sale import format_sale_number
from tui_pos.models.journal_store import COLUMNS, entry_of, stored_documents


def verify_journal(db: Database) -> tuple[list[str], int]:
    """Check every till's chain and every document against it.

    Returns (problems, entries checked); the first problem of each kind of check is
    enough to know the database was altered, so each check stops at its first finding.
    """
    problems: list[str] = []
    checked = 0
    tills = [r[0] for r in db.execute_sql("SELECT DISTINCT till FROM journal").fetchall()]
    expected: dict[tuple[str, str], str] = {}
    for till in sorted(tills):
        entries = [
            entry_of(r)
            for r in db.execute_sql(
                f"SELECT {COLUMNS} FROM journal WHERE till = ? ORDER BY seq", (till,)
            ).fetchall()
        ]
        checked += len(entries)
        broken = check_chain(entries)
        if broken:
            problems.append(broken)
        for entry in entries:
            expected[(entry.kind, entry.doc_uuid)] = entry.payload
    found = dict(_documents(db))
    for key, payload in found.items():
        if key not in expected:
            name = _name(key, payload)
            problems.append(f"{name} is not in the journal (added, or its entry deleted)")
            break
    for key, payload in expected.items():
        if key not in found:
            name = _name(key, payload)
            problems.append(f"{name} is in the journal but not in the database (deleted)")
            break
        if found[key] != payload:
            problems.append(f"{_name(key, payload)} differs from its journal entry (edited)")
            break
    return problems, checked


def _name(key: tuple[str, str], payload: str) -> str:
    """How a person finds the document: ``sale T1-000042``, ``Z close T1-Z3``."""
    kind, uuid = key
    data = json.loads(payload)
    if kind in ("sale", "void"):
        label = "sale" if kind == "sale" else "voided sale"
        return f"{label} {format_sale_number(str(data.get('till')), int(data.get('seq') or 0))}"
    if kind == "z_close":
        return f"Z close {uuid}"
    return f"drawer event #{data.get('seq')} ({data.get('reason')})"


def _documents(db: Database) -> Iterator[tuple[tuple[str, str], str]]:
    """Every stored document as (kind, doc uuid) -> canonical payload, rebuilt from rows."""
    for doc in stored_documents(db):
        yield (doc.kind, doc.doc_uuid), canonical(doc.payload)
