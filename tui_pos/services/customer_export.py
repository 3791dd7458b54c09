"""Customer lists as CSV or JSON (the CLI export and the segments screen's export)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from tui_pos.domain.csv_export import csv_text
from tui_pos.domain.outputs import CUSTOMERS
from tui_pos.domain.staff import Approval
from tui_pos.files import private_folder, write_private
from tui_pos.services.customers import Customers


def rows_csv(rows: list[dict[str, Any]]) -> str:
    """Rows (:data:`CUSTOMERS` records) as CSV text with a header."""
    return csv_text(CUSTOMERS.csv_header(), (CUSTOMERS.csv_row(r) for r in rows))


def rows_json(rows: list[dict[str, Any]]) -> str:
    """Rows as a JSON array."""
    return json.dumps(rows, indent=2, ensure_ascii=False)


def export_segment_file(
    customers: Customers, segment: str, folder: Path, now: datetime, approval: Approval | None
) -> Path:
    """Write a segment's customers to ``folder/customers-SEGMENT-YYYYMMDD-HHMM.csv``
    (owner-only: it holds personal data; ``approval``: CUSTOMER_ADMIN); returns the path."""
    rows = customers.export_rows(segment, approval=approval)
    private_folder(folder)
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", segment)[:40] or "segment"
    path = folder / f"customers-{safe}-{now.strftime('%Y%m%d-%H%M')}.csv"
    write_private(path, rows_csv(rows))
    return path
