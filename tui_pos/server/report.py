"""``tui-pos server report``: the stores' sales summed from the documents the tills pushed.

Each report is one grouped SQL query over the stored journal payloads (the same numbers
the till's own reports read), shaped as the till's :class:`AnalysisReport`, so the table,
JSON and CSV output are the till's. Days and hours are UTC (the server serves many zones).
Only completed sales count. ``channel`` is ``till`` for every sale today (the web shop will
add its own).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import psycopg

from tui_pos.domain.analysis import AnalysisReport, Column, ColumnKind, DateRange, ReportKind

_SALES = "FROM document d WHERE d.kind = 'sale' AND substr(d.created_at, 1, 10) BETWEEN %s AND %s"
_TOTAL = "((d.payload->'totals')->>3)::bigint"
_DOC_KEYS = {
    "till": "d.store_id || ' ' || d.till_id",
    "store": "d.store_id",
    "day": "substr(d.created_at, 1, 10)",
    "hour": "substr(d.created_at, 12, 2) || ':00'",
    "employee": "coalesce(d.payload->>'cashier', '')",
    "channel": "'till'",
}
SERVER_REPORTS = (*_DOC_KEYS, "item", "tender", "tax")
_MONEY: ColumnKind = "money"


def _query(by: str) -> tuple[str, tuple[Column, ...]]:
    cols: tuple[Column, ...]
    if by in _DOC_KEYS:
        sql = (
            f"SELECT {_DOC_KEYS[by]} AS k, count(*), sum({_TOTAL}) {_SALES} "
            "AND (%s::text IS NULL OR d.store_id = %s) GROUP BY k ORDER BY k"
        )
        cols = (
            Column("key", by.title()),
            Column("sales", "Sales", "count"),
            Column("total_cents", "Total", _MONEY),
        )
    elif by == "item":
        sql = (
            "SELECT l->>2 AS k, max(l->>1), sum((l->>4)::bigint), sum((l->>9)::bigint) "
            "FROM document d CROSS JOIN LATERAL jsonb_array_elements(d.payload->'lines') l "
            "WHERE d.kind = 'sale' AND substr(d.created_at, 1, 10) BETWEEN %s AND %s "
            "AND (%s::text IS NULL OR d.store_id = %s) GROUP BY k ORDER BY 4 DESC, k"
        )
        cols = (
            Column("key", "Code"),
            Column("name", "Item"),
            Column("qty", "Quantity", "qty"),
            Column("net_cents", "Net", _MONEY),
        )
    elif by == "tender":
        sql = (
            "SELECT p->>1 AS k, count(*), sum((p->>2)::bigint) FROM document d CROSS JOIN "
            "LATERAL jsonb_array_elements(d.payload->'payments') p WHERE d.kind = 'sale' AND "
            "substr(d.created_at, 1, 10) BETWEEN %s AND %s "
            "AND (%s::text IS NULL OR d.store_id = %s) GROUP BY k ORDER BY k"
        )
        cols = (
            Column("key", "Tender"),
            Column("payments", "Payments", "count"),
            Column("amount_cents", "Amount", _MONEY),
        )
    elif by == "tax":
        sql = (
            "SELECT t->>0 AS k, sum((t->>2)::bigint), sum((t->>3)::bigint) FROM document d "
            "CROSS JOIN LATERAL jsonb_array_elements(d.payload->'taxes') t WHERE "
            "d.kind = 'sale' AND substr(d.created_at, 1, 10) BETWEEN %s AND %s "
            "AND (%s::text IS NULL OR d.store_id = %s) GROUP BY k ORDER BY k"
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
