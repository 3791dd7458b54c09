"""Which tables the hash chain covers, and how a row enters its canonical form.

This is the one place a table joins the chain (docs/DESIGN.md "Chain"): a table of
documents or ledger rows (append-only by trigger, ``id INTEGER PRIMARY KEY``) gets an
entry here naming its columns, and its writer calls :func:`tui_pos.models.chain_store.seal`
at the end of its write transaction. Columns are never removed from an entry or reordered
(stored digests would no longer match); a column added to a chained table later goes in
``later`` with its default, so rows stored before keep their canonical form.

Personal data of customers is never held in a chained table (ids only): erasure must be
able to reach it (``online_order_contact`` holds an online order's contact details).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


def _sale_amount(row: Mapping[str, Any]) -> int:
    return int(row["total_cents"]) if row["status"] == "completed" else 0


@dataclass(frozen=True)
class Chained:
    """How the rows of one table enter the chain."""

    columns: tuple[str, ...]  #: in the canonical form, in this order (not ``id``)
    #: Columns added after the table joined the chain, with the default that leaves them
    #: out of the canonical form (so rows stored before keep their digest).
    later: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: What a row adds to the running grand total (sales only); it is given the row's id,
    #: chained and later columns.
    amount: Callable[[Mapping[str, Any]], int] | None = None


def _ledger(*columns: str, **kwargs: Any) -> Chained:
    return Chained(columns=columns, **kwargs)


#: Every chained table. Tables are sealed and verified in name order.
CHAINED: Mapping[str, Chained] = MappingProxyType(
    {
        "audit_event": _ledger(
            "uuid",
            "till",
            "seq",
            "created_at",
            "action",
            "outcome",
            "employee_id",
            "employee_name",
            "approver_id",
            "approver_name",
            "detail",
        ),
        "campaign": _ledger(
            "name",
            "segment",
            "template",
            "subject",
            "control_percent",
            "coupon_kind",
            "coupon_value",
            "sent_by",
            "created_at",
        ),
        "campaign_member": _ledger("campaign_id", "customer_id", "grp"),
        "cash_movement": _ledger(
            "uuid",
            "till",
            "seq",
            "kind",
            "amount_cents",
            "reason",
            "employee_id",
            "employee_name",
            "approver_name",
            "created_at",
        ),
        "drawer_event": _ledger(
            "uuid", "till", "seq", "reason", "sale_id", "created_at", "sent", "error"
        ),
        "loyalty_entry": _ledger(
            "uuid",
            "till",
            "seq",
            "customer_id",
            "points",
            "kind",
            "sale_id",
            "note",
            "created_at",
        ),
        "online_order": _ledger(
            "order_id", "created_at", "imported_at", "till", "collection", "total_cents"
        ),
        "online_order_event": _ledger("order_id", "kind", "till", "cashier", "created_at"),
        "online_order_line": _ledger(
            "order_id",
            "position",
            "product_id",
            "name",
            "qty_milli",
            "unit_price_cents",
            "amount_cents",
        ),
        "payment": _ledger(
            "uuid",
            "till",
            "seq",
            "sale_id",
            "kind",
            "amount_cents",
            "tendered_cents",
            "change_cents",
            "reference",
        ),
        "return_claim_line": _ledger("sale_line_id", "claim"),
        "sale": _ledger(
            "uuid",
            "till",
            "seq",
            "status",
            "created_at",
            "cashier",
            "subtotal_cents",
            "discount_cents",
            "tax_cents",
            "total_cents",
            "rounding_cents",
            "change_cents",
            "voided_lines",
            "employee_id",
            "customer_id",
            amount=_sale_amount,
        ),
        "sale_line": _ledger(
            "sale_id",
            "position",
            "product_id",
            "name",
            "code",
            "unit",
            "qty_milli",
            "unit_price_cents",
            "base_cents",
            "line_discount_cents",
            "cart_discount_cents",
            "amount_cents",
            "tax_code",
            "tax_rate_bp",
            "return_of_line_id",
            "promotion",
            "promo_discount_cents",
        ),
        "sale_tax": _ledger("sale_id", "code", "rate_bp", "base_cents", "tax_cents"),
        "stock_movement": _ledger(
            "uuid",
            "till",
            "seq",
            "product_id",
            "qty_milli",
            "kind",
            "sale_line_id",
            "note",
            "created_at",
        ),
        "consent_event": _ledger("customer_id", "consent", "source", "note", "created_at"),
        "coupon": _ledger(
            "code",
            "customer_id",
            "campaign_id",
            "kind",
            "value",
            "valid_from",
            "valid_to",
            "till",
            "created_at",
        ),
        "coupon_redemption": _ledger(
            "uuid", "till", "code", "customer_id", "sale_uuid", "discount_cents", "created_at"
        ),
        "store_credit": _ledger(
            "uuid", "till", "seq", "code", "kind", "amount_cents", "sale_id", "created_at"
        ),
        "time_clock": _ledger("uuid", "till", "seq", "employee_id", "kind", "created_at"),
        "z_close": _ledger(
            "till",
            "z_number",
            "closed_at",
            "first_seq",
            "last_seq",
            "report_json",
            "last_cash_seq",
        ),
    }
)

#: Append-only tables deliberately outside the chain: the chain itself, and the unkeyed
#: journal of migration 3 (kept read-only; migration 9 chained what it covered).
NOT_CHAINED = ("chain", "journal")
