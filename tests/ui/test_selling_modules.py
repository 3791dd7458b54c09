"""Memory while selling (issue 17): a sale, a name search and a cash payment load no
module the till does not use. Each module stays loaded for the life of the process, so
these would be resident on every till: the HTTP client and the e-mail package (only a
till enrolled with a store server calls it), the HTML entity tables (only for e-mail),
Rich's emoji table (a table label or cell given as a ``str`` is parsed as markup, which
replaces ``:emoji:`` codes; ours are ``Text``: widgets/plain.py), the services the till
builds on first use (reports, analysis, loyalty analytics, campaigns, the product
importer, backups: ``bootstrap.Till``) with their stores and domain modules, and the
migration steps of a database that needs none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.tills import open_test_till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.drivers.file_printer import RecordingPrinter

_SELL = """
import asyncio, json, sys
from pathlib import Path
from tests.support.settle import settle
from tests.support.tills import open_test_till
from tui_pos.app import build_app
from tui_pos.config import Config
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.screens.register import RegisterScreen


async def sell(path: Path) -> None:
    till = open_test_till(Config(), path, printer=RecordingPrinter())
    app = build_app(till)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"5900000000015", "enter")
        await pilot.press("f2", *"dark choc")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("enter")  # exact cash
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen), app.screen
        assert till.register.cart.is_empty
    sold = till.db.execute_sql("SELECT COUNT(*) FROM sale_line").fetchone()[0]
    till.close()
    print(json.dumps([sold, sorted(sys.modules)]))


asyncio.run(sell(Path(sys.argv[1])))
"""

NOT_WHILE_SELLING = (
    "rich._emoji_codes",
    "urllib.request",
    "http.client",
    "email",
    "html",
    "csv",
    "tui_pos.domain.analysis",
    "tui_pos.domain.analysis_figures",
    "tui_pos.domain.analysis_reports",
    "tui_pos.domain.channel_report",
    "tui_pos.domain.csv_dialect",
    "tui_pos.domain.loyalty_analytics",
    "tui_pos.domain.output_schema",
    "tui_pos.domain.outputs",
    "tui_pos.models.analysis_store",
    "tui_pos.models.backup",
    "tui_pos.models.backup_files",
    "tui_pos.models.campaign_store",
    "tui_pos.models.catalog_writer",
    "tui_pos.models.loyalty_analytics_store",
    "tui_pos.models.report_store",
    "tui_pos.services.analysis",
    "tui_pos.services.backups",
    "tui_pos.services.campaigns",
    "tui_pos.services.loyalty_analytics",
    "tui_pos.services.product_import",
    "tui_pos.services.reports",
    "tui_pos.services.staff_reports",
)
#: Packages none of whose modules selling loads (the migration steps, the e-mail package).
NOT_UNDER = ("email.", "html.", "tui_pos.models.migrations.")


def test_a_sale_with_a_search_and_a_payment_loads_nothing_the_till_does_not_use(
    tmp_path: Path,
) -> None:
    root = Path(__file__).resolve().parents[2]
    made = open_test_till(Config(), tmp_path / "till.db", printer=RecordingPrinter())
    ensure_demo_catalog(made)  # here: the importer is not what the sale should load
    made.close()
    done = subprocess.run(
        [sys.executable, "-c", _SELL, str(tmp_path / "till.db")],
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    )
    sold, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert sold == 2  # the scanned item and the one found by name
    assert "textual" in loaded and "tui_pos.screens.tender" in loaded  # it did sell
    unused = [m for m in loaded if m in NOT_WHILE_SELLING or m.startswith(NOT_UNDER)]
    assert unused == []
