"""The schemas of the exports and reports scripts read (see :mod:`output_schema` for the
value types; docs/outputs.md shows them and a test keeps it equal to these)."""

from __future__ import annotations

from tui_pos.domain.output_schema import TENDER_KINDS, Field, Schema

DAY_REPORT = Schema(
    name="X/Z day report",
    command="tui-pos report x|z [--date DAY] --format json|csv",
    formats=("json", "csv"),
    doc="JSON: one object (a list for `report z --date`, one per close). CSV: a header and "
    "one row per report; the header depends only on the config's tax codes.",
    fields=(
        Field("kind", "text", "`X` (read) or `Z` (close)"),
        Field("date", "date", "the local day of the report"),
        Field("till", "text", "the till id"),
        Field("z_number", "count", "the Z number (null for an X)", nullable=True),
        Field("closed_at", "timestamp", "when the Z closed (null for an X)", nullable=True),
        Field("first_sale", "count", "first sale number covered", nullable=True),
        Field("last_sale", "count", "last sale number covered", nullable=True),
        Field("sales_count", "count", "sales in the period"),
        Field("gross_cents", "cents", "price x quantity of every line, before discounts"),
        Field("discount_cents", "cents", "line and sale discounts"),
        Field("net_cents", "cents", "gross minus discounts"),
        Field("tax_cents", "cents", "tax of the period"),
        Field("tax_by_code", "tax_map", "rate label, base and tax per tax code"),
        Field("total_cents", "cents", "sale totals"),
        Field("rounding_cents", "cents", "cash rounding"),
        Field("refunds_cents", "cents", "what return lines gave back"),
        Field("voids_count", "count", "voided sales"),
        Field("voided_lines", "count", "voided lines"),
        Field("tenders_cents", "cents_map", "taken per tender kind", keys=TENDER_KINDS),
        Field("opening_float_cents", "cents", "cash put in to start the period"),
        Field("cash_in_cents", "cents", "cash paid in"),
        Field("cash_out_cents", "cents", "cash paid out"),
        Field("no_sales_count", "count", "drawer opened without a sale"),
        Field("cash_expected_cents", "cents", "cash that should be in the drawer"),
        Field("counted_cents", "cents", "the blind count at the Z", nullable=True),
        Field("over_short_cents", "cents", "counted minus expected", nullable=True),
        Field("closed_by", "text", "who closed the day"),
        Field("over_short_accepted_by", "text", "who accepted the over/short"),
        Field("last_cash_movement", "count", "the last cash movement covered"),
        Field("unprinted_receipts", "text_list", "sale numbers whose receipt is queued"),
        Field("chain_seq", "count", "the journal chain's head at the Z", nullable=True),
        Field("chain_head", "text", "the chain head's MAC (hex)"),
        Field("grand_total_cents", "cents", "running total of every sale", nullable=True),
    ),
)

_STOCK_COMMON = (
    Field("barcode", "text", "the barcode as imported (EAN-13, EAN-8, UPC-A...), or empty"),
    Field("plu", "text", "the PLU, or empty"),
    Field("name", "text", "the product name"),
)
_STOCK_REST = (
    Field("tax", "text", "the tax code"),
    Field("category", "text", "the category, or empty"),
    Field("unit", "text", "`each` or `kg`"),
    Field("stock", "qty", "the level from the stock ledger, in the unit"),
    Field("reorder_level", "qty", "the reorder level, in the unit"),
    Field("damaged", "qty", "written off as damaged (read only: import ignores it)"),
    Field("low", "bool", "at or below the reorder level (read only: import ignores it)"),
)

STOCK_CSV = Schema(
    name="Stock feed (CSV)",
    command="tui-pos export stock [--low]",
    formats=("csv",),
    doc="One row per active product, by name. The file is a products file: "
    "`tui-pos import products` reads it back unchanged.",
    fields=(*_STOCK_COMMON, Field("price", "money_text", "price in major units"), *_STOCK_REST),
)

STOCK_JSON = Schema(
    name="Stock feed (JSON)",
    command="tui-pos export stock [--low] --format json",
    formats=("json",),
    doc="A list of objects, by name; the CSV's keys with the price in minor units.",
    fields=(*_STOCK_COMMON, Field("price_cents", "cents", "price (per kg for kg)"), *_STOCK_REST),
)

CUSTOMERS = Schema(
    name="Customers",
    command="tui-pos export customers [--segment NAME] [--format csv|json]",
    formats=("csv", "json"),
    doc="One row per customer (also the segments screen's export file, CSV).",
    fields=(
        Field("id", "id", "the customer's id"),
        Field("card", "text", "the card number as stored, or empty"),
        Field("name", "text", "the name"),
        Field("phone", "text", "the phone number as typed"),
        Field("email", "text", "the e-mail address"),
        Field("birthday", "date", "the birthday", nullable=True),
        Field("consent", "bool", "agreed to marketing"),
        Field("tier", "text", "the loyalty tier"),
        Field("points", "count", "the points balance"),
        Field("visits", "count", "visits (sales)"),
        Field("spend_cents", "cents", "what the customer spent"),
        Field("last_visit", "date", "the day of the last visit", nullable=True),
        Field("rfm", "text", "the RFM group"),
    ),
)

ANALYSIS = Schema(
    name="Analysis report",
    command="tui-pos report sales --by KIND | hours | audit | loyalty --by KIND --format json",
    formats=("json",),
    doc="One object; `rows` and `totals` are objects keyed by the columns' keys. "
    "CSV (`--format csv`): a header of the column keys, then the rows (no totals).",
    fields=(
        Field("report", "text", "the report kind"),
        Field("title", "text", "its title"),
        Field("till", "text", "the till id"),
        Field("from", "date", "the first day, included"),
        Field("to", "date", "the last day, included"),
        Field("columns", "columns", "`{key, title, kind}` per column, in order"),
        Field("rows", "rows", "one object per row"),
        Field("totals", "rows", "the totals row (summable reports)", nullable=True),
        Field("count", "count", "how many rows"),
        Field("message", "text", "why it is empty", nullable=True),
        Field("note", "text", "a note on how it was computed", nullable=True),
    ),
)

#: Every documented output, in the order of docs/outputs.md.
SCHEMAS: tuple[Schema, ...] = (DAY_REPORT, STOCK_CSV, STOCK_JSON, CUSTOMERS, ANALYSIS)
