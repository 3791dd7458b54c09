"""``tui-pos import customers``, ``export customers``, ``customer export|erase|segment``."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from tests.integration.test_cli import Invoke, clean, cli, db, home  # noqa: F401  (fixtures)
from tests.support.approvals import approved
from tui_pos.domain.staff import Action

GOOD = """card,name,phone,email,birthday,notes,preferences,consent
2400000000013,Ada Lovelace,07700 900123,ada@example.com,1985-12-10,likes rye,organic,yes
,Alan Turing,07700 900456,,,,,no
"""


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_dry_run_then_for_real(cli: Invoke, db: Path, tmp_path: Path) -> None:  # noqa: F811
    file = write(tmp_path, GOOD)
    dry = clean(cli("import", "customers", str(file), "--dry-run"))
    assert dry.exit_code == 0 and "would create 2, updated 0 customers" in dry.stdout
    assert query(db, "SELECT COUNT(*) FROM customer") == [(0,)]
    done = clean(cli("import", "customers", str(file)))
    assert done.exit_code == 0 and "created 2, updated 0" in done.stdout
    assert query(db, "SELECT name, card, marketing_consent FROM customer ORDER BY id") == [
        ("Ada Lovelace", "2400000000013", 1),
        ("Alan Turing", None, 0),
    ]


def test_import_bad_rows_write_nothing(cli: Invoke, db: Path, tmp_path: Path) -> None:  # noqa: F811
    bad = GOOD + ",,,,,,,\n,Eve,123,,,,,\n,Mallory,,,31/12/1990,,,\n"
    result = clean(cli("import", "customers", str(write(tmp_path, bad))))
    assert result.exit_code == 1
    assert "3 bad row(s), nothing imported" in result.stderr
    assert "line 4: A customer needs a name" in result.stderr
    assert "line 5: Not a phone number" in result.stderr
    assert "line 6: Not a date like 1984-02-29" in result.stderr
    assert query(db, "SELECT COUNT(*) FROM customer") == [(0,)]


def test_export_customers_csv_json_and_segment(cli: Invoke, db: Path, tmp_path: Path) -> None:  # noqa: F811
    clean(cli("import", "customers", str(write(tmp_path, GOOD))))
    out = clean(cli("export", "customers"))
    assert out.exit_code == 0
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["name"] for r in table] == ["Ada Lovelace", "Alan Turing"]
    assert table[0]["tier"] == "Bronze" and table[0]["points"] == "0"
    data = json.loads(clean(cli("export", "customers", "--format", "json")).stdout)
    assert {d["name"] for d in data} == {"Ada Lovelace", "Alan Turing"}
    newsletter = clean(cli("export", "customers", "--segment", "newsletter"))
    assert [r["name"] for r in csv.DictReader(io.StringIO(newsletter.stdout))] == ["Ada Lovelace"]
    marketing = clean(cli("export", "customers", "--purpose", "marketing"))
    assert [r["name"] for r in csv.DictReader(io.StringIO(marketing.stdout))] == ["Ada Lovelace"]
    unknown = clean(cli("export", "customers", "--segment", "whales"))
    assert unknown.exit_code == 1 and "No segment named 'whales'" in unknown.stderr
    saved = clean(cli("customer", "segment", "turing-fans", "--seen-within-days", "30"))
    assert saved.exit_code == 0 and "seen in the last 30 days (0 customers now)" in saved.stdout
    bad_rfm = clean(cli("customer", "segment", "x", "--rfm", "Whales"))
    assert bad_rfm.exit_code == 1 and "Unknown RFM group" in bad_rfm.stderr


def test_customer_export_and_erase(cli: Invoke, db: Path, tmp_path: Path) -> None:  # noqa: F811
    clean(cli("import", "customers", str(write(tmp_path, GOOD))))
    exported = clean(cli("customer", "export", "2400000000013"))
    assert exported.exit_code == 0
    data = json.loads(exported.stdout)
    assert data["profile"]["email"] == "ada@example.com" and data["profile"]["notes"] == "likes rye"
    assert data["loyalty"] == {"balance": 0, "tier": "Bronze", "ledger": []}
    refused = clean(cli("customer", "erase", "2400000000013"))
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    erased = clean(cli("customer", "erase", "2400000000013", "--yes", "--note", "req 7"))
    assert erased.exit_code == 0 and "customer #1 erased" in erased.stdout
    assert query(
        db, "SELECT name, phone, email, card, birthday, notes FROM customer WHERE id=1"
    ) == [("(erased)", "", "", None, None, "")]
    assert query(db, "SELECT kind, note FROM customer_event ORDER BY id") == [
        ("exported", "data export"),
        ("erased", "req 7"),
    ]
    again = clean(cli("customer", "export", "1"))  # by id still: what is left
    assert json.loads(again.stdout)["erased"] is True
    missing = clean(cli("customer", "export", "999"))
    assert missing.exit_code == 1 and "No customer with card or id" in missing.stderr
    usage = clean(cli("customer", "erase"))
    assert usage.exit_code == 2


def test_customer_data_commands_are_signed_once_there_is_staff(
    cli: Invoke,  # noqa: F811
    db: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from tests.support.tills import MANAGER_PIN, open_test_till
    from tui_pos.cli import main
    from tui_pos.config import Config
    from tui_pos.domain.staff import Role

    clean(cli("import", "customers", str(write(tmp_path, GOOD))))
    till = open_test_till(Config(), db)  # creates manager 1 (PIN 2468)
    till.staff.add_employee(
        "2", "Carl Cashier", Role.CASHIER, "1357", approval=approved(till, Action.STAFF_ADMIN)
    )
    till.close()

    def run(*args: str, pin: str = "") -> Any:
        return clean(CliRunner().invoke(main, ["--db", str(db), *args], input=pin))

    unsigned = run("customer", "erase", "1", "--yes")
    assert unsigned.exit_code == 1 and "--by NUMBER" in unsigned.stderr
    cashier = run("customer", "export", "1", "--by", "2", pin="1357\n")
    assert cashier.exit_code == 1 and "may not do this" in cashier.stderr
    wrong = run("export", "customers", "--by", "1", pin="0000\n")
    assert wrong.exit_code == 1
    assert run("export", "customers", "--by", "1", pin=f"{MANAGER_PIN}\n").exit_code == 0
    legal = run(
        "export", "customers", "--purpose", "tax audit", "--by", "1", pin=f"{MANAGER_PIN}\n"
    )
    assert legal.exit_code == 0 and "Alan Turing" in legal.stdout  # not a marketing export
    erased = run("customer", "erase", "1", "--yes", "--by", "1", pin=f"{MANAGER_PIN}\n")
    assert erased.exit_code == 0
    actions = [r[0] for r in query(db, "SELECT action FROM audit_event WHERE outcome = 'done'")]
    assert actions.count("customer_admin") == 3
    details = [r[0] for r in query(db, "SELECT detail FROM audit_event WHERE outcome = 'done'")]
    assert any("for tax audit" in d for d in details)
