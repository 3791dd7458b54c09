"""Catalog changes made at an enrolled till go to the store server, not into this till.

``import products`` and ``promo add``/``end`` on an enrolled till send their checked
items with who signed them to ``POST /v1/catalog``; the server checks the role, audits,
and publishes them; this till then pulls the feed like every other till, so it changes
only through the feed. Unreachable or refusing server: nothing changes anywhere and the
command says why. A till that is not enrolled never comes here.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from peewee import Database

from tui_pos.domain.errors import DomainError
from tui_pos.domain.promotions import Promotion
from tui_pos.domain.staff import Employee
from tui_pos.services.product_import import ProductRecord
from tui_pos.services.promotions import Promotions, PromotionStore
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError
from tui_pos.sync.puller import pull_changes

#: Items per request (each request is one transaction at the server).
CHUNK = 2000


class ServerRefused(DomainError):
    """The store server refused or could not be reached: nothing was changed."""


def enrolled(db: Database) -> bool:
    return st.load(db) is not None


def send(db: Database, topic: str, items: list[dict[str, Any]], by: Employee | None) -> int:
    """Send ``items`` of ``topic`` signed by ``by`` and apply the feed here; items stored."""
    state = st.load(db)
    if state is None:
        raise ServerRefused("this till is not enrolled with a store server")
    if by is None:
        raise ServerRefused(
            "an enrolled till signs what it sends to the store server: add staff first "
            "(tui-pos staff add) and name who does it with --by"
        )
    client = ServerClient(state.url, state.token)
    signer = {"id": by.id, "name": by.name, "role": str(by.role)}
    stored = 0
    try:
        for start in range(0, len(items), CHUNK):
            answer = client.call(
                "POST",
                "catalog",
                {"topic": topic, "by": signer, "items": items[start : start + CHUNK]},
            )
            stored += int(answer.get("stored", 0))
    except SyncError as exc:
        done = f" ({stored} stored before)" if stored else ", nothing was changed"
        raise ServerRefused(f"the store server at {state.url}: {exc}{done}") from None
    with contextlib.suppress(SyncError):  # stored: the sync thread brings it here later
        pull_changes(db, client)
    return stored


def pulled(db: Database, sql: str, key: str, wait_s: float = 5.0) -> Any:
    """The first row of ``sql`` (one parameter, ``key``) once this till has pulled it:
    the feed serves a change once no older transaction is open at the server, so it may
    take a moment; None when it did not come in time."""
    state = st.load(db)
    deadline = time.monotonic() + wait_s
    while True:
        row = db.execute_sql(sql, (key,)).fetchone()
        if row is not None or state is None or time.monotonic() > deadline:
            return row
        time.sleep(0.1)
        with contextlib.suppress(SyncError):
            pull_changes(db, ServerClient(state.url, state.token))


def product_items(records: Iterable[ProductRecord]) -> list[dict[str, Any]]:
    """Checked import rows as catalog items; a stock count is refused (stock is counted at
    a till, by a delivery or a count, and is the sum of every till's ledger)."""
    items = []
    for rec in records:
        if rec.stock_milli is not None:
            raise ServerRefused(
                f"line {rec.line}: on an enrolled till the stock column stays empty (stock "
                "is counted at a till: tui-pos stock ...); nothing was sent"
            )
        if rec.code is None:
            raise ServerRefused(
                f"line {rec.line}: a product shared through the store server needs a barcode"
            )
        body = {
            "name": rec.name,
            "price_cents": rec.price_cents,
            "tax_code": rec.tax_code,
            "category": rec.category,
            "unit": rec.unit,
            "plu": rec.plu,
            "reorder_level_milli": rec.reorder_level_milli,
        }
        items.append({"key": rec.code, "body": body})
    return items


class ServerPromotionStore:
    """A :class:`PromotionStore` whose writes go to the store server (reads are local)."""

    def __init__(self, local: PromotionStore, db: Database, by: Employee | None) -> None:
        self.local = local
        self.db = db
        self.by = by

    def _body(self, promo: Promotion) -> dict[str, Any]:
        target: dict[str, Any] = {}
        if promo.product_id is not None:
            row = self.db.execute_sql(
                "SELECT min(code) FROM barcode WHERE product_id = ?", (promo.product_id,)
            ).fetchone()
            if not row or row[0] is None:
                raise ServerRefused("a promotion shared by the store server needs a barcoded item")
            target["item"] = str(row[0])
        else:
            row = self.db.execute_sql(
                "SELECT name FROM category WHERE id = ?", (promo.category_id,)
            ).fetchone()
            target["category"] = str(row[0])
        return {
            **target,
            "name": promo.name,
            "kind": promo.kind,
            "value": promo.value,
            "buy_qty": promo.buy_qty,
            "pay_qty": promo.pay_qty,
            "starts_on": promo.starts_on.isoformat(),
            "ends_on": promo.ends_on.isoformat() if promo.ends_on else None,
            "tier": promo.tier,
            "segment": promo.segment,
            "birthday": promo.birthday,
        }

    def add(self, promo: Promotion) -> int:
        key = uuid.uuid4().hex
        send(self.db, "promotion", [{"key": key, "body": self._body(promo)}], self.by)
        row = pulled(self.db, "SELECT id FROM promotion WHERE server_key = ?", key)
        if row is None:
            raise ServerRefused(
                "the store server stored the promotion; this till applies it when it syncs"
            )
        return int(row[0])

    def set_end(self, promo_id: int, day: date) -> None:
        row = self.db.execute_sql(
            "SELECT server_key FROM promotion WHERE id = ?", (promo_id,)
        ).fetchone()
        found = [p for p in self.local.all() if p.id == promo_id]
        if row is None or row[0] is None or not found:
            self.local.set_end(promo_id, day)  # made here before the till was enrolled
            return
        body = self._body(found[0]) | {"ends_on": day.isoformat()}
        send(self.db, "promotion", [{"key": str(row[0]), "body": body}], self.by)

    def all(self) -> list[Promotion]:
        return self.local.all()

    def active_on(self, day: date) -> list[Promotion]:
        return self.local.active_on(day)

    def category_id(self, name: str) -> int | None:
        return self.local.category_id(name)

    def target_names(self) -> dict[tuple[str, int], str]:
        return self.local.target_names()


def promotions_for(promotions: Promotions, db: Database, by: Employee | None) -> Promotions:
    """The promotions service a signed command uses: on an enrolled till its writes go
    to the store server (``promotions`` itself otherwise)."""
    if not enrolled(db):
        return promotions
    store = ServerPromotionStore(promotions.store, db, by)
    return Promotions(
        store, promotions.catalog, promotions.parser, promotions.clock, promotions.auth
    )
