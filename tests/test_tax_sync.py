"""The configured tax codes are written only when they differ from the stored ones: a
till that starts with an unchanged config makes no write transaction (no fsync)."""

from __future__ import annotations

from tui_pos.bootstrap import Till, tax_rates
from tui_pos.domain.tax import TaxRate
from tui_pos.models.catalog_writer import sync_tax_codes


def test_unchanged_codes_write_nothing_and_a_change_is_written(till: Till) -> None:
    taxes = list(tax_rates(till.config).values())
    connection = till.db.connection()
    before = connection.total_changes
    sync_tax_codes(till.db, taxes)
    assert connection.total_changes == before
    renamed = [TaxRate(t.code, f"{t.name} (new)", t.rate_bp + 1) for t in taxes[:1]]
    sync_tax_codes(till.db, taxes[1:] + renamed)
    assert connection.total_changes > before
    stored = till.db.execute_sql(
        "SELECT name, rate_bp FROM tax_code WHERE code = ?", (taxes[0].code,)
    ).fetchone()
    assert stored == (f"{taxes[0].name} (new)", taxes[0].rate_bp + 1)
