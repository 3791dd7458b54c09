"""Tax codes changed by command (issue 13): ``tax set`` on a till of its own wins over the
config from the next sale on; the sale already open keeps the rate it was rung up at;
a restart does not put the config's rate back; bad input changes nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.tills import fixed_clock
from tui_pos.bootstrap import open_till
from tui_pos.cli.root import main
from tui_pos.config import Config
from tui_pos.drivers.file_printer import RecordingPrinter

LOAF = "5900000000015"  # White Loaf 800g, tax B (5.5 % in the default config)


def _cli(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def _sold_rates(db: Path) -> list[int]:
    with closing(sqlite3.connect(db)) as conn:
        return [r[0] for r in conn.execute("SELECT tax_rate_bp FROM sale_line ORDER BY id")]


def test_a_rate_set_by_command_applies_from_the_next_sale(cli_db: Path) -> None:
    till = open_till(Config(), cli_db, printer=RecordingPrinter(), clock=fixed_clock)
    try:
        reg = till.register
        reg.enter(LOAF)  # rung up at 5.5 %
        assert _cli(cli_db, "tax", "set", "B", "--rate", "7")[0] == 0
        assert reg.cart.taxes["B"].rate_bp == 550  # the open sale keeps its rate
        assert reg.pay_cash("10") is not None
        reg.enter(LOAF)
        assert reg.cart.taxes["B"].rate_bp == 700
        assert reg.pay_cash("10") is not None
        assert _sold_rates(cli_db) == [550, 700]
    finally:
        till.close()
    again = open_till(Config(), cli_db, printer=RecordingPrinter(), clock=fixed_clock)
    try:  # the config says 5.5 %: a code set by command keeps its rate
        assert again.register.tax_rates()["B"].rate_bp == 700
        assert again.register.cart.taxes["B"].rate_bp == 700
    finally:
        again.close()
    code, out, _ = _cli(cli_db, "tax", "list")
    assert code == 0
    assert "B  7%  Reduced  (till)" in out and "A  20%  Standard  (config)" in out


def test_a_new_code_can_be_used_by_an_import(cli_db: Path, tmp_path: Path) -> None:
    assert _cli(cli_db, "tax", "set", "R2", "--rate", "12.5", "--name", "Take-away")[0] == 0
    csv = tmp_path / "p.csv"
    csv.write_text("barcode,name,price,tax,category,stock\n4006381333931,Soup,3.10,R2,Deli,5\n")
    code, out, err = _cli(cli_db, "import", "products", str(csv))
    assert code == 0, err
    till = open_till(Config(), cli_db, printer=RecordingPrinter(), clock=fixed_clock)
    try:
        till.register.enter("4006381333931")
        assert till.register.totals().tax_cents == 34  # 3.10 incl. 12.5 %
    finally:
        till.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("B", "--rate", "101"), "more than 100 percent"),
        (("B", "--rate", "seven"), "--rate: not a number"),
        (("A B", "--rate", "5"), "1-8 letters or digits"),
        (("[b]x[/b]", "--rate", "5"), "1-8 letters or digits"),
    ],
)
def test_bad_input_changes_nothing(cli_db: Path, args: tuple[str, ...], message: str) -> None:
    with closing(sqlite3.connect(cli_db)) as conn:
        before = list(conn.iterdump())
    code, out, err = _cli(cli_db, "tax", "set", *args)
    assert code == 1 and message in err and out == "" and "Traceback" not in err
    with closing(sqlite3.connect(cli_db)) as conn:
        assert list(conn.iterdump()) == before
