"""``tui-pos staff ...`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from tui_pos.cli import main


def _run(db: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "staff", *args], input=stdin)


def _listed(db: Path) -> list[dict[str, object]]:
    """``staff list --format json`` signed by the manager (1, PIN 2468)."""
    result = _run(db, "list", "--format", "json", "--by", "1", stdin="2468\n")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_first_employee_is_a_manager_then_a_manager_signs_every_change(tmp_path: Path) -> None:
    db = tmp_path / "till.db"
    refused = _run(db, "add", "--number", "2", "--name", "Bo", "--role", "cashier", stdin="1357\n")
    assert refused.exit_code == 1 and "first employee must be a manager" in refused.output
    ok = _run(db, "add", "--number", "1", "--name", "Ann Boss", "--role", "manager", stdin="2468\n")
    assert ok.exit_code == 0, ok.output
    unsigned = _run(db, "add", "--number", "2", "--name", "Bo", "--role", "cashier", stdin="1357\n")
    assert unsigned.exit_code == 1 and "--by NUMBER" in unsigned.output
    wrong = _run(
        db,
        "add",
        "--number",
        "2",
        "--name",
        "Bo",
        "--role",
        "cashier",
        "--by",
        "1",
        stdin="1111\n1357\n",
    )
    assert wrong.exit_code == 1 and "Wrong PIN" in wrong.output
    added = _run(
        db,
        "add",
        "--number",
        "2",
        "--name",
        "Bo",
        "--role",
        "cashier",
        "--badge",
        "B-2",
        "--by",
        "1",
        stdin="2468\n1357\n",
    )
    assert added.exit_code == 0, added.output
    listed = json.loads(_run(db, "list", "--format", "json", "--by", "1", stdin="2468\n").stdout)
    assert listed == [
        {
            "number": "1",
            "name": "Ann Boss",
            "role": "manager",
            "active": True,
            "badge": False,
            "locked": False,
        },
        {
            "number": "2",
            "name": "Bo",
            "role": "cashier",
            "active": True,
            "badge": True,
            "locked": False,
        },
    ]
    assert "1357" not in _run(db, "list", "--by", "1", stdin="2468\n").output
    unsigned_list = _run(db, "list")
    assert (
        unsigned_list.exit_code == 1 and "Staff admin: name who does this" in unsigned_list.output
    )


def test_a_cashier_cannot_sign_staff_changes(tmp_path: Path) -> None:
    db = tmp_path / "till.db"
    _run(db, "add", "--number", "1", "--name", "Ann", "--role", "manager", stdin="2468\n")
    _run(
        db,
        "add",
        "--number",
        "2",
        "--name",
        "Bo",
        "--role",
        "cashier",
        "--by",
        "1",
        stdin="2468\n1357\n",
    )
    result = _run(db, "change", "2", "--role", "manager", "--by", "2", stdin="1357\n")
    assert result.exit_code == 1 and "may not do this: Staff admin" in result.output


def test_set_pin_change_and_unlock(tmp_path: Path) -> None:
    db = tmp_path / "till.db"
    _run(db, "add", "--number", "1", "--name", "Ann", "--role", "manager", stdin="2468\n")
    _run(
        db,
        "add",
        "--number",
        "2",
        "--name",
        "Bo",
        "--role",
        "cashier",
        "--by",
        "1",
        stdin="2468\n1357\n",
    )
    for _ in range(5):  # Bo locks himself out (a wrong manager PIN from the command line)
        _run(db, "unlock", "1", "--by", "2", stdin="0000\n")
    assert _listed(db)[1]["locked"] is True
    assert _run(db, "unlock", "2", "--by", "1", stdin="2468\n").exit_code == 0
    assert _listed(db)[1]["locked"] is False
    bad = _run(db, "set-pin", "2", "--by", "1", stdin="2468\n1111\n")
    assert bad.exit_code == 1 and "too easy" in bad.output
    assert _run(db, "set-pin", "2", "--by", "1", stdin="2468\n8642\n").exit_code == 0
    changed = _run(db, "change", "2", "--inactive", "--by", "1", stdin="2468\n")
    assert changed.exit_code == 0 and "inactive" in changed.output
    nothing = _run(db, "change", "2", "--by", "1", stdin="2468\n")
    assert nothing.exit_code == 1 and "Nothing to change" in nothing.output
    missing = _run(db, "set-pin", "9", "--by", "1", stdin="2468\n4826\n")
    assert missing.exit_code == 1 and "no employee number 9" in missing.output


def test_audit_and_hours_reports(tmp_path: Path) -> None:
    db = tmp_path / "till.db"
    _run(db, "add", "--number", "1", "--name", "Ann", "--role", "manager", stdin="2468\n")
    _run(db, "unlock", "1", "--by", "1", stdin="0000\n")  # a wrong PIN is recorded
    runner = CliRunner()
    signer = ["--by", "1"]
    audit = runner.invoke(
        main, ["--db", str(db), "report", "audit", "--format", "json", *signer], input="2468\n"
    )
    assert audit.exit_code == 0, audit.output
    rows = json.loads(audit.stdout)["rows"]
    assert [(r["action"], r["outcome"]) for r in rows] == [
        ("staff_add", "done"),
        ("login", "failed"),
        ("login", "done"),  # reading the audit log is signed, and recorded
        ("audit_read", "done"),
    ]
    assert all("0000" not in json.dumps(r) and "2468" not in json.dumps(r) for r in rows)
    hours = runner.invoke(main, ["--db", str(db), "report", "hours", *signer], input="2468\n")
    assert hours.exit_code == 0 and "nobody clocked in" in hours.output
    bad = runner.invoke(
        main, ["--db", str(db), "report", "audit", "--date", "2026-13-01", *signer], input="2468\n"
    )
    assert bad.exit_code == 1 and "not a date" in bad.output


def test_product_admin_commands_are_signed_once_there_is_staff(tmp_path: Path) -> None:
    db = tmp_path / "till.db"
    csv = tmp_path / "p.csv"
    csv.write_text(
        "barcode,name,price,tax,category,stock\n5900000000015,White Loaf,1.49,B,Bakery,10\n"
    )
    runner = CliRunner()
    # No staff yet: the shop owner sets the till up unsigned.
    assert runner.invoke(main, ["--db", str(db), "import", "products", str(csv)]).exit_code == 0
    _run(db, "add", "--number", "1", "--name", "Ann", "--role", "manager", stdin="2468\n")
    _run(
        db,
        "add",
        "--number",
        "2",
        "--name",
        "Bo",
        "--role",
        "cashier",
        "--by",
        "1",
        stdin="2468\n1357\n",
    )
    unsigned = runner.invoke(main, ["--db", str(db), "import", "products", str(csv)])
    assert unsigned.exit_code == 1 and "--by NUMBER" in unsigned.output
    cashier = runner.invoke(
        main, ["--db", str(db), "import", "products", str(csv), "--by", "2"], input="1357\n"
    )
    assert cashier.exit_code == 1 and "may not do this: Product and stock admin" in cashier.output
    promo = [
        "--db",
        str(db),
        "promo",
        "add",
        "--name",
        "Loaf -10%",
        "--kind",
        "percent",
        "--item",
        "5900000000015",
        "--value",
        "10%",
    ]
    assert runner.invoke(main, promo).exit_code == 1
    added = runner.invoke(main, [*promo, "--by", "1"], input="2468\n")
    assert added.exit_code == 0, added.output
    audit = json.loads(
        runner.invoke(
            main,
            ["--db", str(db), "report", "audit", "--format", "json", "--by", "1"],
            input="2468\n",
        ).stdout
    )["rows"]
    assert ("product_admin", "done", "Ann") in [
        (r["action"], r["outcome"], r["employee"]) for r in audit
    ]
