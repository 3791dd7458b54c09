"""Customer lists as CSV or JSON (the CLI export and the segments screen's export)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from tui_pos.services.customers import Customers

EXPORT_COLUMNS = (
    "id",
    "card",
    "name",
    "phone",
    "email",
    "birthday",
    "consent",
    "tier",
    "points",
    "visits",
    "spend_cents",
    "last_visit",
    "rfm",
)


def rows_csv(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV text with a header (the columns of :data:`EXPORT_COLUMNS`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def rows_json(rows: list[dict[str, Any]]) -> str:
    """Rows as a JSON array."""
    return json.dumps(rows, indent=2, ensure_ascii=False)


def export_segment_file(customers: Customers, segment: str, folder: Path, now: datetime) -> Path:
    """Write a segment's customers to ``folder/customers-SEGMENT-YYYYMMDD-HHMM.csv``
    (owner-only: it holds personal data); returns the path."""
    rows = customers.export_rows(segment)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", segment)[:40] or "segment"
    path = folder / f"customers-{safe}-{now.strftime('%Y%m%d-%H%M')}.csv"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(rows_csv(rows))
    return path
