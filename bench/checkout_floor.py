"""The floors of the checkout figures: the app's work in the fastest plain ``sqlite3`` form.

Each floor writes exactly the rows the app writes (``same_rows`` compares them after the
run) with the app's pragmas, but with nothing between Python and SQLite: no register, no
cart object, no Peewee, statements prepared once by the ``sqlite3`` module's cache.

* scan-to-line: check the EAN-13, one indexed lookup (the app's query), the line as JSON
  appended to the open sale's crash journal (a single autocommitted INSERT; the first line
  of a sale writes the whole snapshot in one ``BEGIN IMMEDIATE`` transaction, as the app).
* sale commit: one ``BEGIN IMMEDIATE`` transaction with the sale, its 20 lines, a stock
  movement per line, tax per code, the cash payment, the queued receipt, the customer's
  earned points (tier from their 12-month spend, balance for the receipt), the
  hash-chained journal entry, and the open sale's journal deleted; ``synchronous=FULL``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tui_pos.config import Config
from tui_pos.domain.barcode import gtin_check_digit
from tui_pos.models.database import PRAGMAS

TILL = Config().store.till
TAX_RATES_BP = {t.code: t.rate_bp for t in Config().taxes}
TIERS = sorted((t.min_spend, t.multiplier) for t in Config().loyalty.tiers)
POINTS_PER_UNIT = Config().loyalty.points_per_unit

SCAN_SQL = (  # the app's lookup (catalog_repo.SqliteCatalog.by_code)
    "SELECT p.id, p.name, p.price_cents, p.tax_code, p.unit, b.code, p.plu, p.category_id "
    "FROM barcode b JOIN product p ON p.id = b.product_id "
    "WHERE b.code = ? AND p.active = 1"
)
EVENT_INSERT = (
    'INSERT INTO "open_cart_event" ("till", "cart_uuid", "kind", "json", "created_at")'
    " VALUES (?, ?, ?, ?, ?)"
)
BEFORE_SALE = (
    'SELECT (SELECT "id" FROM "sale" WHERE "uuid" = ?),'
    ' (SELECT MAX("seq") FROM "sale" WHERE "till" = ?),'
    ' (SELECT MAX("seq") FROM "stock_movement" WHERE "till" = ?),'
    ' (SELECT MAX("seq") FROM "payment" WHERE "till" = ?)'
)
SALE_INSERT = (
    "INSERT INTO sale (uuid, till, seq, status, created_at, cashier, subtotal_cents,"
    " discount_cents, tax_cents, total_cents, rounding_cents, change_cents, voided_lines,"
    " employee_id, customer_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
LINE_INSERT = (
    "INSERT INTO sale_line (sale_id, position, product_id, name, code, unit, qty_milli,"
    " unit_price_cents, base_cents, line_discount_cents, cart_discount_cents, amount_cents,"
    " tax_code, tax_rate_bp, return_of_line_id, promotion, promo_discount_cents)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
MOVE_INSERT = (
    "INSERT INTO stock_movement (uuid, till, seq, product_id, qty_milli, kind, sale_line_id,"
    " note, created_at) VALUES (?,?,?,?,?,?,?,?,?)"
)
TAX_INSERT = (
    "INSERT INTO sale_tax (sale_id, code, rate_bp, base_cents, tax_cents) VALUES (?,?,?,?,?)"
)
JOB_INSERT = (
    "INSERT INTO print_job (uuid, till, sale_id, kind, status, attempts, last_error,"
    " created_at) VALUES (?,?,?,'receipt','queued',0,'',?)"
)
PAYMENT_INSERT = (
    "INSERT INTO payment (uuid, till, seq, sale_id, kind, amount_cents, tendered_cents,"
    " change_cents, reference) VALUES (?,?,?,?,?,?,?,?,?)"
)
SPEND = (
    "SELECT COALESCE(SUM(total_cents), 0) FROM sale WHERE customer_id = ? AND"
    " status = 'completed' AND created_at > ? AND created_at <= ? AND id != ?"
)
BALANCE = "SELECT COALESCE(SUM(points), 0) FROM loyalty_entry WHERE customer_id = ?"
POINTS_SEQ = "SELECT COALESCE(MAX(seq), 0) FROM loyalty_entry WHERE till = ?"
POINTS_INSERT = (
    "INSERT INTO loyalty_entry (uuid, till, seq, customer_id, points, kind, sale_id, note,"
    " created_at) VALUES (?,?,?,?,?,'earn',?,'',?)"
)
LAST_ENTRY = (
    "SELECT seq, grand_total_cents, hash FROM journal WHERE till = ? ORDER BY seq DESC LIMIT 1"
)
JOURNAL_INSERT = (
    "INSERT INTO journal (till, seq, kind, doc_uuid, created_at, payload, amount_cents,"
    " grand_total_cents, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
CLEAR_OPEN_CART = 'DELETE FROM "open_cart_event" WHERE "till" = ? AND "cart_uuid" = ?'


def connect(path: Any) -> sqlite3.Connection:
    """A plain connection with the app's pragmas, in autocommit mode like Peewee."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=5, cached_statements=256)
    for key, value in PRAGMAS.items():
        conn.execute(f"PRAGMA {key} = {value}")
    return conn


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")


@dataclass
class FloorCart:
    """The open sale on the floor's side: its UUID, customer and lines as JSON data."""

    customer_id: int | None = None
    uuid: str = field(default_factory=lambda: uuid.uuid4().hex)
    lines: list[dict[str, Any]] = field(default_factory=list)


def scan(conn: sqlite3.Connection, cart: FloorCart, code: str) -> None:
    """Scan-to-line: check digit, lookup, line journaled durably."""
    if len(code) != 13 or not code.isdigit() or gtin_check_digit(code[:12]) != int(code[12]):
        raise ValueError(f"bad EAN-13 {code}")
    row = conn.execute(SCAN_SQL, ("0" + code,)).fetchone()
    if row is None:
        raise LookupError(code)
    pid, name, price, tax_code, unit, _gtin, _plu, category = row
    line = {
        "line_id": uuid.uuid4().hex,
        "product_id": pid,
        "name": name,
        "unit": unit,
        "unit_price_cents": price,
        "qty_milli": 1000,
        "tax_code": tax_code,
        "code": code,
        "discount": None,
        "category_id": category,
        "return_of": None,
        "refund": None,
        "to_stock": True,
    }
    cart.lines.append(line)
    now = _now()
    if len(cart.lines) > 1:
        conn.execute(EVENT_INSERT, (TILL, cart.uuid, "line", _json(line), now))
        return
    snapshot = {
        "version": 1,
        "cart": {
            "uuid": cart.uuid,
            "discount": None,
            "voided_lines": 0,
            "customer_id": cart.customer_id,
            "lines": cart.lines,
        },
        "rounding_cents": 0,
        "payments": [],
    }
    conn.execute("BEGIN IMMEDIATE")
    conn.execute('DELETE FROM "open_cart_event" WHERE "till" = ?', (TILL,))
    conn.execute(EVENT_INSERT, (TILL, cart.uuid, "snapshot", _json(snapshot), now))
    conn.execute("COMMIT")


def clear(conn: sqlite3.Connection) -> None:
    """Drop the open sale's journal (as the register does for an emptied sale)."""
    conn.execute('DELETE FROM "open_cart_event" WHERE "till" = ?', (TILL,))


def _included_tax(base: int, rate_bp: int) -> int:
    """Tax inside a tax-inclusive amount, half up (the app's ``tax_of``, included)."""
    denominator = 10_000 + rate_bp
    return (2 * base * rate_bp + denominator) // (2 * denominator)


def commit(conn: sqlite3.Connection, cart: FloorCart) -> None:
    """Store the paid sale (exact cash) and everything that goes with it, in one commit."""
    moment = datetime.now(UTC)
    created = moment.replace(tzinfo=None).isoformat(sep=" ")
    lines = cart.lines
    bases = [(2 * ln["unit_price_cents"] * ln["qty_milli"] + 1000) // 2000 for ln in lines]
    by_code: dict[str, int] = {}
    for ln, base in zip(lines, bases, strict=True):
        by_code[ln["tax_code"]] = by_code.get(ln["tax_code"], 0) + base
    taxes = [
        (code, TAX_RATES_BP[code], base, _included_tax(base, TAX_RATES_BP[code]))
        for code, base in sorted(by_code.items())
    ]
    total = sum(bases)
    tax_total = sum(t[3] for t in taxes)
    payment = (uuid.uuid4().hex, "cash", total, total, 0, "")

    conn.execute("BEGIN IMMEDIATE")
    try:
        existing, sale_max, move_max, pay_max = conn.execute(
            BEFORE_SALE, (cart.uuid, TILL, TILL, TILL)
        ).fetchone()
        assert existing is None
        seq = (sale_max or 0) + 1
        sale_id = conn.execute(
            SALE_INSERT,
            (cart.uuid, TILL, seq, "completed", created, "", total, 0, tax_total, total, 0, 0)
            + (0, None, cart.customer_id),
        ).lastrowid
        moves = []
        move_seq = (move_max or 0) + 1
        for position, (ln, base) in enumerate(zip(lines, bases, strict=True), start=1):
            pid, qty, tax_code = ln["product_id"], ln["qty_milli"], ln["tax_code"]
            line_id = conn.execute(
                LINE_INSERT,
                (sale_id, position, pid, ln["name"], ln["code"], ln["unit"], qty)
                + (ln["unit_price_cents"], base, 0, 0, base, tax_code, TAX_RATES_BP[tax_code])
                + (None, "", 0),
            ).lastrowid
            move = (uuid.uuid4().hex, TILL, move_seq, pid, -qty, "sale", line_id, "", created)
            moves.append(move)
            move_seq += 1
        conn.executemany(MOVE_INSERT, moves)
        conn.executemany(TAX_INSERT, [(sale_id, *t) for t in taxes])
        conn.execute(JOB_INSERT, (uuid.uuid4().hex, TILL, sale_id, created))
        conn.execute(PAYMENT_INSERT, (payment[0], TILL, (pay_max or 0) + 1, sale_id, *payment[1:]))
        if cart.customer_id is not None:
            start = (moment - timedelta(days=365)).replace(tzinfo=None).isoformat(sep=" ")
            spend = conn.execute(SPEND, (cart.customer_id, start, created, sale_id)).fetchone()[0]
            conn.execute(BALANCE, (cart.customer_id,)).fetchone()  # for the receipt
            reached = [m for low, m in TIERS if spend >= low]  # (TIERS: by min_spend)
            tier = reached[-1] if reached else 100
            earned = total * POINTS_PER_UNIT * 100 * tier // (100 * 100 * 100)
            if earned > 0:
                points_seq = conn.execute(POINTS_SEQ, (TILL,)).fetchone()[0] + 1
                entry = (uuid.uuid4().hex, TILL, points_seq, cart.customer_id, earned, sale_id)
                conn.execute(POINTS_INSERT, (*entry, created))
        _journal(conn, cart.uuid, seq, created, lines, bases, taxes, payment, tax_total)
        conn.execute(CLEAR_OPEN_CART, (TILL, cart.uuid))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _journal(
    conn: sqlite3.Connection,
    sale_uuid: str,
    seq: int,
    created: str,
    lines: list[dict[str, Any]],
    bases: list[int],
    taxes: list[tuple[str, int, int, int]],
    payment: tuple[str, str, int, int, int, str],
    tax_total: int,
) -> None:
    """The sale's hash-chained journal entry (``domain/journal.py``'s format)."""
    total = sum(bases)
    payload = {
        "uuid": sale_uuid,
        "till": TILL,
        "seq": seq,
        "status": "completed",
        "created_at": created,
        "cashier": "",
        "lines": [
            [ln["product_id"], ln["name"], ln["code"], ln["unit"], ln["qty_milli"]]
            + [ln["unit_price_cents"], base, 0, 0, base, ln["tax_code"]]
            + [TAX_RATES_BP[ln["tax_code"]]]
            for ln, base in zip(lines, bases, strict=True)
        ],
        "taxes": [list(t) for t in taxes],
        "payments": [list(payment)],
        "totals": [total, 0, tax_total, total, 0, 0, 0],
    }
    text = _canonical(payload)
    last = conn.execute(LAST_ENTRY, (TILL,)).fetchone()
    entry_seq, grand, prev = (1, total, "0" * 64)
    if last:
        entry_seq, grand, prev = last[0] + 1, last[1] + total, last[2]
    body = _canonical([TILL, entry_seq, "sale", sale_uuid, created, text, total, grand])
    digest = hashlib.sha256((prev + body).encode("utf-8")).hexdigest()
    conn.execute(
        JOURNAL_INSERT,
        (TILL, entry_seq, "sale", sale_uuid, created, text, total, grand, prev, digest),
    )


# -- the same rows? ---------------------------------------------------------------------
#: Per table, the columns that must be equal on both sides (UUIDs, hashes and times are
#: made where the work happens and differ by nature).
COMPARED = {
    "sale": "id, till, seq, status, cashier, subtotal_cents, discount_cents, tax_cents,"
    " total_cents, rounding_cents, change_cents, voided_lines, employee_id, customer_id",
    "sale_line": "id, sale_id, position, product_id, name, code, unit, qty_milli,"
    " unit_price_cents, base_cents, line_discount_cents, cart_discount_cents, amount_cents,"
    " tax_code, tax_rate_bp, return_of_line_id, promotion, promo_discount_cents",
    "stock_movement": "id, till, seq, product_id, qty_milli, kind, sale_line_id, note",
    "sale_tax": "sale_id, code, rate_bp, base_cents, tax_cents",
    "payment": "till, seq, sale_id, kind, amount_cents, tendered_cents, change_cents, reference",
    "print_job": "till, sale_id, kind, status, attempts, last_error",
    "loyalty_entry": "till, seq, customer_id, points, kind, sale_id, note",
    "journal": "till, seq, kind, amount_cents, grand_total_cents",
    "open_cart_event": "till, kind",
}


def _without_made_here(payload: str) -> Any:
    data = json.loads(payload)
    for key in ("uuid", "created_at"):
        data.pop(key, None)
    data["payments"] = [p[1:] for p in data.get("payments", [])]
    return data


def table_rows(conn: sqlite3.Connection, table: str) -> list[tuple[Any, ...]]:
    """The compared columns of ``table``, in a fixed order."""
    columns = COMPARED[table]
    return conn.execute(f"SELECT {columns} FROM {table} ORDER BY {columns}").fetchall()


def same_rows(app: sqlite3.Connection, floor: sqlite3.Connection) -> list[str]:
    """What differs between the app's and the floor's rows (empty: the same work)."""
    problems = []
    for table in COMPARED:
        a, f = table_rows(app, table), table_rows(floor, table)
        if a != f:
            problems.append(f"{table}: app {len(a)} rows, floor {len(f)} rows, not the same")
    payloads = [
        [_without_made_here(p) for (p,) in c.execute("SELECT payload FROM journal ORDER BY seq")]
        for c in (app, floor)
    ]
    if payloads[0] != payloads[1]:
        problems.append("journal payloads differ")
    return problems


def journal_rows(conn: sqlite3.Connection) -> list[Any]:
    """The open sale's journal as data (line ids, UUIDs and times taken out)."""
    out = []
    for kind, text in conn.execute(
        'SELECT "kind", "json" FROM "open_cart_event" ORDER BY "id"'
    ).fetchall():
        data = json.loads(text)
        lines = data["cart"]["lines"] if kind == "snapshot" else [data]
        for line in lines:
            line.pop("line_id")
        if kind == "snapshot":
            data["cart"].pop("uuid")
        out.append((kind, data))
    return out
