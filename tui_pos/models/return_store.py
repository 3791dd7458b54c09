"""Returns and store credit on SQLite: what is left to return, credit note balances, and
the checks and ledger rows :meth:`SqliteSaleStore.record_sale` makes in the sale's own
transaction (so an over-return or an overdrawn credit note stores nothing)."""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

from peewee import Database

from tui_pos.domain.errors import TenderError
from tui_pos.domain.money import format_money
from tui_pos.domain.returns import ReturnableLine, ReturnError
from tui_pos.domain.sale import SaleDocument
from tui_pos.models.errors import storage_errors

_RETURNED = (
    "SELECT COALESCE(-SUM(r.qty_milli), 0) FROM sale_line r JOIN sale rs ON rs.id = r.sale_id "
    "WHERE r.return_of_line_id = ? AND rs.status = 'completed'"
)


def check_returns(db: Database, doc: SaleDocument) -> None:
    """Refuse (ReturnError) a document returning more of a sold line than is left.

    Runs inside the sale's write transaction: two tills cannot both return the last piece.
    """
    wanted: dict[int, int] = {}
    for line in doc.lines:
        if line.return_of_line_id is not None:
            if not line.is_return:
                raise ReturnError(f"{line.name}: a return line needs a negative quantity")
            wanted[line.return_of_line_id] = wanted.get(line.return_of_line_id, 0) - line.qty_milli
    for line_id, qty in wanted.items():
        row = db.execute_sql(
            "SELECT l.qty_milli, l.name, s.status FROM sale_line l JOIN sale s ON s.id = l.sale_id "
            "WHERE l.id = ?",
            (line_id,),
        ).fetchone()
        if row is None or row[2] != "completed" or row[0] <= 0:
            raise ReturnError("A returned line is not a line of a completed sale")
        returned = int(db.execute_sql(_RETURNED, (line_id,)).fetchone()[0])
        if returned + qty > row[0]:
            raise ReturnError(f"{row[1]}: more than was sold would be returned; nothing stored")


def credit_rows(
    db: Database, doc: SaleDocument, sale_id: int, created: str, seq: int
) -> list[tuple[Any, ...]]:
    """The store credit ledger rows of ``doc``'s store credit payments (balances checked).

    A refund as store credit issues a note (+amount); a store credit payment redeems one
    (-amount) and is refused when the note holds less.
    """
    rows: list[tuple[Any, ...]] = []
    used: dict[str, int] = {}
    for payment in doc.payments:
        if payment.kind != "store_credit":
            continue
        code = payment.reference
        if payment.amount_cents > 0:
            balance = credit_balance(db, code)
            if balance is None:
                raise TenderError(f"There is no credit note {code}")
            balance -= used.get(code, 0)
            used[code] = used.get(code, 0) + payment.amount_cents
            if balance < payment.amount_cents:
                raise TenderError(f"Credit note {code} holds only {format_money(balance)}")
        rows.append(
            (
                uuidlib.uuid4().hex,
                doc.till,
                seq + len(rows),
                code,
                "issue" if payment.amount_cents < 0 else "redeem",
                -payment.amount_cents,
                sale_id,
                created,
            )
        )
    return rows


def insert_credit_rows(db: Database, rows: list[tuple[Any, ...]]) -> None:
    """Append store credit ledger rows."""
    if rows:
        db.cursor().executemany(
            "INSERT INTO store_credit (uuid, till, seq, code, kind, amount_cents, sale_id,"
            " created_at) VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )


def next_credit_seq(db: Database, till: str) -> int:
    """The next per-till sequence number of the store credit ledger."""
    row = db.execute_sql("SELECT MAX(seq) FROM store_credit WHERE till = ?", (till,)).fetchone()
    return int(row[0] or 0) + 1


def credit_balance(db: Database, code: str) -> int | None:
    """What is left on a credit note (the sum of its ledger rows); None if no such note."""
    row = db.execute_sql(
        "SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM store_credit WHERE code = ?",
        (code.strip().upper(),),
    ).fetchone()
    return int(row[1]) if row[0] else None


class SqliteReturnStore:
    """Implements :class:`tui_pos.services.returns.ReturnStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def returnable(self, till: str, seq: int) -> list[ReturnableLine] | None:
        """The sold lines of a completed sale with what was returned of each; None if the
        sale does not exist or was voided."""
        with storage_errors():
            sale = self.db.execute_sql(
                "SELECT id, status FROM sale WHERE till = ? AND seq = ?", (till, seq)
            ).fetchone()
            if sale is None or sale[1] != "completed":
                return None
            rows = self.db.execute_sql(
                "SELECT l.id, l.product_id, l.name, l.code, l.unit, l.qty_milli,"
                " l.unit_price_cents, l.base_cents, l.line_discount_cents,"
                " l.cart_discount_cents, l.promo_discount_cents, l.amount_cents, l.tax_code,"
                " COALESCE((SELECT -SUM(r.qty_milli) FROM sale_line r JOIN sale rs"
                " ON rs.id = r.sale_id WHERE r.return_of_line_id = l.id"
                " AND rs.status = 'completed'), 0)"
                " FROM sale_line l WHERE l.sale_id = ? AND l.qty_milli > 0 ORDER BY l.position",
                (sale[0],),
            ).fetchall()
        return [
            ReturnableLine(
                line_id=r[0],
                sale_seq=seq,
                product_id=r[1],
                name=r[2],
                code=r[3],
                unit="kg" if r[4] == "kg" else "each",
                qty_milli=r[5],
                unit_price_cents=r[6],
                base_cents=r[7],
                line_discount_cents=r[8],
                cart_discount_cents=r[9],
                promo_discount_cents=r[10],
                amount_cents=r[11],
                tax_code=r[12],
                returned_milli=int(r[13]),
            )
            for r in rows
        ]

    def credit_balance(self, code: str) -> int | None:
        """What is left on a credit note; None if there is no such note."""
        with storage_errors():
            return credit_balance(self.db, code)

    def credit_exists(self, code: str) -> bool:
        """True if a note with this code was ever issued."""
        return self.credit_balance(code) is not None
