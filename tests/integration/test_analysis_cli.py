"""``tui-pos report sales --by ...`` through click's CliRunner, on generated sales."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.support.sales_generator import (
    FIRST_DAY,
    Generated,
    MovingClock,
    generate,
    open_generated_till,
)
from tests.support.tills import MANAGER_CODE, MANAGER_PIN
from tui_pos.cli import main
from tui_pos.domain.analysis import REPORT_KINDS
from tui_pos.domain.money import format_money

Invoke = Callable[..., Result]
Sold = tuple[Path, Generated]


@pytest.fixture(scope="module")
def sold(
    tmp_path_factory: pytest.TempPathFactory, demo_template: Path
) -> Iterator[tuple[Path, Generated]]:
    """A database with generated sales (made once for the module; commands only read it)."""
    path = tmp_path_factory.mktemp("cli") / "till.db"
    clock = MovingClock(FIRST_DAY)
    till = open_generated_till(demo_template, path, clock)
    made = generate(till, clock, seed=7, sales=60)
    till.close()
    yield path, made


@pytest.fixture
def run(sold: Sold, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Invoke:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    # no config file: the defaults (TUI_POS_CONFIG naming a missing file is an error)
    monkeypatch.delenv("TUI_POS_CONFIG", raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        signer = ["--as", MANAGER_CODE]  # the till has staff: a report is signed
        argv = ["--db", str(sold[0]), "report", "sales", *args, *signer]
        result = runner.invoke(main, argv, input=MANAGER_PIN + "\n")
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert "Traceback" not in result.output
        return result

    return invoke


def local_days(made: Generated) -> tuple[str, str]:
    """The first and last local day with a sale (the CLI uses the system's zone)."""
    days = sorted(d.created_at.astimezone().date() for d in made.docs)
    return days[0].isoformat(), days[-1].isoformat()


def completed_net(made: Generated) -> int:
    return sum(d.subtotal_cents - d.discount_cents for d in made.docs if d.status == "completed")


@pytest.mark.parametrize("kind", REPORT_KINDS)
def test_every_report_in_json_csv_and_table(run: Invoke, sold: Sold, kind: str) -> None:
    _path, made = sold
    first, last = local_days(made)
    data = json.loads(run("--by", kind, "--from", first, "--to", last, "--format", "json").stdout)
    assert data["report"] == kind and data["from"] == first and data["to"] == last
    keys = [c["key"] for c in data["columns"]]
    assert data["rows"] and all(list(r) == keys for r in data["rows"])
    assert data["message"] is None

    text = run("--by", kind, "--from", first, "--to", last, "--format", "csv").stdout
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == keys
    assert len(table) - 1 == len(data["rows"])
    assert table[1] == ["" if v is None else str(v) for v in data["rows"][0].values()]

    shown = run("--by", kind, "--from", first, "--to", last)  # table is the default
    assert shown.exit_code == 0
    assert data["title"] in shown.stdout
    for column in data["columns"]:
        assert column["title"] in shown.stdout


def test_totals_match_independent_sums(run: Invoke, sold: Sold) -> None:
    _path, made = sold
    first, last = local_days(made)
    net = completed_net(made)
    for kind in ("hour", "category", "item", "employee"):
        data = json.loads(
            run("--by", kind, "--from", first, "--to", last, "--format", "json").stdout
        )
        assert data["totals"]["net_cents"] == net, kind
        assert sum(r["net_cents"] for r in data["rows"]) == net, kind
    table = run("--by", "hour", "--from", first, "--to", last).stdout
    assert format_money(net) in table  # the footer


def test_top_and_single_day(run: Invoke, sold: Sold) -> None:
    _path, made = sold
    first, last = local_days(made)
    data = json.loads(
        run("--by", "item", "--from", first, "--to", last, "--top", "3", "--format", "json").stdout
    )
    assert len(data["rows"]) == 3 and data["totals"]["net_cents"] == completed_net(made)
    assert "Top 3 of" in data["note"]
    day = json.loads(run("--by", "hour", "--date", first, "--format", "json").stdout)
    on_day = [
        d
        for d in made.docs
        if d.status == "completed" and d.created_at.astimezone().date().isoformat() == first
    ]
    assert day["totals"]["sales"] == len(on_day)


def test_a_day_without_sales(run: Invoke) -> None:
    result = run("--by", "hour", "--date", "2001-01-01")
    assert result.exit_code == 0
    assert result.stdout.strip() == "Sales by hour: No sales on 2001-01-01"
    data = json.loads(run("--by", "category", "--date", "2001-01-01", "--format", "json").stdout)
    assert data["rows"] == [] and data["message"] == "No sales on 2001-01-01"
    text = run("--by", "refunds", "--date", "2001-01-01", "--format", "csv").stdout
    assert text == "sale,time,employee,item,unit,qty_milli,amount_cents\n"


def test_today_is_the_default(run: Invoke) -> None:
    data = json.loads(run("--by", "tender", "--format", "json").stdout)
    today = datetime.now().astimezone().date().isoformat()
    assert data["from"] == data["to"] == today


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "yesterday"], "not a date like 2026-11-25"),
        (["--from", "2026-11-30", "--to", "2026-11-01"], "before it starts"),
        (["--from", "2026-13-01"], "from: '2026-13-01' is not a date"),
        (["--date", "2026-11-01", "--to", "2026-11-02"], "either a date or"),
    ],
)
def test_bad_dates_exit_1_with_a_message(run: Invoke, args: list[str], message: str) -> None:
    result = run("--by", "hour", *args)
    assert result.exit_code == 1
    assert message in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [["--by", "weather"], [], ["--by", "item", "--top", "0"], ["--by", "hour", "--format", "xml"]],
)
def test_usage_errors_exit_2(run: Invoke, args: list[str]) -> None:
    assert run(*args).exit_code == 2
