"""The loyalty points ledger on SQLite: append-only rows, the balance is their sum.

:meth:`SqliteLoyaltyLedger.record_sale_points` runs inside ``record_sale``'s transaction,
so a sale and its points are stored together or not at all.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import datetime

from peewee import Database

from tui_pos.domain.loyalty import (
    EarnLine,
    LoyaltyError,
    LoyaltyRules,
    PointsKind,
    PointsSummary,
    Tier,
    points_of_reference,
    sale_moves,
    tier_for,
    tier_window_start,
)
from tui_pos.domain.sale import SaleDocument
from tui_pos.models.errors import storage_errors
from tui_pos.models.times import stamp
from tui_pos.models.unit_of_work import writing


def _next_seq(db: Database, till: str) -> int:
    row = db.execute_sql(
        "SELECT COALESCE(MAX(seq), 0) FROM loyalty_entry WHERE till = ?", (till,)
    ).fetchone()
    return int(row[0]) + 1


def _insert(
    db: Database,
    till: str,
    customer_id: int,
    points: int,
    kind: PointsKind,
    sale_id: int | None,
    note: str,
    created: str,
) -> None:
    db.execute_sql(
        "INSERT INTO loyalty_entry (uuid, till, seq, customer_id, points, kind, sale_id, note,"
        " created_at) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            uuidlib.uuid4().hex,
            till,
            _next_seq(db, till),
            customer_id,
            points,
            kind,
            sale_id,
            note,
            created,
        ),
    )


def balance_in(db: Database, customer_id: int) -> int:
    """The sum of a customer's ledger rows (call inside or outside a transaction)."""
    row = db.execute_sql(
        "SELECT COALESCE(SUM(points), 0) FROM loyalty_entry WHERE customer_id = ?", (customer_id,)
    ).fetchone()
    return int(row[0])


def spend_between(
    db: Database, customer_id: int, start: datetime, end: datetime, exclude_sale: int = 0
) -> int:
    """Completed sales' totals (returns count negative) of a customer in (start, end]:
    this till's (but ``exclude_sale``) and the other tills' and web orders it has pulled."""
    row = db.execute_sql(
        "SELECT COALESCE(SUM(total_cents), 0) FROM sale WHERE customer_id = ? AND"
        " status = 'completed' AND created_at > ? AND created_at <= ? AND id != ?",
        (customer_id, stamp(start), stamp(end), exclude_sale),
    ).fetchone()
    others = db.execute_sql(
        "SELECT COALESCE(SUM(total_cents), 0) FROM customer_spend WHERE customer_id = ? AND"
        " created_at > ? AND created_at <= ?",
        (customer_id, stamp(start), stamp(end)),
    ).fetchone()
    return int(row[0]) + int(others[0])


class SqliteLoyaltyLedger:
    """Implements :class:`tui_pos.services.ports.LoyaltyLedger`, and the sale's points."""

    def __init__(self, db: Database, rules: LoyaltyRules) -> None:
        self.db = db
        self.rules = rules
        #: Balances the store server gave per customer (the organisation's, online): a
        #: redemption up to it is stored although this till's own ledger holds less (the
        #: points were earned elsewhere and not pulled yet).
        self._granted: dict[int, int] = {}

    def grant(self, customer_id: int, balance: int) -> None:
        """The organisation's balance of a customer, as the store server just said."""
        self._granted[customer_id] = balance

    # -- reading ------------------------------------------------------------------------
    def balance(self, customer_id: int) -> int:
        """The customer's points: the sum of the ledger."""
        with storage_errors():
            return balance_in(self.db, customer_id)

    def tier(self, customer_id: int, now: datetime) -> Tier | None:
        """The tier the last 12 months of spend give at ``now``."""
        with storage_errors():
            spend = spend_between(self.db, customer_id, tier_window_start(now), now)
        return tier_for(spend, self.rules.tiers)

    def has_entry(self, customer_id: int, kind: PointsKind, note: str) -> bool:
        """True if the ledger holds a row of ``kind`` with ``note`` (e.g. a birthday)."""
        with storage_errors():
            row = self.db.execute_sql(
                "SELECT 1 FROM loyalty_entry WHERE customer_id = ? AND kind = ? AND note = ?",
                (customer_id, kind, note),
            ).fetchone()
        return row is not None

    # -- writing ------------------------------------------------------------------------
    def grant_once(
        self, customer_id: int, kind: PointsKind, points: int, note: str, till: str, now: datetime
    ) -> bool:
        """Add ``points`` unless a row of ``kind`` with ``note`` exists; True if added."""
        with writing(self.db, till):
            exists = self.db.execute_sql(
                "SELECT 1 FROM loyalty_entry WHERE customer_id = ? AND kind = ? AND note = ?",
                (customer_id, kind, note),
            ).fetchone()
            if exists is not None:
                return False
            _insert(self.db, till, customer_id, points, kind, None, note, stamp(now))
        return True

    def adjust(self, customer_id: int, points: int, note: str, till: str, now: datetime) -> int:
        """A manual correction (kind ``adjust``); the balance may not go below zero by it."""
        with writing(self.db, till):
            balance = balance_in(self.db, customer_id)
            if balance + points < 0:
                raise LoyaltyError(f"The customer has {balance} points: cannot take {-points}")
            _insert(self.db, till, customer_id, points, "adjust", None, note, stamp(now))
            return balance + points

    def record_sale_points(self, doc: SaleDocument, sale_id: int) -> PointsSummary | None:
        """Write the points of a stored sale (inside ``record_sale``'s transaction).

        Earn (or reversal for a return) by the rules, at the tier of the 12 months before
        the sale; a redemption needs the points to be there now (LoyaltyError otherwise,
        which rolls the whole sale back). A reversal may take the balance below zero when
        the points were already spent: it is recorded all the same (the ledger tells the
        truth) and redemptions are refused until the balance is positive again.
        """
        if doc.customer_id is None or not self.rules.enabled or doc.status != "completed":
            return None
        customer_id = doc.customer_id
        categories = (  # (names matter only to the per-category multipliers)
            self.categories([ln.product_id for ln in doc.lines if ln.product_id])
            if self.rules.category_multipliers
            else {}
        )
        lines = [
            EarnLine(ln.amount_cents, categories.get(ln.product_id or 0, "")) for ln in doc.lines
        ]
        spend = spend_between(
            self.db, customer_id, tier_window_start(doc.created_at), doc.created_at, sale_id
        )
        tier = tier_for(spend, self.rules.tiers)
        points_payments = [
            (p.amount_cents, points_of_reference(p.reference))
            for p in doc.payments
            if p.kind == "points"
        ]
        moves = sale_moves(lines, points_payments, self.rules, tier.multiplier if tier else 100)
        balance = balance_in(self.db, customer_id)
        redeemed = -sum(m.points for m in moves if m.kind == "redeem")
        granted = self._granted.get(customer_id, 0)
        if redeemed and redeemed <= granted:
            self._granted[customer_id] = granted - redeemed  # (spent once)
        elif redeemed and redeemed > balance:
            raise LoyaltyError(
                f"The customer has {balance} points now, not {redeemed}: take the points"
                " payment back (F9 in the payment screen)"
            )
        created = stamp(doc.created_at)
        for move in moves:
            _insert(self.db, doc.till, customer_id, move.points, move.kind, sale_id, "", created)
        total = sum(m.points for m in moves)
        return PointsSummary(earned=total + redeemed, redeemed=redeemed, balance=balance + total)

    def sale_points(self, sale_id: int, customer_id: int | None) -> PointsSummary | None:
        """The points summary of a stored sale (for a reprint), or None if it had none."""
        if customer_id is None:
            return None
        rows = self.db.execute_sql(
            "SELECT id, points, kind FROM loyalty_entry WHERE sale_id = ? ORDER BY id", (sale_id,)
        ).fetchall()
        if not rows:
            return None
        last_id = rows[-1][0]
        balance = self.db.execute_sql(
            "SELECT COALESCE(SUM(points), 0) FROM loyalty_entry WHERE customer_id = ? AND id <= ?",
            (customer_id, last_id),
        ).fetchone()[0]
        redeemed = -sum(points for _, points, kind in rows if kind == "redeem")
        earned = sum(points for _, points, kind in rows if kind != "redeem")
        return PointsSummary(earned=earned, redeemed=redeemed, balance=int(balance))

    def categories(self, product_ids: list[int]) -> dict[int, str]:
        """Each product's category name (for the per-category multipliers)."""
        if not product_ids:
            return {}
        unique = sorted(set(product_ids))
        marks = ",".join("?" * len(unique))
        rows = self.db.execute_sql(
            "SELECT p.id, COALESCE(c.name, '') FROM product p LEFT JOIN category c"
            f" ON c.id = p.category_id WHERE p.id IN ({marks})",
            unique,
        ).fetchall()
        return {int(pid): str(name) for pid, name in rows}
