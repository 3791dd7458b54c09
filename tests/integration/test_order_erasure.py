"""Personal data outside the append-only documents: an online order's contact is erased
with its customer and listed by ``customer export``; an old database (schema 8, contacts
inside the orders) is migrated: contacts moved out, an erased customer's cleared, every
stored row chained once, and ``db verify`` clean."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.support.approvals import approved
from tests.support.tills import MANAGER_CODE, MANAGER_PIN, fixed_clock
from tui_pos.bootstrap import Till, open_till
from tui_pos.cli import main
from tui_pos.config import Config
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.staff import Action
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.models.chain_tables import CHAINED, NOT_CHAINED
from tui_pos.models.database import open_database
from tui_pos.models.journal_verify import verify_journal
from tui_pos.models.migrations import MIGRATIONS, current_version

LOAF = "5900000000015"
SECRETS = ("Lovelace", "ada@example.com", "7946 0001", "2400000000017")


def order(order_id: str, customer: dict[str, str]) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "created_at": "2026-11-25T09:14:00Z",
        "paid": True,
        "collection": True,
        "customer": customer,
        "lines": [{"barcode": LOAF, "qty": 1, "price": "1.49"}],
    }


def every_text(path: Path, skip: tuple[str, ...] = ()) -> str:
    """All text the database holds in its tables (but ``skip``), for a search."""
    with sqlite3.connect(path) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith(("sqlite_", "product_search")) and r[0] not in skip
        ]
        return " ".join(
            str(value)
            for t in tables
            for row in conn.execute(f'SELECT * FROM "{t}"')
            for value in row
        )


def test_erasing_a_customer_reaches_their_online_orders(demo_till: Till) -> None:
    ada_contact = {"name": "Ada Lovelace", "email": "Ada@Example.com", "phone": "+44 20 7946 0001"}
    # Imported before Ada had a profile: matched at erasure by e-mail.
    demo_till.online_orders.import_text(
        json.dumps({"orders": [order("WEB-1", ada_contact)]}),
        approved(demo_till, Action.PRODUCT_ADMIN),
    )
    ada = demo_till.customers.create(
        CustomerDetails(name="Ada Lovelace", email="ada@example.com", phone="+44 20 7946 0001")
    )
    # Imported after: linked to her profile by id at import.
    orders = [order("WEB-2", ada_contact), order("WEB-3", {"name": "Bo Peep", "email": "b@x.org"})]
    demo_till.online_orders.import_text(
        json.dumps({"orders": orders}), approved(demo_till, Action.PRODUCT_ADMIN)
    )

    held = demo_till.customers.export_data(
        str(ada.id), approval=approved(demo_till, Action.CUSTOMER_ADMIN)
    )["online_orders"]
    assert [o["order_id"] for o in held] == ["WEB-1", "WEB-2"]
    assert held[1]["contact"]["name"] == "Ada Lovelace" and held[1]["lines"][0]["qty_milli"] == 1000
    assert held[1]["total_cents"] == 149

    demo_till.customers.erase(
        str(ada.id), "asked at the counter", approval=approved(demo_till, Action.CUSTOMER_ADMIN)
    )
    text = every_text(demo_till.db_path, skip=("customer_event",))
    assert not [s for s in SECRETS if s.lower() in text.lower()], "personal data left behind"
    assert "Bo Peep" in text  # another customer's order is untouched
    after = demo_till.customers.export_data(
        str(ada.id), approval=approved(demo_till, Action.CUSTOMER_ADMIN)
    )["online_orders"]
    assert [o["order_id"] for o in after] == ["WEB-1", "WEB-2"]
    assert all(o["contact"] == {"name": "", "email": "", "phone": "", "card": ""} for o in after)
    found = demo_till.online_orders.find_for_collection("WEB", include_collected=True)
    assert sorted(o.customer_name for o in found) == ["", "", "Bo Peep"]
    assert verify_journal(demo_till.db)[0] == []  # erasure breaks no chain


def test_customer_export_on_the_command_line_lists_online_orders(demo_till: Till) -> None:
    ada = demo_till.customers.create(CustomerDetails(name="Ada Lovelace", email="ada@example.com"))
    contact = {"name": "Ada L.", "email": "ada@example.com"}
    demo_till.online_orders.import_text(
        json.dumps({"orders": [order("WEB-9", contact)]}), approved(demo_till, Action.PRODUCT_ADMIN)
    )
    demo_till.close()
    result = CliRunner().invoke(
        main,
        ["--db", str(demo_till.db_path), "customer", "export", str(ada.id), "--by", MANAGER_CODE],
        input=MANAGER_PIN + "\n",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{") :])
    assert data["online_orders"][0]["order_id"] == "WEB-9"
    assert data["online_orders"][0]["contact"]["name"] == "Ada L."


def test_no_append_only_table_holds_customer_contact_columns(till: Till) -> None:
    for table in CHAINED:
        columns = {r[1] for r in till.db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()}
        assert not {c for c in columns if c.startswith("customer_") and c != "customer_id"}, table


def test_every_append_only_table_is_chained_with_every_column(till: Till) -> None:
    """A table or column added later must join the chain in models/chain_tables.py."""
    triggers = till.db.execute_sql(
        "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_delete'"
    ).fetchall()
    append_only = {r[0] for r in triggers}
    assert append_only - set(NOT_CHAINED) == set(CHAINED)
    for table, spec in CHAINED.items():
        columns = [r[1] for r in till.db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()]
        assert set(columns) == {"id", *spec.columns, *spec.later}, table


# -- an old database migrated ------------------------------------------------------------------

_OLD_ROWS = """
INSERT INTO tax_code VALUES ('B', 'Reduced', 500);
INSERT INTO product (id, name, price_cents, tax_code, unit, reorder_level_milli, active)
  VALUES (1, 'White Loaf', 149, 'B', 'each', 0, 1);
INSERT INTO barcode VALUES ('05900000000015', 1);
INSERT INTO customer VALUES (1, 'c1', NULL, '(erased)', '', '', '', NULL, '', '', 0,
  '2026-11-01 10:00:00', '2026-11-20 10:00:00', '2026-11-20 10:00:00');
INSERT INTO customer VALUES (2, 'c2', '2400000000024', 'Cy Twombly', '+1 555 0100', '15550100',
  'cy@example.com', NULL, '', '', 1, '2026-11-01 10:00:00', '2026-11-01 10:00:00', NULL);
INSERT INTO sale VALUES (1, 's1', 'T1', 1, 'completed', '2026-11-24 09:00:00', 'Sam', 298, 0,
  14, 298, 0, 2, 0, NULL, 2);
INSERT INTO sale_line VALUES (1, 1, 1, 1, 'White Loaf', '05900000000015', 'each', 2000, 149,
  298, 0, 0, 298, 'B', 500, NULL, '', 0);
INSERT INTO sale_tax VALUES (1, 1, 'B', 500, 284, 14);
INSERT INTO payment VALUES (1, 'p1', 'T1', 1, 1, 'cash', 298, 300, 2, '');
INSERT INTO stock_movement VALUES (1, 'm1', 'T1', 1, 1, 10000, 'count', NULL, 'import',
  '2026-11-01 08:00:00');
INSERT INTO stock_movement VALUES (2, 'm2', 'T1', 2, 1, -2000, 'sale', 1, '',
  '2026-11-24 09:00:00');
INSERT INTO loyalty_entry VALUES (1, 'l1', 'T1', 1, 2, 2, 'earn', 1, '', '2026-11-24 09:00:00');
INSERT INTO loyalty_entry VALUES (2, 'l2', 'T1', 2, 1, 1, 'earn', NULL, 'online order WEB-1',
  '2026-11-10 09:00:00');
INSERT INTO online_order VALUES (1, 'WEB-1', '2026-11-10 08:00:00', '2026-11-10 09:00:00', 'T1',
  'Ada Lovelace', 'ada@example.com', '+44 20 7946 0001', '', 1, 149);
INSERT INTO online_order VALUES (2, 'WEB-2', '2026-11-11 08:00:00', '2026-11-11 09:00:00', 'T1',
  'Cy T.', 'CY@example.com', '', '', 0, 149);
INSERT INTO online_order_line VALUES (1, 1, 1, 1, 'White Loaf', 1000, 149, 149);
INSERT INTO online_order_line VALUES (2, 2, 1, 1, 'White Loaf', 1000, 149, 149);
INSERT INTO online_order_event VALUES (1, 1, 'collected', 'T1', 'Sam', '2026-11-12 09:00:00');
INSERT INTO drawer_event VALUES (1, 'd1', 'T1', 1, 'sale', 1, '2026-11-24 09:00:00', 1, '');
INSERT INTO cash_movement VALUES (1, 'k1', 'T1', 1, 'float', 10000, 'opening float', NULL, '',
  '', '2026-11-24 08:00:00');
INSERT INTO z_close VALUES (1, 'T1', 1, '2026-11-24 20:00:00', 1, 1, '{"kind": "Z"}', 1);
INSERT INTO store_credit VALUES (1, 'r1', 'T1', 1, 'CR2345678923', 'issue', 100, 1,
  '2026-11-24 09:00:00');
INSERT INTO audit_event VALUES (1, 'a1', 'T1', 1, '2026-11-24 08:00:00', 'login', 'done', NULL,
  'Sam', NULL, '', '');
"""


def _old_database(path: Path) -> None:
    """A till database as schema 8 left it, with a little of everything in it."""
    db = open_database(path)
    try:
        current_version(db)  # makes the schema_version table
        for migration in MIGRATIONS:
            if migration.version > 8:
                continue
            with db.atomic():
                migration.apply(db)
                db.execute_sql(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?,?,?)",
                    (migration.version, migration.name, datetime.now(UTC).isoformat()),
                )
    finally:
        db.close()
    with sqlite3.connect(path) as conn:
        conn.executescript(_OLD_ROWS)


def test_an_old_database_is_migrated_chained_once_and_verifies(tmp_path: Path) -> None:
    path = tmp_path / "till.db"
    _old_database(path)
    till = open_till(Config(), path, printer=RecordingPrinter(), clock=fixed_clock)
    try:
        chain = till.db.execute_sql("SELECT seq, rows, amount_cents FROM chain").fetchall()
        assert chain == [(1, 18, 298)]  # every stored row, once; the sale's total
        assert verify_journal(till.db) == ([], 1)
        columns = {r[1] for r in till.db.execute_sql("PRAGMA table_info(online_order)")}
        assert "customer_name" not in columns
        contacts = till.db.execute_sql(
            "SELECT order_id, customer_id, name, email, phone FROM online_order_contact"
            " ORDER BY order_id"
        ).fetchall()
        # WEB-1 earned points for the customer erased since: its contact is cleared;
        # WEB-2 names Cy by e-mail: linked, kept until Cy is erased.
        assert contacts == [(1, 1, "", "", ""), (2, 2, "Cy T.", "CY@example.com", "")]
        assert "Lovelace" not in every_text(path)
        till.register.enter(LOAF)
        till.register.pay_cash("")
        till.customers.erase("2", approval=approved(till, Action.CUSTOMER_ADMIN))
        assert verify_journal(till.db)[0] == []
    finally:
        till.close()
    result = CliRunner().invoke(main, ["--db", str(path), "db", "migrate"])
    assert result.exit_code == 0
    assert verify_journal(open_database(path))[0] == []
