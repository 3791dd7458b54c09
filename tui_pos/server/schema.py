"""The server's PostgreSQL schema: frozen, versioned migrations like the till's.

Keys carry the store (``(store_id, uuid)``, ``(store_id, till_id, seq)``) so partitioning or
distributing by store later needs no change of keys. The change feed's rows carry the
writing transaction's id (``xid8``): readers page by ``(xid, id)`` below the snapshot's
xmin, never by a serial id alone (docs/DESIGN.md, "Store server").
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from tui_pos.server import claim_ends, customer_history
from tui_pos.server.coupons import SCHEMA_V6
from tui_pos.server.customers import SCHEMA_V7
from tui_pos.server.webshop_schema import WEBSHOP_SQL

GENESIS = "0" * 64


@dataclass(frozen=True)
class ServerMigration:
    version: int
    name: str
    sql: str


_V1 = f"""
CREATE TABLE store (
  store_id text PRIMARY KEY CHECK (store_id ~ '^[A-Za-z0-9_-]{{1,32}}$'),
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE till (
  store_id text NOT NULL REFERENCES store,
  till_id text NOT NULL CHECK (till_id ~ '^[A-Za-z0-9_-]{{1,32}}$'),
  token_hash text UNIQUE,
  enrolled_at timestamptz,
  revoked_at timestamptz,
  head_seq bigint NOT NULL DEFAULT 0,
  head_hash text NOT NULL DEFAULT '{GENESIS}',
  conflict text,
  PRIMARY KEY (store_id, till_id));
CREATE TABLE enrollment (
  code_hash text PRIMARY KEY,
  store_id text NOT NULL,
  till_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  FOREIGN KEY (store_id, till_id) REFERENCES till);
CREATE TABLE document (
  store_id text NOT NULL,
  uuid text NOT NULL,
  till_id text NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  created_at text NOT NULL,
  marks text NOT NULL,
  rows integer NOT NULL,
  digest text NOT NULL,
  amount_cents bigint NOT NULL,
  grand_total_cents bigint NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, uuid),
  UNIQUE (store_id, till_id, seq),
  FOREIGN KEY (store_id, till_id) REFERENCES till);
CREATE TABLE chain_row (
  store_id text NOT NULL,
  till_id text NOT NULL,
  tbl text NOT NULL,
  row_id bigint NOT NULL,
  entry_seq bigint NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (store_id, till_id, tbl, row_id));
CREATE TABLE stock_ledger (
  id bigserial PRIMARY KEY,
  store_id text NOT NULL,
  till_id text NOT NULL,
  movement_uuid text NOT NULL,
  product_code text NOT NULL,
  qty_milli bigint NOT NULL,
  kind text NOT NULL,
  UNIQUE (store_id, till_id, movement_uuid));
CREATE INDEX stock_ledger_product ON stock_ledger (store_id, product_code);
CREATE TABLE alert (
  id bigserial PRIMARY KEY,
  store_id text NOT NULL,
  till_id text,
  kind text NOT NULL,
  message text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE change (
  id bigserial PRIMARY KEY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  store_id text,
  origin_till text,
  topic text NOT NULL,
  key text NOT NULL,
  body jsonb NOT NULL);
CREATE INDEX change_cursor ON change (xid, id);
CREATE TABLE audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  detail text NOT NULL);
"""

_V2 = """
ALTER TABLE change ADD COLUMN origin_store text;
CREATE TABLE loyalty_ledger (
  id bigserial PRIMARY KEY,
  store_id text NOT NULL,
  till_id text NOT NULL,
  entry_uuid text NOT NULL,
  card text NOT NULL,
  points bigint NOT NULL,
  kind text NOT NULL,
  UNIQUE (store_id, till_id, entry_uuid));
CREATE INDEX loyalty_ledger_card ON loyalty_ledger (card);
CREATE TABLE till_product (
  store_id text NOT NULL,
  till_id text NOT NULL,
  product_id bigint NOT NULL,
  code text NOT NULL,
  category text NOT NULL,
  PRIMARY KEY (store_id, till_id, product_id));
CREATE TABLE catalog (
  topic text NOT NULL,
  key text NOT NULL,
  body jsonb NOT NULL,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, key));
"""

MIGRATIONS: tuple[ServerMigration, ...] = (
    ServerMigration(1, "stores, tills, chain entries and rows, stock ledger, feed, audit", _V1),
    ServerMigration(2, "loyalty ledger, products named by tills, managed catalog", _V2),
    ServerMigration(4, "web shops: tokens, orders and lines, return claims", WEBSHOP_SQL),
    ServerMigration(6, "coupon reservations, redeemed-twice alerts, unsubscribes", SCHEMA_V6),
    ServerMigration(7, "customers merged across tills and stores", SCHEMA_V7),
    ServerMigration(
        8,
        "return claims: leases, releases, completion; customers' cards per till",
        claim_ends.SCHEMA_V8 + customer_history.SCHEMA_V8,
    ),
)
LATEST = MIGRATIONS[-1].version


class SchemaError(Exception):
    """The server database cannot be used by this program (message for the user)."""


def current_version(conn: psycopg.Connection) -> int:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, "
        "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0) if row else 0


def migrate(conn: psycopg.Connection) -> list[ServerMigration]:
    """Apply what is missing, each migration in its own transaction; refuse a newer schema."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(7401)")
        version = current_version(conn)
    if version > LATEST:
        raise SchemaError(
            f"the server database is at schema version {version}, newer than this "
            f"tui-pos ({LATEST}): upgrade tui-pos"
        )
    applied = []
    for migration in MIGRATIONS:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(7401)")
            done = conn.execute(
                "SELECT 1 FROM schema_version WHERE version = %s", (migration.version,)
            ).fetchone()
            if done:
                continue
            conn.execute(migration.sql.encode())
            conn.execute(
                "INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
        applied.append(migration)
    return applied


def check_current(conn: psycopg.Connection) -> None:
    """Refuse to serve a database that is not exactly at this program's schema."""
    with conn.transaction():
        version = current_version(conn)
        have = {int(r[0]) for r in conn.execute("SELECT version FROM schema_version")}
    if version != LATEST:
        hint = "run 'tui-pos server init --url ...'" if version < LATEST else "upgrade tui-pos"
        raise SchemaError(
            f"the server database is at schema version {version}, this tui-pos needs "
            f"{LATEST}: {hint}"
        )
    missing = [str(m.version) for m in MIGRATIONS if m.version not in have]
    if missing:  # versions are reserved per branch: a lower one may land after a higher
        raise SchemaError(
            f"the server database lacks schema version {', '.join(missing)}: "
            "run 'tui-pos server init --url ...'"
        )
