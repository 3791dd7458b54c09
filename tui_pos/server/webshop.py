"""The web shop channel at the server: shop tokens, paid orders, stock feed, points.

An order is booked in one PostgreSQL transaction: the order (once per shop and order
id: a repeat with the same content is acknowledged again, other content is a conflict),
its lines and contact, one ``web`` movement per line in the store's ``stock_ledger`` with
its ``stock`` change (tills pull it like another till's), and its points in the tills'
``loyalty_ledger`` by card (published to every store like a till's points, so a balance
is one sum wherever it is asked). A product is known when the store's stock ledger or the
server's catalog holds its barcode; a SKU is a product's PLU or key in that catalog.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import psycopg

from tui_pos.server import feed
from tui_pos.server.customer_spend import book_spend
from tui_pos.server.ledgers import book_points, book_stock, lock_card, points_balance
from tui_pos.server.push import PushRefused
from tui_pos.server.tills import TillError, digest
from tui_pos.server.webshop_wire import WebOrder
from tui_pos.server.wire import parse_ident

MAX_STOCK_CHANGES = feed.MAX_CHANGES


@dataclass(frozen=True)
class ShopIdentity:
    store: str
    shop: str

    @property
    def source(self) -> str:
        """How the shop's movements are named in the ledgers and the feed (never a till id:
        till ids have no ':')."""
        return f"web:{self.shop}"


def new_shop_token(conn: psycopg.Connection, store: str, shop: str) -> str:
    """Create the shop (scoped to ``store``) or give it a new token; the old one stops."""
    parse_ident(store, "the store id")
    parse_ident(shop, "the shop id")
    token = secrets.token_urlsafe(32)
    with conn.transaction():
        conn.execute("INSERT INTO store (store_id) VALUES (%s) ON CONFLICT DO NOTHING", (store,))
        row = conn.execute(
            "INSERT INTO web_shop (shop_id, store_id, token_hash) VALUES (%s, %s, %s) "
            "ON CONFLICT (shop_id) DO UPDATE SET token_hash = excluded.token_hash, "
            "revoked_at = NULL WHERE web_shop.store_id = excluded.store_id RETURNING shop_id",
            (shop, store, digest(token)),
        ).fetchone()
    if row is None:
        raise TillError(403, f"web shop {shop} belongs to another store")
    return token


def identify_shop(conn: psycopg.Connection, token: str) -> ShopIdentity:
    with conn.transaction():
        row = conn.execute(
            "SELECT store_id, shop_id, revoked_at FROM web_shop WHERE token_hash = %s",
            (digest(token),),
        ).fetchone()
    if row is None:
        raise TillError(401, "the server does not know this web shop token")
    if row[2] is not None:
        raise TillError(401, f"web shop {row[1]} was revoked at the server")
    return ShopIdentity(row[0], row[1])


def _digits(code: str) -> str:
    return code.lstrip("0") if code.isdigit() else code


def _products(conn: psycopg.Connection, store: str, order: WebOrder) -> dict[str, str]:
    """The ledger's code for each line's code: a barcode the store's stock ledger or the
    server's catalog knows (compared without leading zeros; the ledger's spelling first),
    or a SKU: a product's PLU in the server's catalog, or its catalog key."""
    wanted = sorted({_digits(ln.code) for ln in order.lines if ln.by == "barcode"})
    skus = sorted({ln.code for ln in order.lines if ln.by == "sku"})
    rows = conn.execute(
        "SELECT DISTINCT ON (k) k, product_code FROM (SELECT CASE WHEN product_code ~ '^[0-9]+$' "
        "THEN ltrim(product_code, '0') ELSE product_code END AS k, product_code "
        "FROM stock_ledger WHERE store_id = %s) c WHERE k = ANY(%s) ORDER BY k, product_code DESC",
        (store, wanted),
    ).fetchall()
    known = {r[0]: r[1] for r in rows}
    by_sku: dict[str, list[str]] = {}
    for key, plu in conn.execute(  # active products only: an ended one is not sold
        "SELECT key, body->>'plu' FROM catalog WHERE topic = 'product' "
        "AND coalesce(body->>'active', 'true') = 'true' "
        "AND (ltrim(key, '0') = ANY(%s) OR key = ANY(%s) OR body->>'plu' = ANY(%s))",
        (wanted, skus, skus),
    ).fetchall():
        known.setdefault(_digits(key), key)
        for sku in {key, plu} & set(skus):
            by_sku.setdefault(sku, []).append(key)
    found = {}
    for ln in order.lines:
        where = f"lines[{ln.position - 1}].{ln.by}"
        if ln.by == "barcode":
            code = known.get(_digits(ln.code))
        else:
            keys = sorted(set(by_sku.get(ln.code, ())))
            if len(keys) > 1:
                raise PushRefused(
                    422,
                    "unknown_product",
                    f"{where}: SKU {ln.code} names {len(keys)} products of the catalog",
                    field=where,
                )
            code = known.get(_digits(keys[0]), keys[0]) if keys else None
        if code is None:
            raise PushRefused(
                422,
                "unknown_product",
                f"{where}: store {store} does not know product {ln.code}",
                field=where,
            )
        found[ln.code] = code
    return found


def _insert_order(conn: psycopg.Connection, who: ShopIdentity, order: WebOrder) -> bool:
    """Insert the order row; False when it is already stored with the same content."""
    inserted = conn.execute(
        "INSERT INTO web_order (shop_id, order_id, store_id, created_at, fulfilment, "
        "customer_card, total_cents, tax_cents, paid_cents, payment_method, canonical) "
        "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (shop_id, order_id) DO NOTHING",
        (
            who.shop,
            order.order_id,
            who.store,
            order.created_at,
            order.fulfilment,
            order.customer.card,
            order.total_cents,
            order.tax_cents,
            order.paid_cents,
            order.payment_method,
            order.canonical,
        ),
    ).rowcount
    if inserted:
        return True
    row = conn.execute(
        "SELECT canonical FROM web_order WHERE shop_id = %s AND order_id = %s",
        (who.shop, order.order_id),
    ).fetchone()
    erased = "erased:" + hashlib.sha256(order.canonical.encode()).hexdigest()
    if row is not None and row[0] in (order.canonical, erased):  # an erasure keeps the hash
        return False
    raise PushRefused(
        409,
        "conflict",
        f"order_id: order {order.order_id} was booked before with other content; "
        "an order id is used once",
        field="order_id",
    )


def book_order(conn: psycopg.Connection, who: ShopIdentity, order: WebOrder) -> dict[str, Any]:
    """Book a paid order (one transaction); posting it again books nothing."""
    with conn.transaction():
        codes = _products(conn, who.store, order)
        if order.customer.card:
            lock_card(conn, order.customer.card)
        if not _insert_order(conn, who, order):
            return _answer(conn, who, order, duplicate=True)
        if order.points_redeemed:
            have = points_balance(conn, order.customer.card)
            if have < order.points_redeemed:
                raise PushRefused(
                    409,
                    "points",
                    f"points.redeemed: the card has {have} points, not {order.points_redeemed}",
                    field="points.redeemed",
                    balance=have,
                )
        contact = order.customer
        if contact.name or contact.email or contact.phone:
            conn.execute(
                "INSERT INTO web_order_contact (shop_id, order_id, name, email, phone) "
                "VALUES (%s,%s,%s,%s,%s)",
                (who.shop, order.order_id, contact.name, contact.email, contact.phone),
            )
        moves = [
            (f"{order.order_id}#{ln.position}", codes[ln.code], -1000 * ln.qty)
            for ln in order.lines
        ]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO web_order_line (shop_id, order_id, position, product_code, "
                "qty_milli, unit_price_cents, amount_cents, tax_rate_bp, tax_cents) "
                "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                [
                    (
                        who.shop,
                        order.order_id,
                        ln.position,
                        codes[ln.code],
                        1000 * ln.qty,
                        ln.unit_price_cents,
                        ln.amount_cents,
                        ln.tax_rate_bp,
                        ln.tax_cents,
                    )
                    for ln in order.lines
                ],
            )
            book_stock(cur, who.store, who.source, [(*m, "web") for m in moves])
            book_points(
                cur,
                who.store,
                who.source,
                [
                    (f"{order.order_id}#{kind}", order.customer.card, n, kind)
                    for n, kind in (
                        (order.points_earned, "earn"),
                        (-order.points_redeemed, "redeem"),
                    )
                    if n
                ],
            )
            if order.customer.card:  # the customer's visits, spend and tier at every till
                book_spend(
                    cur,
                    who.store,
                    who.source,
                    [
                        (
                            order.order_id,
                            order.customer.card,
                            order.total_cents,
                            order.created_at,
                            "web",
                        )
                    ],
                )
        feed.publish(conn, "web_order", order.order_id, _for_tills(order, codes), who.store)
        return _answer(conn, who, order, duplicate=False)


def _for_tills(order: WebOrder, codes: dict[str, str]) -> dict[str, Any]:
    """The order as the store's tills pull it (for collection and the customer's profile)."""
    contact = order.customer
    return {
        "order_id": order.order_id,
        "created_at": order.created_at,
        "fulfilment": order.fulfilment,
        "total_cents": order.total_cents,
        "customer": {
            "card": contact.card,
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
        },
        "lines": [
            {
                "code": codes[ln.code],
                "qty_milli": 1000 * ln.qty,
                "unit_price_cents": ln.unit_price_cents,
                "amount_cents": ln.amount_cents,
            }
            for ln in order.lines
        ],
    }


def _answer(
    conn: psycopg.Connection, who: ShopIdentity, order: WebOrder, *, duplicate: bool
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "order_id": order.order_id,
        "store": who.store,
        "booked": not duplicate,
        "duplicate": duplicate,
        "total_cents": order.total_cents,
    }
    if order.customer.card:
        answer["points_balance"] = points_balance(conn, order.customer.card)
    return answer


def stock_levels(conn: psycopg.Connection, who: ShopIdentity) -> dict[str, Any]:
    """Every product's level at the shop's store and the cursor to poll changes from.

    Summed from the same change rows the feed serves, below the snapshot's xmin, so the
    levels and the cursor agree (a later change is never counted twice or missed)."""
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        rows = conn.execute(
            "SELECT key, sum((body->>'qty_milli')::bigint) FROM change "
            "WHERE store_id = %s AND topic = 'stock' "
            "AND xid < pg_snapshot_xmin(pg_current_snapshot()) GROUP BY key ORDER BY key",
            (who.store,),
        ).fetchall()
        last = conn.execute(
            "SELECT xid::text, id FROM change WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) "
            "ORDER BY xid DESC, id DESC LIMIT 1"
        ).fetchone()
    cursor = f"{last[0]}:{last[1]}" if last else "0:0"
    return {
        "store": who.store,
        "cursor": cursor,
        "levels": [{"code": r[0], "qty_milli": int(r[1])} for r in rows],
    }


def stock_changes(
    conn: psycopg.Connection, who: ShopIdentity, cursor: tuple[int, int], limit: int
) -> dict[str, Any]:
    """The store's stock changes after ``cursor`` (same rules as the tills' feed)."""
    rows, last, more = feed.page(conn, cursor, limit, who.store, "stock")
    return {
        "store": who.store,
        "cursor": last,
        "more": more,
        "changes": [{"code": r[4], "qty_milli": int(r[5]["qty_milli"])} for r in rows],
    }


def points_of(conn: psycopg.Connection, card: str) -> dict[str, Any]:
    """A loyalty card's balance (the whole organisation's: every till and web shop) and
    its latest movements (``ref``: a web order's id, or a till's entry uuid)."""
    with conn.transaction():
        rows = conn.execute(
            "SELECT points, kind, till_id, store_id, split_part(entry_uuid, '#', 1), "
            "created_at FROM loyalty_ledger WHERE card = %s ORDER BY id DESC LIMIT 50",
            (card,),
        ).fetchall()
        have = points_balance(conn, card)
    return {
        "card": card,
        "balance": have,
        "recent": [
            {
                "points": int(r[0]),
                "kind": r[1],
                "source": r[2],
                "store": r[3],
                "ref": r[4],
                "at": r[5].isoformat(),
            }
            for r in rows
        ],
    }
