"""``tui-pos server report``: the stores' sales summed from the chain rows tills pushed.

Each report is one grouped SQL query over the stored rows (``chain_row``: each row the
JSON array ``[table, id, *columns]`` of the till's canonical form, positions from
:data:`tui_pos.models.chain_tables.CHAINED`), shaped as the till's
:class:`AnalysisReport`, so the table, JSON and CSV output are the till's. Days and
hours are UTC (one server serves many zones). Only completed sales count. ``channel`` is
``till`` for every sale today (the web shop will add its own).
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


_SALES = (
    "FROM chain_row s {join} WHERE s.tbl = 'sale' AND " + _at("sale", "status") + " = 'completed' "
    "AND substr(" + _at("sale", "created_at") + ", 1, 10) BETWEEN %s AND %s "
    "AND (%s::text IS NULL OR s.store_id = %s)"
)


def _join(table: str) -> str:
    alias = {"sale_line": "l", "payment": "p", "sale_tax": "t"}[table]
    return (
        f"JOIN chain_row {alias} ON {alias}.store_id = s.store_id AND {alias}.till_id = "
        f"s.till_id AND {alias}.tbl = '{table}' AND {_at(table, 'sale_id', 'bigint')} = s.row_id"
    )


_DOC_KEYS = {
    "till": "s.store_id || ' ' || s.till_id",
    "store": "s.store_id",
    "day": "substr(" + _at("sale", "created_at") + ", 1, 10)",
    "hour": "substr(" + _at("sale", "created_at") + ", 12, 2) || ':00'",
    "employee": "coalesce(" + _at("sale", "cashier") + ", '')",
    "channel": "'till'",
}
SERVER_REPORTS = (*_DOC_KEYS, "item", "tender", "tax")
_MONEY: ColumnKind = "money"


def _query(by: str) -> tuple[str, tuple[Column, ...]]:
    cols: tuple[Column, ...]
    if by in _DOC_KEYS:
        sql = (
            f"SELECT {_DOC_KEYS[by]} AS k, count(*), sum({_at('sale', 'total_cents', 'bigint')}) "
            + _SALES.format(join="")
            + " GROUP BY k ORDER BY k"
        )
        cols = (
            Column("key", by.title()),
            Column("sales", "Sales", "count"),
            Column("total_cents", "Total", _MONEY),
        )
    elif by == "item":
        sql = (
            f"SELECT {_at('sale_line', 'code')} AS k, max({_at('sale_line', 'name')}), "
            f"sum({_at('sale_line', 'qty_milli', 'bigint')}), "
            f"sum({_at('sale_line', 'amount_cents', 'bigint')}) "
            + _SALES.format(join=_join("sale_line"))
            + " GROUP BY k ORDER BY 4 DESC, k"
        )
        cols = (
            Column("key", "Code"),
            Column("name", "Item"),
            Column("qty", "Quantity", "qty"),
            Column("net_cents", "Net", _MONEY),
        )
    elif by == "tender":
        sql = (
            f"SELECT {_at('payment', 'kind')} AS k, count(*), "
            f"sum({_at('payment', 'amount_cents', 'bigint')}) "
            + _SALES.format(join=_join("payment"))
            + " GROUP BY k ORDER BY k"
        )
        cols = (
            Column("key", "Tender"),
            Column("payments", "Payments", "count"),
            Column("amount_cents", "Amount", _MONEY),
        )
    elif by == "tax":
        sql = (
            f"SELECT {_at('sale_tax', 'code')} AS k, "
            f"sum({_at('sale_tax', 'base_cents', 'bigint')}), "
            f"sum({_at('sale_tax', 'tax_cents', 'bigint')}) "
            + _SALES.format(join=_join("sale_tax"))
            + " GROUP BY k ORDER BY k"
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
    params = (period.first.isoformat(), period.last.isoformat(), store, store)
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
