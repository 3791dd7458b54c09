"""The floors of the checkout figures: the app's work in the fastest plain ``sqlite3`` form.

Each floor writes exactly the rows the app writes (``same_rows`` compares them after the
run) with the app's pragmas, but with nothing between Python and SQLite: no register, no
cart object, no Peewee, statements prepared once by the ``sqlite3`` module's cache.

* scan-to-line: check the EAN-13, one indexed lookup (the app's query), the line as JSON
  appended to the open sale's crash journal (a single autocommitted INSERT; the first line
  of a sale writes the whole snapshot in one ``BEGIN IMMEDIATE`` transaction, as the app).
* sale commit: one ``BEGIN IMMEDIATE`` transaction with the sale, its 20 lines, a stock
  movement per line, tax per code, the cash payment, the queued receipt, the customer's
  earned points (tier from their 12-month spend, balance for the receipt), the open
  sale's journal deleted, and the keyed chain entry sealing every chained row it wrote
  (``domain/chain.py``: canonical rows made from the values in hand, SHA-256, HMAC);
  ``synchronous=FULL``; after the commit the chain head is appended to the anchor file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
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
HEAD = "SELECT seq, marks, grand_total_cents, mac FROM chain ORDER BY seq DESC LIMIT 1"
#: The chained tables a sale writes: their highest ids after the inserts (one query).
SALE_TABLES = ("loyalty_entry", "payment", "sale", "sale_line", "sale_tax", "stock_movement")
TOPS = "SELECT " + ", ".join(f'(SELECT MAX(id) FROM "{t}")' for t in SALE_TABLES)
CHAIN_INSERT = (
    "INSERT INTO chain (seq, till, marks, rows, digest, amount_cents, grand_total_cents,"
    " prev_mac, mac) VALUES (?,?,?,?,?,?,?,?,?)"
)
CLEAR_OPEN_CART = 'DELETE FROM "open_cart_event" WHERE "till" = ? AND "cart_uuid" = ?'


class FloorDb:
    """A plain connection with the app's pragmas (autocommit, like Peewee), and the chain
    key and anchor file beside the database, as the app keeps them."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=5, cached_statements=256)
        for key, value in PRAGMAS.items():
            self.conn.execute(f"PRAGMA {key} = {value}")
        self.key_path = path.parent / "chain.key"
        self.anchor = path.with_name(path.name + ".anchor")
        self._key: bytes | None = None

    def key(self) -> bytes:
        """The chain key (made by the app's till beside the database: read once)."""
        if self._key is None:
            self._key = bytes.fromhex(self.key_path.read_text().strip())
        return self._key

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def close(self) -> None:
        self.conn.close()


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


def scan(db: FloorDb, cart: FloorCart, code: str) -> None:
    """Scan-to-line: check digit, lookup, line journaled durably."""
    conn = db.conn
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


def clear(db: FloorDb) -> None:
    """Drop the open sale's journal (as the register does for an emptied sale)."""
    db.execute('DELETE FROM "open_cart_event" WHERE "till" = ?', (TILL,))


def _included_tax(base: int, rate_bp: int) -> int:
    """Tax inside a tax-inclusive amount, half up (the app's ``tax_of``, included)."""
    denominator = 10_000 + rate_bp
    return (2 * base * rate_bp + denominator) // (2 * denominator)


def commit(db: FloorDb, cart: FloorCart) -> None:
    """Store the paid sale (exact cash) and everything that goes with it, in one commit."""
    conn = db.conn
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
        sale_row = (cart.uuid, TILL, seq, "completed", created, "", total, 0, tax_total, total)
        sale_row += (0, 0, 0, None, cart.customer_id)
        sale_id = conn.execute(SALE_INSERT, sale_row).lastrowid
        assert sale_id is not None
        chained: dict[str, list[tuple[Any, ...]]] = {"sale": [(sale_id, *sale_row)]}
        line_rows = chained["sale_line"] = []
        moves = []
        move_seq = (move_max or 0) + 1
        for position, (ln, base) in enumerate(zip(lines, bases, strict=True), start=1):
            pid, qty, tax_code = ln["product_id"], ln["qty_milli"], ln["tax_code"]
            line = (sale_id, position, pid, ln["name"], ln["code"], ln["unit"], qty)
            line += (ln["unit_price_cents"], base, 0, 0, base, tax_code, TAX_RATES_BP[tax_code])
            line += (None, "", 0)
            line_id = conn.execute(LINE_INSERT, line).lastrowid
            line_rows.append((line_id, *line))
            move = (uuid.uuid4().hex, TILL, move_seq, pid, -qty, "sale", line_id, "", created)
            moves.append(move)
            move_seq += 1
        conn.executemany(MOVE_INSERT, moves)
        tax_rows = [(sale_id, *t) for t in taxes]
        conn.executemany(TAX_INSERT, tax_rows)
        conn.execute(JOB_INSERT, (uuid.uuid4().hex, TILL, sale_id, created))
        pay_row = (payment[0], TILL, (pay_max or 0) + 1, sale_id, *payment[1:])
        conn.execute(PAYMENT_INSERT, pay_row)
        chained["stock_movement"] = moves
        chained["sale_tax"] = tax_rows
        chained["payment"] = [pay_row]
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
                row = (*entry[:5], "earn", sale_id, "", created)
                chained["loyalty_entry"] = [row]
        conn.execute(CLEAR_OPEN_CART, (TILL, cart.uuid))
        head = _seal(db, chained, total)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    _anchor(db, head)


def _seal(db: FloorDb, chained: dict[str, list[tuple[Any, ...]]], amount: int) -> str:
    """The chain entry of this transaction (``models/chain_store.seal``'s format) from the
    rows in hand: rows whose id is not known yet (executemany) take the ids SQLite gave,
    the highest ones of their table. Returns the anchor line."""
    conn = db.conn
    head = conn.execute(HEAD).fetchone()
    marks: dict[str, int] = json.loads(head[1]) if head else {}
    tops = dict(zip(SALE_TABLES, conn.execute(TOPS).fetchone(), strict=True))
    digest = hashlib.sha256()
    rows = 0
    for table in sorted(chained):  # tables in name order, rows in id order
        top = int(tops[table])
        for offset, row in enumerate(chained[table]):
            if table in ("sale", "sale_line"):  # (inserted one by one: id first)
                row_id, values = row[0], row[1:]
            else:
                row_id, values = top - len(chained[table]) + 1 + offset, row
            text = json.dumps(
                [table, row_id, *values], sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
            digest.update(text.encode("utf-8") + b"\n")
            rows += 1
        marks[table] = top
    seq = (head[0] if head else 0) + 1
    grand = (head[2] if head else 0) + amount
    prev = head[3] if head else "0" * 64
    marks_text = _canonical(marks)
    body = _canonical(
        ["tui-pos chain 1", seq, TILL, marks_text, rows, digest.hexdigest(), amount, grand, prev]
    )
    mac = hmac.new(db.key(), body.encode("utf-8"), hashlib.sha256).hexdigest()
    conn.execute(
        CHAIN_INSERT, (seq, TILL, marks_text, rows, digest.hexdigest(), amount, grand, prev, mac)
    )
    return f"{seq} {mac} {grand}\n"


def _anchor(db: FloorDb, line: str) -> None:
    """Append the committed head to the anchor file (as the app does after a commit)."""
    fd = os.open(db.anchor, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


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
    "chain": "seq, till, marks, rows, amount_cents, grand_total_cents",
    "open_cart_event": "till, kind",
}


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
