"""``tui-pos db verify``: the keyed chain, every chained row, the anchor file, the schema.

- Each entry must follow the one before (number, previous MAC, running grand total) and
  carry the MAC the key gives: an entry edited, removed, reordered or rebuilt without the
  key is found.
- The rows each entry covers are read again and digested: a chained row edited, deleted
  or slipped in between is found; a row after the last entry's marks was added behind
  the till's back.
- The anchor file (heads appended after each commit) must be reached by the chain with
  the same MACs: a database cut back (its last sale removed with its entry, or an older
  backup restored) or a chain rebuilt is found. So must the head printed on each Z.
- The schema must be the one the migrations made (append-only triggers in place).
"""

from __future__ import annotations

import json
from pathlib import Path

from peewee import Database

from tui_pos.domain.chain import ChainEntry, RowDigest, check_link
from tui_pos.domain.errors import StorageError
from tui_pos.models.chain_store import (
    ENTRY_COLUMNS,
    add_rows,
    anchor_path,
    key_path,
    last_ids,
    missing_key_message,
)
from tui_pos.models.chain_tables import CHAINED
from tui_pos.models.database import database_file
from tui_pos.models.pin_key import read_key_file
from tui_pos.models.schema_check import schema_problems


def verify_journal(db: Database, key: bytes | None = None) -> tuple[list[str], int]:
    """Check everything above; returns (problems, chain entries checked).

    ``key`` defaults to the chain key beside the database. Each kind of check stops at
    its first finding: one is enough to know the database was altered.
    """
    entries = [
        ChainEntry(*r)
        for r in db.execute_sql(f"SELECT {ENTRY_COLUMNS} FROM chain ORDER BY seq").fetchall()
    ]
    file = database_file(db)
    problems: list[str] = []
    if key is None and file is not None and entries:
        key, problem = _read_key(key_path(file))
        problems += [problem] if problem else []
    problems += _chain_problems(db, entries, key)
    if file is not None:
        problems += _anchor_problems(anchor_path(file), entries)
    problems += _z_problems(db, entries)
    problems += schema_problems(db)
    return problems, len(entries)


def _read_key(path: Path) -> tuple[bytes | None, str]:
    if not path.exists():
        return None, missing_key_message(path)
    try:
        return read_key_file(path, "chain key", create=False, recovery="ask for help"), ""
    except StorageError as exc:
        return None, str(exc)


def _chain_problems(db: Database, entries: list[ChainEntry], key: bytes | None) -> list[str]:
    link_problem = rows_problem = ""
    previous: ChainEntry | None = None
    marks: dict[str, int] = {}
    for entry in entries:
        link_problem = link_problem or check_link(previous, entry, key) or ""
        after = entry.mark_map()
        digest = RowDigest()
        amount = 0
        spans = []
        for table in sorted(after):
            low, high = marks.get(table, 0), after[table]
            if table not in CHAINED:
                rows_problem = rows_problem or f"chain entry #{entry.seq}: unknown table {table}"
            elif high > low:
                amount += add_rows(db, table, low, high, digest)
                spans.append(f"{table} {low + 1}" + (f"-{high}" if high > low + 1 else ""))
        if not rows_problem and (
            (digest.rows, digest.hexdigest(), amount)
            != (entry.rows, entry.digest, entry.amount_cents)
        ):
            rows_problem = (
                f"chain entry #{entry.seq} ({', '.join(spans)}): the rows differ from what was "
                "chained (edited, deleted or inserted behind the till's back)"
            )
        marks.update(after)
        previous = entry
    problems = [p for p in (link_problem, rows_problem) if p]
    for table, top in last_ids(db).items():
        if top > marks.get(table, 0):
            problems.append(
                f"{table}: rows after #{marks.get(table, 0)} are not in the chain "
                "(added behind the till's back)"
            )
            break
    return problems


def _anchor_problems(path: Path, entries: list[ChainEntry]) -> list[str]:
    if not entries:
        return []
    try:
        text = path.read_text()
    except FileNotFoundError:
        return [
            f"the anchor file {path} is missing: it is how a database cut back or rolled"
            " back to an older copy is found"
        ]
    except OSError as exc:
        return [f"the anchor file {path} cannot be read: {exc.strerror}"]
    lines = text.splitlines()
    if lines and not text.endswith("\n"):
        lines.pop()  # a line cut by a power loss while it was written: it proves nothing
    by_seq = {e.seq: e for e in entries}
    last = entries[-1].seq
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit():
            return [f"the anchor file {path} is damaged at line {number}"]
        seq, mac, grand_total = int(parts[0]), parts[1], parts[2]
        if seq > last:
            return [
                f"the anchor file knows chain entry #{seq} but the chain ends at #{last}: the"
                " database was cut back or an older copy of it restored (rolled back)"
            ]
        entry = by_seq.get(seq)
        if entry is None or entry.mac != mac or str(entry.grand_total_cents) != grand_total:
            return [f"chain entry #{seq} is not the one the anchor file holds (chain rebuilt)"]
    return []


def _z_problems(db: Database, entries: list[ChainEntry]) -> list[str]:
    """Each Z printed the head of its day: the chain must still hold it."""
    by_seq = {e.seq: e for e in entries}
    for till, number, text in db.execute_sql(
        "SELECT till, z_number, report_json FROM z_close ORDER BY id"
    ).fetchall():
        try:
            report = json.loads(text)
        except ValueError:
            continue  # the chain check reports the edit
        seq = report.get("chain_seq") if isinstance(report, dict) else None
        if seq is None:
            continue
        entry = by_seq.get(seq)
        if entry is None or entry.mac != report.get("chain_head"):
            return [
                f"Z close {till}-Z{number} printed chain head #{seq}, which the chain "
                "no longer has (rebuilt or cut back)"
            ]
    return []
