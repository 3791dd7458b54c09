"""The chain's row digest is byte-identical to the first implementation's: rows read
back with ``SELECT *`` into a dict per row, ``json.dumps`` per row (kept below as the
reference). A database chained by either verifies with the other: stored digests, MACs
and grand totals never change when ``seal`` gets faster."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from peewee import SqliteDatabase

from tests.integration.test_journal import normal_use, open_shop
from tests.support.tills import copy_database
from tui_pos.domain.chain import ChainEntry, RowDigest, canonical, flat_canonical, next_entry
from tui_pos.models import chain_store
from tui_pos.models.chain_store import ENTRY_COLUMNS, add_rows
from tui_pos.models.chain_tables import CHAINED, Chained
from tui_pos.models.journal_verify import verify_journal
from tui_pos.models.pin_key import read_key_file


def reference_add_rows(
    db: SqliteDatabase, table: str, after: int, upto: int, digest: RowDigest, spec: Chained
) -> int:
    """The first implementation of ``add_rows`` (commit 3f9d8e6), kept as the reference."""
    cursor = db.execute_sql(
        f'SELECT * FROM "{table}" WHERE id > ? AND id <= ? ORDER BY id', (after, upto)
    )
    names = [d[0] for d in cursor.description]
    amount = 0
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        later = {n: row[n] for n, d in spec.later.items() if n in row and row[n] != d}
        item: list[Any] = [table, int(row["id"]), *(row[c] for c in spec.columns)]
        if later:
            item.append(later)
        text = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest.add(text)
        if spec.amount is not None:
            amount += spec.amount(row)
    return amount


#: Awkward stored values: quotes, backslashes, control characters, non-ASCII, astral
#: characters, NULL, negative and 64-bit integers, floats, empty text.
ODD = [
    'Caf\u00e9 "Z\u00fcrich" \\ \u2603 \U0001f600',
    "tab\there\nnew line\u0000nul\u2028",
    None,
    -(2**63),
    2**63 - 1,
    0.1,
    -0.0,
    "",
    "</script>",
]

#: The digest and amount of :func:`odd_sales` as the first implementation chained them.
GOLDEN_SALES = ("2e5487fbae5d6746191baa90bd6cb8b87d940ed69b167ed7487984fc7490969f", 13616)
GOLDEN_LATER = "d1f976d0870c9974456a42ef01e7ccf8f6f8991a9bb592dfca545ccd0c1d42a2"


def odd_sales(path: Path) -> SqliteDatabase:
    """A ``sale`` table holding odd values in every chained column, a column outside the
    chain, and columns in another order than the registered one."""
    columns = CHAINED["sale"].columns
    conn = sqlite3.connect(path)
    shuffled = [*reversed(columns), "not_chained"]
    conn.execute(f"CREATE TABLE sale (id INTEGER PRIMARY KEY, {', '.join(shuffled)})")
    for n in range(12):
        values = {c: ODD[(n + i) % len(ODD)] for i, c in enumerate(columns)}
        values["status"] = "completed" if n % 3 else "voided"
        values["total_cents"] = 1000 + n * 117
        values["not_chained"] = f"ignored {n}"
        conn.execute(
            f"INSERT INTO sale (id, {', '.join(shuffled)}) VALUES (?{', ?' * len(shuffled)})",
            (n * 3 + 1, *(values[c] for c in shuffled)),
        )
    conn.commit()
    conn.close()
    return SqliteDatabase(str(path))


def test_rows_digest_as_the_first_implementation_chained_them(tmp_path: Path) -> None:
    db = odd_sales(tmp_path / "odd.db")
    fast, slow = RowDigest(), RowDigest()
    amount = add_rows(db, "sale", 0, 40, fast)
    assert (fast.hexdigest(), amount) == GOLDEN_SALES
    assert reference_add_rows(db, "sale", 0, 40, slow, CHAINED["sale"]) == amount
    assert (slow.rows, slow.hexdigest()) == (fast.rows, fast.hexdigest()) == (12, GOLDEN_SALES[0])
    part = RowDigest()  # a span in the middle: the bounds are (after, upto]
    add_rows(db, "sale", 4, 22, part)
    assert part.rows == 6


@pytest.mark.parametrize("at_a_time", [1, 2, 5, 39, 40])
def test_rows_read_in_ranges_digest_as_read_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at_a_time: int
) -> None:
    """A large write (an import's stock counts) is sealed a range of ids at a time: the
    same bytes reach the digest, ranges that hold no row (ids 2, 3, 5, ...) included."""
    db = odd_sales(tmp_path / "odd.db")
    monkeypatch.setattr(chain_store, "ROWS_AT_A_TIME", at_a_time)
    digest = RowDigest()
    amount = add_rows(db, "sale", 0, 40, digest)
    assert (digest.hexdigest(), amount) == GOLDEN_SALES
    assert digest.rows == 12
    part = RowDigest()
    add_rows(db, "sale", 4, 22, part)
    assert part.rows == 6


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.sampled_from(ODD)
)


@given(st.lists(SCALARS, max_size=20))
def test_flat_rows_encode_as_canonical_json(values: list[Any]) -> None:
    row = ("sale_line", *values)
    assert flat_canonical(row) == canonical(list(row))
    assert flat_canonical(row) == json.dumps(
        list(row), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def _widget(path: Path, with_colour: bool) -> SqliteDatabase:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE widget (id INTEGER PRIMARY KEY, name, size"
        + (", colour DEFAULT '', weight DEFAULT 0)" if with_colour else ")")
    )
    for n, name in enumerate(ODD):
        conn.execute("INSERT INTO widget (name, size) VALUES (?, ?)", (name, n))
    if with_colour:
        conn.execute("UPDATE widget SET colour = 'r\u00f6d', weight = 7 WHERE id % 3 = 0")
        conn.execute("UPDATE widget SET weight = 2.5 WHERE id = 2")
    conn.commit()
    conn.close()
    return SqliteDatabase(str(path))


@pytest.mark.parametrize("with_colour", [False, True])
def test_later_columns_digest_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_colour: bool
) -> None:
    """A column added to a chained table later enters a row's form only when it differs
    from its default, and a table without it yet (migration pending) digests as before."""
    spec = Chained(columns=("name", "size"), later=MappingProxyType({"weight": 0, "colour": ""}))
    monkeypatch.setattr(chain_store, "CHAINED", {"widget": spec})
    db = _widget(tmp_path / "w.db", with_colour)
    fast, slow = RowDigest(), RowDigest()
    add_rows(db, "widget", 0, 100, fast)
    reference_add_rows(db, "widget", 0, 100, slow, spec)
    assert (fast.rows, fast.hexdigest()) == (slow.rows, slow.hexdigest())
    if with_colour:
        assert fast.hexdigest() == GOLDEN_LATER
    else:  # without the later columns, the same rows as a table that never had them
        plain = RowDigest()
        reference_add_rows(db, "widget", 0, 100, plain, Chained(columns=("name", "size")))
        assert plain.hexdigest() == fast.hexdigest()


def _stored(db: SqliteDatabase) -> list[ChainEntry]:
    sql = f"SELECT {ENTRY_COLUMNS} FROM chain ORDER BY seq"
    return [ChainEntry(*r) for r in db.execute_sql(sql).fetchall()]


def test_a_busy_chain_is_the_one_the_first_implementation_makes(
    tmp_path: Path, demo_template: Path
) -> None:
    """Every entry sealed by the app (every chained table written) is rebuilt entry by
    entry with the reference reader and the till's key: the same digests, row counts,
    amounts and MACs. So a chain made by either implementation verifies with the other."""
    path = copy_database(demo_template, tmp_path / "till.db")
    till = open_shop(path)
    normal_use(till)
    till.close()
    db = SqliteDatabase(str(path))
    key = read_key_file(path.parent / "chain.key", "chain key", create=False, recovery="")
    stored = _stored(db)
    assert len(stored) > 10
    rebuilt: list[ChainEntry] = []
    marks: dict[str, int] = {}
    for entry in stored:
        digest, amount = RowDigest(), 0
        after: Mapping[str, int] = entry.mark_map()
        for table, high in sorted(after.items()):
            if high > marks.get(table, 0):
                spec = CHAINED[table]
                amount += reference_add_rows(db, table, marks.get(table, 0), high, digest, spec)
        marks = dict(after)
        previous = rebuilt[-1] if rebuilt else None
        rebuilt.append(
            next_entry(
                previous, key=key, till=entry.till, marks=marks, digest=digest, amount_cents=amount
            )
        )
    assert rebuilt == stored
    assert {t for e in stored for t in e.mark_map()} == set(CHAINED)
    assert verify_journal(db, key) == ([], len(stored))
    db.close()
