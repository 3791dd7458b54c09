"""Enrolled tills for the customer e2e tests: opened here through the real bootstrap,
healed by ``tui-pos sync now`` processes (offline = the till does not sync)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support.store_server import Api, enroll_code, tui_pos

LOAF = "5900000000015"  # a demo product, 1.49: the tills' stock counts make it known at S01


class Till:
    def __init__(self, api: Api, tmp: Path, store: str, name: str) -> None:
        from tui_pos.bootstrap import open_till
        from tui_pos.config import Config
        from tui_pos.demo import ensure_demo_catalog

        self.db, self.config = tmp / f"{store}-{name}.db", tmp / f"{store}-{name}.toml"
        self.config.write_text(f'[store]\ntill = "{name}"\n')
        code = enroll_code(api.db_url, store, name)
        done = self.cli("sync", "enroll", api.base, code)
        assert done.returncode == 0, done.stderr
        self.till = open_till(replace(Config(), store=replace(Config().store, till=name)), self.db)
        ensure_demo_catalog(self.till)

    def cli(self, *args: str) -> Any:
        return tui_pos("--config", str(self.config), "--db", str(self.db), *args)

    def heal(self) -> str:
        """The network is back: one sync process pushes and pulls everything."""
        done = self.cli("sync", "now")
        assert done.returncode == 0, done.stderr
        return str(done.stdout)

    def verify(self) -> None:
        """``db verify`` passes (every row from elsewhere sealed in the local chain)."""
        done = self.cli("db", "verify")
        assert done.returncode == 0, done.stdout + done.stderr

    def sell(self, card: str, loaves: int) -> Any:
        """Loaves for the customer with ``card``, paid in cash; the stored sale."""
        self.till.customers.attach_card(self.till.register, card)
        self.till.register.enter(f"{loaves}*{LOAF}")
        sale = self.till.register.pay_cash("")
        assert sale is not None
        return sale

    def customer(self, uuid: str) -> Any:
        row = self.till.db.execute_sql("SELECT id FROM customer WHERE uuid = ?", (uuid,)).fetchone()
        return self.till.customers.get(int(row[0])) if row else None

    def document(self, uuid: str) -> Any:
        from tui_pos.models.customer_stamps import document_of

        return document_of(self.till.db, self.customer(uuid).id)


def server_record(api: Api, uuid: str) -> Any:
    import psycopg

    from tui_pos.server.customers import record

    with psycopg.connect(api.db_url) as conn:
        return record(conn, uuid)


@pytest.fixture
def tills(api: Api, tmp_path: Path) -> Iterator[list[Till]]:
    """Two enrolled tills in two stores (customers and points are the organisation's)."""
    made = [Till(api, tmp_path, "S01", "T1"), Till(api, tmp_path, "S02", "T1")]
    try:
        yield made
    finally:
        for till in made:
            till.till.close()
