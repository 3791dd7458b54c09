"""Every command that changes or reveals data is signed once the till has staff (issue 11
item 8): table-driven over the whole command tree. For each signed command: without a
signer it is refused with a clear message and changes and shows nothing; a signer whose
role lacks the permission is refused, shows nothing and is audited; a permitted signer
runs it and is audited. A command missing from the table fails the tree test."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tests.support.approvals import approved
from tests.support.fake_printer import FakeTcpPrinter
from tests.support.tills import TEST_PIN_COST, copy_database
from tui_pos.bootstrap import open_till
from tui_pos.cli import main
from tui_pos.cli.signing import UNSIGNED_COMMANDS
from tui_pos.config import load_config
from tui_pos.domain.staff import ACTION_LABELS, Action, Role
from tui_pos.models.backup import backup_database

MANAGER, CASHIER = ("1", "2468", "Ann Boss"), ("2", "1357", "Bo Till")
CARD = "2400000000013"
AUDIT = ("audit_event", "chain")  #: the audit log and the chain entries that seal it
LOAF = "5900000000015"
TODAY = date.today().isoformat()  # the CLI works with the real clock

CUSTOMERS = f"card,name,phone\n{CARD},Ada Lovelace,07700 900123\n"
PRODUCTS = f"barcode,name,price,tax,category,stock\n{LOAF},White Loaf 800g,1.55,B,Bakery,10\n"
ORDERS = {
    "orders": [
        {
            "order_id": "WEB-7",
            "created_at": "2026-11-25T09:14:00Z",
            "paid": True,
            "lines": [{"barcode": LOAF, "qty": 1, "price": "1.49"}],
        }
    ]
}


@dataclass(frozen=True)
class Case:
    """A signed command: its words, what it needs, and the flag that names the signer."""

    args: tuple[str, ...]
    action: Action
    stdin: str = ""  #: what the command reads after the signer's PIN
    flag: str = "--by"

    @property
    def name(self) -> str:
        return " ".join(a for a in self.args[:2] if not a.startswith(("-", "{")))


SIGNED = (
    Case(("db", "backup", "{dir}/copies"), Action.DATABASE_ADMIN),
    Case(
        ("db", "restore", "{dir}/backup.db", "{dir}/till.db", "--replace"), Action.DATABASE_RESTORE
    ),  # fmt: skip
    Case(("devices", "open-drawer"), Action.NO_SALE),
    Case(("export", "customers"), Action.CUSTOMER_ADMIN),
    Case(("export", "stock"), Action.REPORTS),
    Case(("import", "customers", "{dir}/customers.csv"), Action.CUSTOMER_ADMIN),
    Case(("import", "orders", "{dir}/orders.json"), Action.PRODUCT_ADMIN),
    Case(("import", "products", "{dir}/products.csv"), Action.PRODUCT_ADMIN),
    Case(("report", "x"), Action.X_REPORT),
    Case(("report", "z"), Action.Z_CLOSE),
    Case(("report", "z", "--date", TODAY), Action.REPORTS),
    Case(("report", "sales", "--by", "item"), Action.REPORTS, flag="--as"),
    Case(("report", "hours"), Action.REPORTS),
    Case(("report", "audit"), Action.AUDIT_READ),
    Case(("staff", "list"), Action.STAFF_ADMIN),
    Case(
        ("staff", "add", "--number", "7", "--name", "Di", "--role", "cashier"),
        Action.STAFF_ADMIN,
        stdin="4826\n",
    ),  # fmt: skip
    Case(("staff", "set-pin", "2"), Action.STAFF_ADMIN, stdin="8642\n"),
    Case(("staff", "change", "2", "--role", "supervisor"), Action.STAFF_ADMIN),
    Case(("staff", "unlock", "2"), Action.STAFF_ADMIN),
    Case(("staff", "recovery-code"), Action.STAFF_ADMIN),
    Case(
        ("promo", "add", "--name", "Rye", "--kind", "percent", "--item", LOAF, "--value", "5%"),
        Action.PRODUCT_ADMIN,
    ),  # fmt: skip
    Case(("promo", "end", "1"), Action.PRODUCT_ADMIN),
    Case(("tax", "set", "A", "--rate", "21"), Action.PRODUCT_ADMIN),
    Case(("customer", "export", CARD), Action.CUSTOMER_ADMIN),
    Case(("customer", "erase", CARD, "--yes"), Action.CUSTOMER_ADMIN),
    Case(("customer", "segment", "lapsed", "--not-seen-days", "30"), Action.CUSTOMER_ADMIN),
    Case(("report", "loyalty"), Action.REPORTS, flag="--as"),
    Case(
        ("campaign", "send", "--segment", "all", "--template", "{dir}/campaign.txt"),
        Action.CUSTOMER_ADMIN,
    ),  # fmt: skip
    Case(("mail", "log"), Action.CUSTOMER_ADMIN),
)

CAMPAIGN = """Subject: News from {{store}}

Hello {{name}}, you have {{points}} points.
Unsubscribe: {{unsubscribe}}
--- html ---
<p>Hello {{name}}</p><p>Unsubscribe: {{unsubscribe}}</p>
"""


def _leaves(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # lazy groups load a command when asked for it
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            yield from _leaves(command, (*prefix, name))
        else:
            yield (*prefix, name)


def test_every_command_is_signed_or_says_why_not() -> None:
    signed = {c.name for c in SIGNED}
    for path in _leaves(main):
        name = " ".join(path)
        assert (name in signed) != (name in UNSIGNED_COMMANDS), f"{name}: signed or why not?"
        command: click.Command | None = main
        for word in path:
            assert isinstance(command, click.Group)
            command = command.get_command(click.Context(command), word)
        assert command is not None
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        if name in UNSIGNED_COMMANDS:
            assert UNSIGNED_COMMANDS[name].strip(), name
            assert not options & {"--as"} and (name == "report sales" or "--by" not in options)
        else:
            assert options & {"--by", "--as"}, f"{name} has no signer option"


@pytest.fixture(scope="module")
def printer() -> Iterator[FakeTcpPrinter]:
    with FakeTcpPrinter() as running:
        yield running


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory, demo_template: Path, printer: FakeTcpPrinter
) -> Path:
    """A till with the demo catalog, a customer, a promotion, a Z closed today and two
    employees (made cheap to check), plus its config and PIN key; copied for each run."""
    folder = tmp_path_factory.mktemp("signed")
    (folder / "till.toml").write_text(
        f'[printer]\ndriver = "network"\ntarget = "127.0.0.1:{printer.port}"\ntimeout = 1\n'
        '[drawer]\nenabled = true\n[staff.permissions]\ncashier = ["void_line"]\n'
    )
    copy_database(demo_template, folder / "till.db")
    (folder / "customers.csv").write_text(CUSTOMERS)
    (folder / "products.csv").write_text(PRODUCTS)
    (folder / "orders.json").write_text(json.dumps(ORDERS))
    (folder / "campaign.txt").write_text(CAMPAIGN)
    for args in (  # set up before there is staff: nothing is signed yet
        ("import", "customers", str(folder / "customers.csv")),
        ("promo", "add", "--name", "Loaf", "--kind", "percent", "--item", LOAF, "--value", "9%"),
        ("report", "z"),
        ("customer", "segment", "all", "--min-visits", "0"),
    ):
        result = _cli(folder, *args)
        assert result.exit_code == 0, result.output
    till = open_till(load_config(folder / "till.toml"), folder / "till.db", pin_cost=TEST_PIN_COST)
    till.staff.add_employee(
        MANAGER[0],
        MANAGER[2],
        Role.MANAGER,
        MANAGER[1],
        approval=approved(till, Action.STAFF_ADMIN),
    )
    till.staff.add_employee(
        CASHIER[0],
        CASHIER[2],
        Role.CASHIER,
        CASHIER[1],
        approval=approved(till, Action.STAFF_ADMIN),
    )
    till.close()
    backup_database(folder / "till.db", folder / "backup.db", now=datetime.now(UTC))
    return folder


def _cli(folder: Path, *args: str, stdin: str = "") -> Result:
    argv = ["--config", str(folder / "till.toml"), "--db", str(folder / "till.db")]
    words = [a.replace("{dir}", str(folder)) for a in args]
    return CliRunner().invoke(main, [*argv, *words], input=stdin)


def _copy(template: Path, folder: Path) -> Path:
    shutil.copytree(template, folder)
    return folder


def _dump(folder: Path, *, but: tuple[str, ...] = ()) -> list[str]:
    """Every row of the database as SQL (leaving out the tables ``but``)."""
    with closing(sqlite3.connect(folder / "till.db")) as conn:
        lines = list(conn.iterdump())
    skip = tuple(f'INSERT INTO "{table}"' for table in but)
    return [line for line in lines if not (skip and line.startswith(skip))]


def _audit(folder: Path) -> list[tuple[str, str, str, str]]:
    with closing(sqlite3.connect(folder / "till.db")) as conn:
        rows = conn.execute(
            "SELECT action, outcome, employee_name, detail FROM audit_event ORDER BY id"
        )
        return [tuple(r) for r in rows]


@pytest.mark.parametrize("case", SIGNED, ids=lambda c: " ".join(c.args[:4]))
def test_a_signed_command(
    case: Case, template: Path, tmp_path: Path, printer: FakeTcpPrinter
) -> None:
    label = ACTION_LABELS[case.action]
    kicks = len(printer.jobs)

    unsigned = _copy(template, tmp_path / "unsigned")
    before = _dump(unsigned)
    result = _cli(unsigned, *case.args, stdin=case.stdin)
    assert result.exit_code == 1, result.output
    assert f"{label}: name who does this with {case.flag} NUMBER" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.output
    assert _dump(unsigned) == before  # nothing changed, not even the audit log
    assert not (unsigned / "copies").exists()

    lacking = _copy(template, tmp_path / "lacking")
    before = _dump(lacking, but=AUDIT)
    signer = (case.flag, CASHIER[0])
    result = _cli(lacking, *case.args, *signer, stdin=f"{CASHIER[1]}\n{case.stdin}")
    assert result.exit_code == 1, result.output
    assert f"{CASHIER[2]} may not do this: {label}" in result.stderr
    assert result.stdout == ""
    assert _dump(lacking, but=AUDIT) == before
    assert (case.action.value, "refused", CASHIER[2]) in [a[:3] for a in _audit(lacking)]
    assert not (lacking / "copies").exists()
    assert len(printer.jobs) == kicks  # the drawer stayed shut

    permitted = _copy(template, tmp_path / "permitted")
    if case.args[:2] == ("db", "restore"):  # something the backup does not have
        with closing(sqlite3.connect(permitted / "till.db")) as conn, conn:
            conn.execute("UPDATE product SET name = 'Renamed' WHERE id = 1")
    signer = (case.flag, MANAGER[0])
    result = _cli(permitted, *case.args, *signer, stdin=f"{MANAGER[1]}\n{case.stdin}")
    assert result.exit_code == 0, result.output
    if case.args[:2] == ("db", "restore"):  # signed in the database it replaced
        assert _dump(permitted) == _dump(template)  # the backup is what is there now
        return
    done = [a for a in _audit(permitted) if a[:3] == (case.action.value, "done", MANAGER[2])]
    assert done and done[0][3], "audited with what was done"
    assert ("login", "done", MANAGER[2]) in [a[:3] for a in _audit(permitted)]
    if case.action is Action.NO_SALE:
        assert b"\x1bp" in b"".join(printer.wait_for_jobs(kicks + 1)[kicks:])  # ESC p: a kick


@pytest.mark.parametrize(
    "args",
    [
        ("db", "check"),
        ("db", "verify"),
        ("db", "migrate"),
        ("db", "init"),
        ("promo", "list"),
        ("import", "products", "{dir}/products.csv", "--dry-run"),
    ],  # fmt: skip
)
def test_an_unsigned_command_runs_and_changes_nothing(
    args: tuple[str, ...], template: Path, tmp_path: Path
) -> None:
    folder = _copy(template, tmp_path / "till")
    before = _dump(folder)
    result = _cli(folder, *args)
    assert result.exit_code == 0, result.output
    assert _dump(folder) == before


def test_a_z_close_names_who_closed(template: Path, tmp_path: Path) -> None:
    folder = _copy(template, tmp_path / "till")
    result = _cli(folder, "report", "z", "--format", "json", "--by", MANAGER[0], stdin="2468\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["closed_by"] == MANAGER[2]
