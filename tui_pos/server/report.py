"""``tui-pos server report``: the stores' sales summed from the chain rows tills pushed and
the web shops' orders.

Each report is one grouped SQL query over the stored rows (``chain_row``: each row the
JSON array ``[table, id, *columns]`` of the till's canonical form, positions from
:data:`tui_pos.models.chain_tables.CHAINED`), built from one :class:`_Spec` per report and
shaped as the till's :class:`AnalysisReport`, so the table, JSON and CSV output are the
till's. Days and hours are UTC (one server serves many zones). Only completed sales
count. Web shops' orders (``web_order``) are documents of the channel ``web`` beside the
tills' sales (``till``): every sales report is grouped over the union of both, so a total
by channel equals the total by store, till, day or category.

``z`` is the stores' day report as the tills closed it: the Z closes of each store and
day (the day the Z was closed), summed from each Z's own report (tills only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import psycopg

from tui_pos.domain.analysis import AnalysisReport, Column, ColumnKind, DateRange, ReportKind
from tui_pos.models.chain_tables import CHAINED

_ALIAS = {"sale": "s", "sale_line": "l", "payment": "p", "sale_tax": "t", "z_close": "z"}


def _at(table: str, column: str, cast_to: str = "") -> str:
    """SQL for one column of a stored row of ``table``."""
    expr = f"({_ALIAS[table]}.data->>{2 + CHAINED[table].columns.index(column)})"
    return f"{expr}::{cast_to}" if cast_to else expr


def _z(field: str) -> str:
    """SQL summing one number of the Z reports (their JSON, docs/DESIGN.md "Report JSON")."""
    return f"sum((({_at('z_close', 'report_json')})::jsonb->>'{field}')::bigint)"


#: A part of a report's source: its days, its store (all when NULL) and its channel (both
#: when NULL; the tills' rows are channel ``till``, the web shops' ``web``).
_IN_RANGE = (
    "{day} BETWEEN %s AND %s AND (%s::text IS NULL OR {store} = %s) "
    "AND coalesce(%s::text, '{channel}') = '{channel}'"
)
_SALE_DAY = "substr(" + _at("sale", "created_at") + ", 1, 10)"
_TILL_SALES = (
    "FROM chain_row s {join} WHERE s.tbl = 'sale' AND " + _at("sale", "status") + " = 'completed' "
    "AND " + _IN_RANGE.format(day=_SALE_DAY, store="s.store_id", channel="till")
)
_Z_DAY = "substr(" + _at("z_close", "closed_at") + ", 1, 10)"
_ZS = "FROM chain_row z WHERE z.tbl = 'z_close' AND " + _IN_RANGE.format(
    day=_Z_DAY, store="z.store_id", channel="till"
)
#: A web order's time in UTC (the shop sends it with its zone).
_WEB_AT = "(w.created_at::timestamptz AT TIME ZONE 'UTC')"
_WEB_ORDERS = "FROM web_order w {join} WHERE " + _IN_RANGE.format(
    day=f"to_char({_WEB_AT}, 'YYYY-MM-DD')", store="w.store_id", channel="web"
)
_WEB_LINES = "JOIN web_order_line l ON l.shop_id = w.shop_id AND l.order_id = w.order_id"


def _join(table: str) -> str:
    alias = _ALIAS[table]
    return (
        f"JOIN chain_row {alias} ON {alias}.store_id = s.store_id AND {alias}.till_id = "
        f"s.till_id AND {alias}.tbl = '{table}' AND {_at(table, 'sale_id', 'bigint')} = s.row_id"
    )


#: Every completed sale as a document of its channel: the tills' sales and the web shops'
#: orders, each with its store, origin (till, or ``web:SHOP``), UTC day and hour,
#: employee and total.
_DOCUMENTS = (
    "SELECT 'till' AS channel, s.store_id, s.till_id AS origin, "
    + _SALE_DAY
    + " AS day, substr("
    + _at("sale", "created_at")
    + ", 12, 2) || ':00' AS hour, coalesce("
    + _at("sale", "cashier")
    + ", '') AS employee, "
    + _at("sale", "total_cents", "bigint")
    + " AS total_cents "
    + _TILL_SALES.format(join="")
    + " UNION ALL SELECT 'web', w.store_id, 'web:' || w.shop_id, "
    f"to_char({_WEB_AT}, 'YYYY-MM-DD'), to_char({_WEB_AT}, 'HH24') || ':00', '', "
    "w.total_cents " + _WEB_ORDERS.format(join="")
)


def _union(till_part: str, web_part: str) -> str:
    """The source of a report over the tills' rows and the web shops' rows, as ``u``."""
    return f"FROM ({till_part} UNION ALL {web_part}) u"


_CATEGORY = (
    " LEFT JOIN till_product tp ON tp.store_id = s.store_id AND tp.till_id = s.till_id "
    "AND tp.product_id = " + _at("sale_line", "product_id", "bigint")
)
#: A web line's category: the one the store's tills sent with the product's barcode.
_WEB_CATEGORY = (
    "(SELECT max(tp.category) FROM till_product tp WHERE tp.store_id = w.store_id "
    "AND tp.code = l.product_code)"
)
_NO_CATEGORY = "coalesce(nullif({c}, ''), '(no category)')"
#: A GTIN-14 with a leading zero is the EAN-13 a till's line shows.
_CODE = "CASE WHEN {c} ~ '^0[0-9]{{13}}$' THEN substr({c}, 2) ELSE {c} END"
_MONEY: ColumnKind = "money"
_DOC_MEASURES = (
    ("count(*)", Column("sales", "Sales", "count")),
    ("sum(total_cents)", Column("total_cents", "Total", _MONEY)),
)
_QTY = ("sum(q)", Column("qty", "Quantity", "qty"))
_NET = ("sum(a)", Column("net_cents", "Net", _MONEY))


@dataclass(frozen=True)
class _Spec:
    """One report: its grouping key, what it sums, where from and in what order."""

    key: str
    title: str
    measures: tuple[tuple[str, Column], ...] = _DOC_MEASURES
    source: str = f"FROM ({_DOCUMENTS}) d"
    order: str = "k"
    totals: bool = True


_SPECS: dict[str, _Spec] = {
    "till": _Spec("store_id || ' ' || origin", "Till"),
    "store": _Spec("store_id", "Store"),
    "day": _Spec("day", "Day"),
    "hour": _Spec("hour", "Hour"),
    "employee": _Spec("employee", "Employee"),
    "channel": _Spec("channel", "Channel"),
    "category": _Spec(
        "k",
        "Category",
        (_QTY, _NET),
        _union(
            f"SELECT {_NO_CATEGORY.format(c='tp.category')} AS k, "
            f"{_at('sale_line', 'qty_milli', 'bigint')} AS q, "
            f"{_at('sale_line', 'amount_cents', 'bigint')} AS a "
            + _TILL_SALES.format(join=_join("sale_line") + _CATEGORY),
            f"SELECT {_NO_CATEGORY.format(c=_WEB_CATEGORY)}, l.qty_milli, l.amount_cents "
            + _WEB_ORDERS.format(join=_WEB_LINES),
        ),
        "3 DESC, k",
    ),
    "item": _Spec(
        "k",
        "Code",
        (("max(name)", Column("name", "Item")), _QTY, _NET),
        _union(
            f"SELECT {_CODE.format(c=_at('sale_line', 'code'))} AS k, "
            f"{_at('sale_line', 'name')} AS name, "
            f"{_at('sale_line', 'qty_milli', 'bigint')} AS q, "
            f"{_at('sale_line', 'amount_cents', 'bigint')} AS a "
            + _TILL_SALES.format(join=_join("sale_line")),
            f"SELECT {_CODE.format(c='l.product_code')}, NULL, l.qty_milli, l.amount_cents "
            + _WEB_ORDERS.format(join=_WEB_LINES),
        ),
        "4 DESC, k",
        totals=False,
    ),
    "tender": _Spec(
        "k",
        "Tender",
        (
            ("sum(n)", Column("payments", "Payments", "count")),
            ("sum(a)", Column("amount_cents", "Amount", _MONEY)),
        ),
        _union(
            f"SELECT {_at('payment', 'kind')} AS k, 1 AS n, "
            f"{_at('payment', 'amount_cents', 'bigint')} AS a "
            + _TILL_SALES.format(join=_join("payment")),
            "SELECT 'web ' || p.k, 1, p.a FROM "
            "(SELECT w.payment_method AS k, w.paid_cents AS a "
            + _WEB_ORDERS.format(join="")
            + " UNION ALL SELECT 'points', w.total_cents - w.paid_cents "
            + _WEB_ORDERS.format(join="")
            + " AND w.paid_cents < w.total_cents) p",
        ),
    ),
    "tax": _Spec(
        "k",
        "Tax code",
        (
            ("sum(b)", Column("base_cents", "Base", _MONEY)),
            ("sum(t)", Column("tax_cents", "Tax", _MONEY)),
        ),
        _union(
            f"SELECT {_at('sale_tax', 'code')} AS k, "
            f"{_at('sale_tax', 'base_cents', 'bigint')} AS b, "
            f"{_at('sale_tax', 'tax_cents', 'bigint')} AS t "
            + _TILL_SALES.format(join=_join("sale_tax")),
            "SELECT 'web ' || to_char(l.tax_rate_bp / 100.0, 'FM990.00') || '%%', "
            "l.amount_cents - l.tax_cents, l.tax_cents " + _WEB_ORDERS.format(join=_WEB_LINES),
        ),
    ),
    "z": _Spec(
        f"z.store_id || ' ' || {_Z_DAY}",
        "Store and day",
        (
            ("count(*)", Column("closes", "Z closes", "count")),
            (_z("sales_count"), Column("sales", "Sales", "count")),
            (_z("net_cents"), Column("net_cents", "Net", _MONEY)),
            (_z("tax_cents"), Column("tax_cents", "Tax", _MONEY)),
            (_z("total_cents"), Column("total_cents", "Total", _MONEY)),
            (_z("refunds_cents"), Column("refunds_cents", "Refunds", _MONEY)),
            (_z("over_short_cents"), Column("over_short_cents", "Over/short", _MONEY)),
        ),
        _ZS,
    ),
}
SERVER_REPORTS = tuple(_SPECS)


def _query(by: str) -> tuple[str, tuple[Column, ...]]:
    spec = _SPECS.get(by)
    if spec is None:
        raise ValueError(f"unknown report {by!r}: one of {', '.join(SERVER_REPORTS)}")
    sums = ", ".join(sql for sql, _ in spec.measures)
    sql = f"SELECT {spec.key} AS k, {sums} {spec.source} GROUP BY k ORDER BY {spec.order}"
    return sql, (Column("key", spec.title), *(col for _, col in spec.measures))


def server_report(
    conn: psycopg.Connection,
    by: str,
    period: DateRange,
    store: str | None,
    channel: str | None = None,
) -> AnalysisReport:
    """Sales by ``by`` over ``period`` for one store (or every store when None), of one
    channel (``till`` or ``web``; both when None)."""
    sql, cols = _query(by)
    # range, store and channel once per part of the query (a union: a till and a web part)
    part = (period.first.isoformat(), period.last.isoformat(), store, store, channel)
    params = part * sql.count("BETWEEN %s AND %s")
    with conn.transaction():
        rows = [tuple(_cell(v) for v in r) for r in conn.execute(sql.encode(), params)]
    summable = [c.kind in ("count", _MONEY, "qty") for c in cols]
    totals = None
    if rows and _SPECS[by].totals:
        totals = tuple(
            sum(int(r[i] or 0) for r in rows) if summable[i] else ("Total" if i == 0 else None)
            for i in range(len(cols))
        )
    where = f"store {store}" if store else "all stores"
    if channel:
        where += f", channel {channel}"
    what = "Day closes (sum of the tills' Z reports)" if by == "z" else f"Sales by {by}"
    return AnalysisReport(
        kind=cast(ReportKind, by),
        title=f"{what}, {where} (UTC)",
        till=store or "*",
        period=period,
        columns=cols,
        rows=tuple(rows),
        totals=totals,
        empty_message="nothing pushed to the server in this range",
    )


def _cell(value: Any) -> str | int | None:
    if value is None or isinstance(value, int | str):
        return value
    return int(value)


def whole_range(first: date | None, last: date | None) -> DateRange:
    today = date.today()
    return DateRange(first or today, last or first or today)
