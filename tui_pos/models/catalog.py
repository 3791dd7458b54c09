"""Catalog tables: tax codes, categories, products, barcodes and the stock ledger."""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from tui_pos.models.base import BaseRow


class TaxCodeRow(BaseRow):
    """A tax code and its rate in basis points (2000 = 20 %), mirrored from the config."""

    code = CharField(primary_key=True, max_length=8)
    name = CharField()
    rate_bp = IntegerField()

    class Meta:
        table_name = "tax_code"


class CategoryRow(BaseRow):
    """A product category (for reports and, later, loyalty multipliers and promotions)."""

    id = AutoField()
    name = CharField(unique=True)

    class Meta:
        table_name = "category"


class ProductRow(BaseRow):
    """A sellable item. ``price_cents`` is per piece, or per kg when ``unit`` is ``kg``."""

    id = AutoField()
    name = CharField()
    price_cents = IntegerField()
    tax = ForeignKeyField(TaxCodeRow, column_name="tax_code", field="code")
    category = ForeignKeyField(CategoryRow, null=True)
    unit = CharField(max_length=4, default="each")
    plu = CharField(null=True, unique=True, max_length=6)
    reorder_level_milli = IntegerField(default=0)
    active = BooleanField(default=True)

    class Meta:
        table_name = "product"


class BarcodeRow(BaseRow):
    """A code that finds a product: a GTIN-14, a price/weight base code or an internal code."""

    code = CharField(primary_key=True, max_length=48)
    product = ForeignKeyField(ProductRow, backref="barcodes", on_delete="CASCADE")

    class Meta:
        table_name = "barcode"


class StockMovementRow(BaseRow):
    """One change of stock; the level of a product is the sum of its movements."""

    id = AutoField()
    uuid = CharField(unique=True, max_length=32)
    till = CharField(max_length=16)
    seq = IntegerField()
    product = ForeignKeyField(ProductRow, backref="movements")
    qty_milli = IntegerField()
    kind = CharField(max_length=12)  # sale, return, receipt, count, adjustment, import
    sale_line_id = IntegerField(null=True)
    note = TextField(default="")
    created_at = DateTimeField()  # UTC

    class Meta:
        table_name = "stock_movement"
        indexes = ((("till", "seq"), True),)
