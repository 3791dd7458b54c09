"""Writing the catalog: tax codes from the config, products from an import file."""

from __future__ import annotations

import uuid
from datetime import datetime

from peewee import Database, fn

from tui_pos.domain.errors import ImportRowError
from tui_pos.domain.tax import TaxRate
from tui_pos.models.catalog import (
    BarcodeRow,
    CategoryRow,
    ProductRow,
    StockMovementRow,
    TaxCodeRow,
)
from tui_pos.models.chain_store import seal
from tui_pos.models.errors import storage_errors
from tui_pos.models.sale_store import next_seq
from tui_pos.models.times import to_utc_naive
from tui_pos.services.product_import import ImportFailed, ImportSummary, ProductRecord


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def sync_tax_codes(db: Database, taxes: list[TaxRate]) -> None:
    """Make the tax_code table hold the configured codes (added or renamed; never removed,
    because old sales refer to them)."""
    with storage_errors(), db.atomic():
        for tax in taxes:
            TaxCodeRow.insert(code=tax.code, name=tax.name, rate_bp=tax.rate_bp).on_conflict(
                conflict_target=[TaxCodeRow.code],
                update={TaxCodeRow.name: tax.name, TaxCodeRow.rate_bp: tax.rate_bp},
            ).execute()


class SqliteCatalogWriter:
    """Implements :class:`tui_pos.services.product_import.CatalogWriter`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def upsert_products(
        self, records: list[ProductRecord], till: str, now: datetime, dry_run: bool
    ) -> ImportSummary:
        """Create or update every record in one transaction (rolled back on a dry run)."""
        created = updated = 0
        try:
            with storage_errors(), self.db.atomic():
                categories = {c.name: c.id for c in CategoryRow.select()}
                move_seq = next_seq(StockMovementRow, till)
                stamp = to_utc_naive(now)
                for rec in records:
                    product = self._find(rec)
                    if rec.category and rec.category not in categories:
                        categories[rec.category] = CategoryRow.create(name=rec.category).id
                    values = {
                        "name": rec.name,
                        "price_cents": rec.price_cents,
                        "tax": rec.tax_code,
                        "category": categories.get(rec.category),
                        "unit": rec.unit,
                        "plu": rec.plu,
                        "reorder_level_milli": rec.reorder_level_milli,
                        "active": True,
                    }
                    if product is not None:  # an update keeps what the file does not give
                        for column, field in (
                            ("unit", "unit"),
                            ("plu", "plu"),
                            ("reorder_level", "reorder_level_milli"),
                        ):
                            if column not in rec.given:
                                values.pop(field)
                    clash = (
                        ProductRow.get_or_none(ProductRow.plu == rec.plu)
                        if rec.plu and "plu" in rec.given
                        else None
                    )
                    if clash is not None and (product is None or clash.id != product.id):
                        raise ImportFailed(
                            [ImportRowError(rec.line, f"plu {rec.plu} is {clash.name}'s already")]
                        )
                    if product is None:
                        product_id = ProductRow.insert(**values).execute()
                        created += 1
                    else:
                        product_id = product.id
                        ProductRow.update(**values).where(ProductRow.id == product_id).execute()
                        updated += 1
                    if rec.code is not None:
                        BarcodeRow.insert(
                            code=rec.code, product=product_id
                        ).on_conflict_replace().execute()
                    if rec.stock_milli is not None:
                        level = (
                            StockMovementRow.select(fn.SUM(StockMovementRow.qty_milli))
                            .where(StockMovementRow.product == product_id)
                            .scalar()
                            or 0
                        )
                        if rec.stock_milli != level:
                            StockMovementRow.create(
                                uuid=uuid.uuid4().hex,
                                till=till,
                                seq=move_seq,
                                product=product_id,
                                qty_milli=rec.stock_milli - level,
                                kind="count",
                                note=f"import line {rec.line}",
                                created_at=stamp,
                            )
                            move_seq += 1
                if dry_run:
                    raise _DryRun
                seal(self.db, till)
        except _DryRun:
            pass
        return ImportSummary(created=created, updated=updated, dry_run=dry_run)

    @staticmethod
    def _find(rec: ProductRecord) -> ProductRow | None:
        if rec.code is not None:
            found = ProductRow.select().join(BarcodeRow).where(BarcodeRow.code == rec.code).first()
            if found is not None:
                return found
        if rec.plu is not None:
            return ProductRow.get_or_none(ProductRow.plu == rec.plu)
        return None
