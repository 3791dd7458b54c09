"""Sale documents: sales, their lines, tax and payments; suspended carts; Z closes.

A finished sale is never updated or deleted (corrections are new documents). Each
document carries a UUID made where it happened and a per-till sequence number.
"""

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
from tui_pos.models.catalog import ProductRow


class SaleRow(BaseRow):
    """A finished sale (``status`` completed) or an abandoned one (``status`` voided)."""

    id = AutoField()
    uuid = CharField(unique=True, max_length=32)
    till = CharField(max_length=16)
    seq = IntegerField()
    status = CharField(max_length=10)  # completed | voided
    created_at = DateTimeField()  # UTC
    cashier = CharField(default="")
    subtotal_cents = IntegerField()
    discount_cents = IntegerField()
    tax_cents = IntegerField()
    total_cents = IntegerField()
    rounding_cents = IntegerField(default=0)
    change_cents = IntegerField(default=0)
    voided_lines = IntegerField(default=0)
    employee_id = IntegerField(null=True)  # the logged-in cashier (migration 5)

    class Meta:
        table_name = "sale"
        indexes = ((("till", "seq"), True), (("created_at",), False))


class SaleLineRow(BaseRow):
    """A line of a sale as it was sold (name, price and tax copied, never looked up later)."""

    id = AutoField()
    sale = ForeignKeyField(SaleRow, backref="lines")
    position = IntegerField()
    product = ForeignKeyField(ProductRow, null=True)
    name = CharField()
    code = CharField(default="")
    unit = CharField(max_length=4)
    qty_milli = IntegerField()
    unit_price_cents = IntegerField()
    base_cents = IntegerField()
    line_discount_cents = IntegerField()
    cart_discount_cents = IntegerField()
    amount_cents = IntegerField()
    tax_code = CharField(max_length=8)
    tax_rate_bp = IntegerField()
    return_of_line_id = IntegerField(null=True)  # a return line: the sold line it returns
    promotion = CharField(max_length=80, default="")
    promo_discount_cents = IntegerField(default=0)  # part of line_discount_cents

    class Meta:
        table_name = "sale_line"
        indexes = ((("sale", "position"), True),)


class SaleTaxRow(BaseRow):
    """The tax of one code on one sale, as computed once at checkout."""

    id = AutoField()
    sale = ForeignKeyField(SaleRow, backref="taxes")
    code = CharField(max_length=8)
    rate_bp = IntegerField()
    base_cents = IntegerField()
    tax_cents = IntegerField()

    class Meta:
        table_name = "sale_tax"


class PaymentRow(BaseRow):
    """A payment of a sale; card payments keep only the terminal's reference."""

    id = AutoField()
    uuid = CharField(unique=True, max_length=32)
    till = CharField(max_length=16)
    seq = IntegerField()
    sale = ForeignKeyField(SaleRow, backref="payments")
    kind = CharField(max_length=10)
    amount_cents = IntegerField()
    tendered_cents = IntegerField()
    change_cents = IntegerField()
    reference = CharField(default="")

    class Meta:
        table_name = "payment"
        indexes = ((("till", "seq"), True),)


class SuspendedCartRow(BaseRow):
    """A parked sale, resumed later (on this till or after a restart)."""

    id = AutoField()
    till = CharField(max_length=16)
    created_at = DateTimeField()
    label = CharField(default="")
    item_count = IntegerField()
    total_cents = IntegerField()
    cart_json = TextField()

    class Meta:
        table_name = "suspended_cart"


class ZCloseRow(BaseRow):
    """A closed day: consecutive ``z_number`` per till over a contiguous range of sales."""

    id = AutoField()
    till = CharField(max_length=16)
    z_number = IntegerField()
    closed_at = DateTimeField()
    first_seq = IntegerField()
    last_seq = IntegerField()
    report_json = TextField()
    last_cash_seq = IntegerField(default=0)  # cash movements covered (migration 5)

    class Meta:
        table_name = "z_close"
        indexes = ((("till", "z_number"), True),)


class PrintJobRow(BaseRow):
    """A receipt to print: queued, sending (outcome unknown until the printer confirms),
    printed."""

    id = AutoField()
    uuid = CharField(unique=True, max_length=32)
    till = CharField(max_length=16)
    sale = ForeignKeyField(SaleRow, null=True)
    kind = CharField(max_length=12)  # receipt | copy
    status = CharField(max_length=10)  # queued | sending | printed
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    created_at = DateTimeField()  # UTC
    printed_at = DateTimeField(null=True)
    sent_mark = CharField(max_length=120, default="")  # the printer's mark of the last send
    as_copy = BooleanField(default=False)  # an earlier send may have printed the original

    class Meta:
        table_name = "print_job"


class DrawerEventRow(BaseRow):
    """A drawer opening: after a cash sale or a no-sale; ``sent`` False if it was dropped."""

    id = AutoField()
    uuid = CharField(unique=True, max_length=32)
    till = CharField(max_length=16)
    seq = IntegerField()
    reason = CharField(max_length=12)  # sale | no_sale
    sale = ForeignKeyField(SaleRow, null=True)
    created_at = DateTimeField()
    sent = BooleanField()
    error = TextField(default="")

    class Meta:
        table_name = "drawer_event"
        indexes = ((("till", "seq"), True),)
