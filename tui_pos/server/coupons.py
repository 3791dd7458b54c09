"""Personal coupons and unsubscribes at the store server (issue 16).

A coupon is redeemable once in the store, at any till. Online, the till reserves the
coupon for the sale that redeems it before storing that sale (:func:`reserve`); the
server refuses a coupon another sale redeemed (its redemption row arrived with a push)
or holds. Offline the till redeems locally; when its redemption row arrives, a trigger
raises an alert if the coupon was redeemed or reserved by another sale meanwhile
(docs/DESIGN.md, "Coupons and unsubscribes through the store server").

An unsubscribe token (from a mail's link) is recorded once and published on the change
feed to every till; the till that sent the mail holds the token and records the opt-out
in its consent log (``tui_pos/sync/coupons.py``). The server never holds the tokens'
owners, so it cannot say whether a well-formed token is known.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg

from tui_pos.server import feed
from tui_pos.server.push import PushRefused, TillIdentity

#: A reservation whose sale never arrived (given up after payment) frees the coupon
#: after this long.
RESERVATION_LIFETIME = timedelta(minutes=15)

#: ``chain_row.data`` of a ``coupon_redemption`` row: [table, id, uuid, till, code,
#: customer_id, sale_uuid, discount_cents, created_at] (models/chain_tables.py).
_TILL, _CODE, _SALE = 3, 4, 6

#: Server migration 6 (frozen).
SCHEMA_V6 = f"""
CREATE TABLE coupon_reservation (
  store_id text NOT NULL,
  code text NOT NULL,
  till_id text NOT NULL,
  sale_uuid text NOT NULL,
  reserved_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, code));
CREATE INDEX chain_row_coupon_redemption ON chain_row (store_id, (data->>{_CODE}))
  WHERE tbl = 'coupon_redemption';
CREATE TABLE unsubscribe_request (
  token text PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION coupon_redeemed_elsewhere() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  other text;
BEGIN
  SELECT 'till ' || (r.data->>{_TILL}) || ' (sale ' || (r.data->>{_SALE}) || ')' INTO other
    FROM chain_row r WHERE r.store_id = NEW.store_id AND r.tbl = 'coupon_redemption'
    AND r.data->>{_CODE} = NEW.data->>{_CODE} AND r.data->>{_SALE} <> NEW.data->>{_SALE} LIMIT 1;
  IF other IS NULL THEN
    SELECT 'till ' || c.till_id || ' (reserved for sale ' || c.sale_uuid || ')' INTO other
      FROM coupon_reservation c WHERE c.store_id = NEW.store_id
      AND c.code = NEW.data->>{_CODE} AND c.sale_uuid <> NEW.data->>{_SALE};
  END IF;
  IF other IS NOT NULL THEN
    INSERT INTO alert (store_id, till_id, kind, message) VALUES (NEW.store_id, NEW.till_id,
      'coupon', 'coupon ' || (NEW.data->>{_CODE}) || ' redeemed at till ' || NEW.till_id
      || ' (sale ' || (NEW.data->>{_SALE}) || ', offline) was also redeemed at ' || other);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER chain_row_coupon_redemption AFTER INSERT ON chain_row
  FOR EACH ROW WHEN (NEW.tbl = 'coupon_redemption')
  EXECUTE FUNCTION coupon_redeemed_elsewhere();
"""


def reserve(conn: psycopg.Connection, who: TillIdentity, code: str, sale: str) -> dict[str, Any]:
    """Hold ``code`` for the sale ``sale`` of the calling till (again: the same answer);
    PushRefused 409 ``used`` when another sale redeemed or holds it."""
    with conn.transaction():
        used = conn.execute(
            f"SELECT data->>{_TILL} FROM chain_row WHERE store_id = %s"
            f" AND tbl = 'coupon_redemption' AND data->>{_CODE} = %s AND data->>{_SALE} <> %s"
            " LIMIT 1",
            (who.store, code, sale),
        ).fetchone()
        if used is not None:
            raise PushRefused(409, "used", f"Coupon {code} was redeemed at till {used[0]}")
        held = conn.execute(
            "INSERT INTO coupon_reservation AS c (store_id, code, till_id, sale_uuid)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (store_id, code) DO UPDATE"
            " SET till_id = excluded.till_id, sale_uuid = excluded.sale_uuid, reserved_at = now()"
            " WHERE c.sale_uuid = excluded.sale_uuid OR c.reserved_at < now() - %s"
            " RETURNING till_id",
            (who.store, code, who.till, sale, RESERVATION_LIFETIME),
        ).fetchone()
        if held is None:
            other = conn.execute(
                "SELECT till_id FROM coupon_reservation WHERE store_id = %s AND code = %s",
                (who.store, code),
            ).fetchone()
            till = other[0] if other else "?"
            raise PushRefused(409, "used", f"Coupon {code} is being redeemed at till {till}")
    return {"code": code, "sale": sale, "till": who.till, "reserved": True}


def record_unsubscribe(conn: psycopg.Connection, token: str) -> bool:
    """Record the token once and publish it to every till; False when it came before."""
    with conn.transaction():
        new = conn.execute(
            "INSERT INTO unsubscribe_request (token) VALUES (%s) ON CONFLICT DO NOTHING"
            " RETURNING token",
            (token,),
        ).fetchone()
        if new is None:
            return False
        feed.publish(conn, "unsubscribe", token, {"token": token}, None)
        conn.execute(
            "INSERT INTO audit (actor, action, detail) VALUES (%s, %s, %s)",
            ("customer (unsubscribe link)", "unsubscribe", f"token {token}"),
        )
    return True
