"""Server migration 4: the web shop channel (docs/DESIGN.md, "Web shop channel").

A web shop has its own token, scoped to one store. Its orders are stored once per
``(shop_id, order_id)`` with their lines; their stock movements go into the store's
``stock_ledger`` and the change feed like a till's; points earned and redeemed online go
into the tills' ``loyalty_ledger`` (migration 2) by card, which gets the time of each row.
``return_claim`` holds what tills took back of a document sold elsewhere (a web order or
another till's sale), so what is left to return is known in one place.
"""

from __future__ import annotations

WEBSHOP_SQL = """
CREATE TABLE web_shop (
  shop_id text PRIMARY KEY CHECK (shop_id ~ '^[A-Za-z0-9_-]{1,32}$'),
  store_id text NOT NULL REFERENCES store,
  token_hash text UNIQUE NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz);
CREATE TABLE web_order (
  shop_id text NOT NULL REFERENCES web_shop,
  order_id text NOT NULL,
  store_id text NOT NULL REFERENCES store,
  created_at text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  fulfilment text NOT NULL CHECK (fulfilment IN ('collect', 'ship')),
  customer_card text NOT NULL DEFAULT '',
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  tax_cents bigint NOT NULL CHECK (tax_cents >= 0),
  paid_cents bigint NOT NULL CHECK (paid_cents >= 0),
  payment_method text NOT NULL,
  canonical text NOT NULL,
  PRIMARY KEY (shop_id, order_id));
CREATE INDEX web_order_store ON web_order (store_id, created_at);
CREATE TABLE web_order_contact (
  shop_id text NOT NULL,
  order_id text NOT NULL,
  name text NOT NULL DEFAULT '',
  email text NOT NULL DEFAULT '',
  phone text NOT NULL DEFAULT '',
  PRIMARY KEY (shop_id, order_id),
  FOREIGN KEY (shop_id, order_id) REFERENCES web_order);
CREATE TABLE web_order_line (
  shop_id text NOT NULL,
  order_id text NOT NULL,
  position integer NOT NULL CHECK (position > 0),
  product_code text NOT NULL,
  qty_milli bigint NOT NULL CHECK (qty_milli > 0),
  unit_price_cents bigint NOT NULL CHECK (unit_price_cents >= 0),
  amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
  tax_rate_bp integer NOT NULL,
  tax_cents bigint NOT NULL,
  PRIMARY KEY (shop_id, order_id, position),
  FOREIGN KEY (shop_id, order_id) REFERENCES web_order);
CREATE TABLE web_order_collected (
  shop_id text NOT NULL,
  order_id text NOT NULL,
  till_id text NOT NULL,
  collected_at text NOT NULL,
  PRIMARY KEY (shop_id, order_id),
  FOREIGN KEY (shop_id, order_id) REFERENCES web_order);
CREATE TABLE return_claim (
  claim_uuid text NOT NULL,
  position integer NOT NULL,
  document text NOT NULL,
  store_id text NOT NULL,
  till_id text NOT NULL,
  qty_milli bigint NOT NULL CHECK (qty_milli > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (claim_uuid, position));
CREATE INDEX return_claim_document ON return_claim (document, position);
ALTER TABLE loyalty_ledger ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
"""
