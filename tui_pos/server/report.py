"""``tui-pos server report``: the stores' sales summed from the chain rows tills pushed.

Each report is one grouped SQL query over the stored rows (``chain_row``: each row the
JSON array ``[table, id, *columns]`` of the till's canonical form, positions from
:data:`tui_pos.models.chain_tables.CHAINED`), built from one :class:`_Spec` per report and
shaped as the till's :class:`AnalysisReport`, so the table, JSON and CSV output are the
till's. Days and hours are UTC (one server serves many zones). Only completed sales
count. ``channel`` is ``till`` for every sale today (the web shop will add its own).

``z`` is the stores' day report as the tills closed it: the Z closes of each store and
day (the day the Z was closed), summed from each Z's own report.
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


def _sum(table: str, column: str) -> str:
    return f"sum({_at(table, column, 'bigint')})"


def _z(field: str) -> str:
    """SQL summing one number of the Z reports (their JSON, docs/DESIGN.md "Report JSON")."""
    return f"sum((({_at('z_close', 'report_json')})::jsonb->>'{field}')::bigint)"


_SALE_DAY = "substr(" + _at("sale", "created_at") + ", 1, 10)"
_SALES = (
    "FROM chain_row s {join} WHERE s.tbl = 'sale' AND " + _at("sale", "status") + " = 'completed' "
    f"AND {_SALE_DAY} BETWEEN %s AND %s AND (%s::text IS NULL OR s.store_id = %s)"
)
_Z_DAY = "substr(" + _at("z_close", "closed_at") + ", 1, 10)"
_ZS = (
    "FROM chain_row z WHERE z.tbl = 'z_close' "
    f"AND {_Z_DAY} BETWEEN %s AND %s AND (%s::text IS NULL OR z.store_id = %s)"
)


def _join(table: str) -> str:
    alias = _ALIAS[table]
    return (
        f"JOIN chain_row {alias} ON {alias}.store_id = s.store_id AND {alias}.till_id = "
        f"s.till_id AND {alias}.tbl = '{table}' AND {_at(table, 'sale_id', 'bigint')} = s.row_id"
    )


_CATEGORY = (
    " LEFT JOIN till_product tp ON tp.store_id = s.store_id AND tp.till_id = s.till_id "
    "AND tp.product_id = " + _at("sale_line", "product_id", "bigint")
)
_MONEY: ColumnKind = "money"
_SALES_COUNT = ("count(*)", Column("sales", "Sales", "count"))
_SALES_TOTAL = (_sum("sale", "total_cents"), Column("total_cents", "Total", _MONEY))
_QTY = (_sum("sale_line", "qty_milli"), Column("qty", "Quantity", "qty"))
_NET = (_sum("sale_line", "amount_cents"), Column("net_cents", "Net", _MONEY))


@dataclass(frozen=True)
class _Spec:
    """One report: its grouping key, what it sums, where from and in what order."""

    key: str
    title: str
    measures: tuple[tuple[str, Column], ...] = (_SALES_COUNT, _SALES_TOTAL)
    source: str = _SALES.format(join="")
    order: str = "k"
    totals: bool = True


_SPECS: dict[str, _Spec] = {
    "till": _Spec("s.store_id || ' ' || s.till_id", "Till"),
    "store": _Spec("s.store_id", "Store"),
    "day": _Spec(_SALE_DAY, "Day"),
    "hour": _Spec("substr(" + _at("sale", "created_at") + ", 12, 2) || ':00'", "Hour"),
    "employee": _Spec("coalesce(" + _at("sale", "cashier") + ", '')", "Employee"),
    "channel": _Spec("'till'", "Channel"),
    "category": _Spec(
        "coalesce(nullif(tp.category, ''), '(no category)')",
        "Category",
        (_QTY, _NET),
        _SALES.format(join=_join("sale_line") + _CATEGORY),
        "3 DESC, k",
    ),
    "item": _Spec(
        _at("sale_line", "code"),
        "Code",
        (("max(" + _at("sale_line", "name") + ")", Column("name", "Item")), _QTY, _NET),
        _SALES.format(join=_join("sale_line")),
        "4 DESC, k",
        totals=False,
    ),
    "tender": _Spec(
        _at("payment", "kind"),
        "Tender",
        (
            ("count(*)", Column("payments", "Payments", "count")),
            (_sum("payment", "amount_cents"), Column("amount_cents", "Amount", _MONEY)),
        ),
        _SALES.format(join=_join("payment")),
    ),
    "tax": _Spec(
        _at("sale_tax", "code"),
        "Tax code",
        (
            (_sum("sale_tax", "base_cents"), Column("base_cents", "Base", _MONEY)),
            (_sum("sale_tax", "tax_cents"), Column("tax_cents", "Tax", _MONEY)),
        ),
        _SALES.format(join=_join("sale_tax")),
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
    conn: psycopg.Connection, by: str, period: DateRange, store: str | None
) -> AnalysisReport:
    """Sales by ``by`` over ``period`` for one store (or every store when None)."""
    sql, cols = _query(by)
    params = (period.first.isoformat(), period.last.isoformat(), store, store)
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
