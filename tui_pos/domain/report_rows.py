"""A day report (X or Z) as labelled rows, amounts formatted: what the register's report
screen and the command line's table both show."""

from __future__ import annotations

from tui_pos.domain.money import format_money
from tui_pos.domain.report import DayReport


def report_rows(report: DayReport, *, blind: bool = False) -> list[tuple[str, str]]:
    """The report as (label, value) rows, amounts formatted, in reading order.

    ``blind``: for someone who counts the drawer blind, without the cash it should hold
    (cash expected, and the cash tender it could be worked out from).
    """
    data = report.to_dict()
    title = f"Z #{report.z_number}" if report.kind == "Z" else "X (not closed)"
    rows: list[tuple[str, str]] = [
        ("Report", title),
        ("Date", report.date),
        ("Till", report.till),
        ("Sales", f"{data['first_sale'] or '-'} to {data['last_sale'] or '-'}"),
        ("Sales count", str(data["sales_count"])),
        ("Gross", format_money(data["gross_cents"])),
        ("Discounts", format_money(-data["discount_cents"])),
        ("Net sales", format_money(data["net_cents"])),
    ]
    for code, tax in data["tax_by_code"].items():
        rows.append(
            (
                f"Tax {code} {tax['rate']}",
                f"{format_money(tax['tax_cents'])} on {format_money(tax['base_cents'])}",
            )
        )
    rows += [
        ("Tax total", format_money(data["tax_cents"])),
        ("Sales total", format_money(data["total_cents"])),
        ("Cash rounding", format_money(data["rounding_cents"])),
        ("Refunds", format_money(data["refunds_cents"])),
        ("Voided sales", str(data["voids_count"])),
        ("Voided lines", str(data["voided_lines"])),
    ]
    rows += [
        (f"Tender {kind}", "(blind count)" if blind and kind == "cash" else format_money(c))
        for kind, c in data["tenders"].items()
    ]
    rows += [
        ("Opening float", format_money(data["opening_float_cents"])),
        ("Cash in", format_money(data["cash_in_cents"])),
        ("Cash out", format_money(-data["cash_out_cents"])),
        ("No-sales (drawer)", str(data["no_sales_count"])),
        ("Cash expected", "(blind count)" if blind else format_money(data["cash_expected_cents"])),
    ]
    if data["counted_cents"] is not None:
        over_short = data["over_short_cents"]
        word = "over" if over_short > 0 else "short" if over_short < 0 else "exact"
        rows += [
            ("Cash counted", format_money(data["counted_cents"])),
            (f"Over/short ({word})", format_money(over_short)),
        ]
        if data["over_short_accepted_by"]:
            rows.append(("Accepted by", data["over_short_accepted_by"]))
    if data["closed_by"]:
        rows.append(("Closed by", data["closed_by"]))
    if data["chain_seq"] is not None:
        rows += [
            ("Grand total", format_money(data["grand_total_cents"] or 0)),
            ("Chain head", f"#{data['chain_seq']} {data['chain_head'][:16]}"),
        ]
    unprinted = data["unprinted_receipts"]
    rows.append(("Receipts not printed", ", ".join(unprinted) if unprinted else "none"))
    return rows
