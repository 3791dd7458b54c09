"""``tui-pos server report``: the stores' sales summed from the chain rows tills pushed.

Each report is one grouped SQL query over the stored rows (``chain_row``: each row the
JSON array ``[table, id, *columns]`` of the till's canonical form, positions from
:data:`tui_pos.models.chain_tables.CHAINED`), shaped as the till's
:class:`AnalysisReport`, so the table, JSON and CSV output are the till's. Days and
hours are UTC (one server serves many zones). Only completed sales count. Web shops'
orders (``web_order``) are documents of the channel ``web`` beside the tills' sales
(``till``): every report is the sum of both, so a total by channel equals the total by
store, till or day.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import psycopg

from tui_pos.domain.analysis import AnalysisReport, Column, ColumnKind, DateRange, ReportKind
from tui_pos.models.chain_tables import CHAINED


def _at(table: str, column: str, cast_to: str = "") -> str:
    """SQL for one column of a stored row (``s`` = sale, ``l`` = line, ``p`` = payment,
    ``t`` = tax)."""
    alias = {"sale": "s", "sale_line": "l", "payment": "p", "sale_tax": "t"}[table]
    expr = f"({alias}.data->>{2 + CHAINED[table].columns.index(column)})"
    return f"{expr}::{cast_to}" if cast_to else expr


_IN_RANGE = "{day} BETWEEN %s AND %s AND (%s::text IS NULL OR {store} = %s)"
_TILL_SALES = (
    "FROM chain_row s {join} WHERE s.tbl = 'sale' AND " + _at("sale", "status") + " = 'completed' "
    "AND "
    + _IN_RANGE.format(day="substr(" + _at("sale", "created_at") + ", 1, 10)", store="s.store_id")
)
#: A web order's time in UTC (the shop sends it with its zone).
_WEB_AT = "(w.created_at::timestamptz AT TIME ZONE 'UTC')"
_WEB_ORDERS = "FROM web_order w {join} WHERE " + _IN_RANGE.format(
    day=f"to_char({_WEB_AT}, 'YYYY-MM-DD')", store="w.store_id"
)
_WEB_LINES = "JOIN web_order_line l ON l.shop_id = w.shop_id AND l.order_id = w.order_id"


def _join(table: str) -> str:
    alias = {"sale_line": "l", "payment": "p", "sale_tax": "t"}[table]
    return (
        f"JOIN chain_row {alias} ON {alias}.store_id = s.store_id AND {alias}.till_id = "
        f"s.till_id AND {alias}.tbl = '{table}' AND {_at(table, 'sale_id', 'bigint')} = s.row_id"
    )


#: Every completed sale as a document of its channel: the tills' sales and the web shops'
#: orders, each with its store, origin (till, or ``web:SHOP``), UTC day and hour,
#: employee and total.
_DOCUMENTS = (
    "SELECT 'till' AS channel, s.store_id, s.till_id AS origin, substr("
    + _at("sale", "created_at")
    + ", 1, 10) AS day, substr("
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
_DOC_KEYS = {
    "till": "store_id || ' ' || origin",
    "store": "store_id",
    "day": "day",
    "hour": "hour",
    "employee": "employee",
    "channel": "channel",
}
SERVER_REPORTS = (*_DOC_KEYS, "item", "tender", "tax")
_MONEY: ColumnKind = "money"
#: A GTIN-14 with a leading zero is the EAN-13 a till's line shows.
_CODE = "CASE WHEN {c} ~ '^0[0-9]{{13}}$' THEN substr({c}, 2) ELSE {c} END"


def _union(till_part: str, web_part: str, tail: str) -> str:
    """The tills' part and the web shops' part of a report, grouped as one."""
    return f"SELECT k, {tail} FROM ({till_part} UNION ALL {web_part}) u GROUP BY k"


def _query(by: str) -> tuple[str, tuple[Column, ...]]:
    cols: tuple[Column, ...]
    if by in _DOC_KEYS:
        sql = (
            f"SELECT {_DOC_KEYS[by]} AS k, count(*), sum(total_cents) FROM ({_DOCUMENTS}) d "
            "GROUP BY k ORDER BY k"
        )
        cols = (
            Column("key", by.title()),
            Column("sales", "Sales", "count"),
            Column("total_cents", "Total", _MONEY),
        )
    elif by == "item":
        sql = (
            _union(
                f"SELECT {_CODE.format(c=_at('sale_line', 'code'))} AS k, "
                f"{_at('sale_line', 'name')} AS name, "
                f"{_at('sale_line', 'qty_milli', 'bigint')} AS q, "
                f"{_at('sale_line', 'amount_cents', 'bigint')} AS a "
                + _TILL_SALES.format(join=_join("sale_line")),
                f"SELECT {_CODE.format(c='l.product_code')}, NULL, l.qty_milli, l.amount_cents "
                + _WEB_ORDERS.format(join=_WEB_LINES),
                "max(name), sum(q), sum(a)",
            )
            + " ORDER BY 4 DESC, k"
        )
        cols = (
            Column("key", "Code"),
            Column("name", "Item"),
            Column("qty", "Quantity", "qty"),
            Column("net_cents", "Net", _MONEY),
        )
    elif by == "tender":
        sql = (
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
                "sum(n), sum(a)",
            )
            + " ORDER BY k"
        )
        cols = (
            Column("key", "Tender"),
            Column("payments", "Payments", "count"),
            Column("amount_cents", "Amount", _MONEY),
        )
    elif by == "tax":
        sql = (
            _union(
                f"SELECT {_at('sale_tax', 'code')} AS k, "
                f"{_at('sale_tax', 'base_cents', 'bigint')} AS b, "
                f"{_at('sale_tax', 'tax_cents', 'bigint')} AS t "
                + _TILL_SALES.format(join=_join("sale_tax")),
                "SELECT 'web ' || to_char(l.tax_rate_bp / 100.0, 'FM990.00') || '%%', "
                "l.amount_cents - l.tax_cents, l.tax_cents " + _WEB_ORDERS.format(join=_WEB_LINES),
                "sum(b), sum(t)",
            )
            + " ORDER BY k"
        )
        cols = (
            Column("key", "Tax code"),
            Column("base_cents", "Base", _MONEY),
            Column("tax_cents", "Tax", _MONEY),
        )
    else:
        raise ValueError(f"unknown report {by!r}: one of {', '.join(SERVER_REPORTS)}")
    return sql, cols


def server_report(
    conn: psycopg.Connection, by: str, period: DateRange, store: str | None
) -> AnalysisReport:
    """Sales by ``by`` over ``period`` for one store (or every store when None)."""
    sql, cols = _query(by)
    params = (period.first.isoformat(), period.last.isoformat(), store, store) * sql.count(
        "BETWEEN %s AND %s"
    )
    with conn.transaction():
        rows = [tuple(_cell(v) for v in r) for r in conn.execute(sql.encode(), params)]
    summable = [c.kind in ("count", _MONEY) for c in cols]
    totals = None
    if rows and by != "item":
        totals = tuple(
            sum(int(r[i] or 0) for r in rows) if summable[i] else ("Total" if i == 0 else None)
            for i in range(len(cols))
        )
    where = f"store {store}" if store else "all stores"
    return AnalysisReport(
        kind=cast(ReportKind, by),
        title=f"Sales by {by}, {where} (UTC)",
        till=store or "*",
        period=period,
        columns=cols,
        rows=tuple(rows),
        totals=totals,
        empty_message="no sales pushed to the server in this range",
    )


def _cell(value: Any) -> str | int | None:
    if value is None or isinstance(value, int | str):
        return value
    return int(value)


def whole_range(first: date | None, last: date | None) -> DateRange:
    today = date.today()
    return DateRange(first or today, last or first or today)
