"""The demo store: the demo catalog imported through the normal importer."""

from __future__ import annotations

import csv
import io

from tui_pos.bootstrap import Till
from tui_pos.demo_catalog import demo_products
from tui_pos.services.product_import import OPTIONAL, REQUIRED, import_products


def demo_csv() -> list[str]:
    """The demo catalog as the lines of a products CSV file."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*REQUIRED, *OPTIONAL], lineterminator="\n")
    writer.writeheader()
    writer.writerows(demo_products())
    return out.getvalue().splitlines(keepends=True)


def ensure_demo_catalog(till: Till) -> bool:
    """Import the demo catalog into an empty store; returns True if it did."""
    if till.catalog.count() > 0:
        return False
    import_products(
        demo_csv(),
        till.catalog_writer,
        [t.code for t in till.config.taxes],
        till.parser,
        till=till.config.store.till,
        now=till.register.clock(),
    )
    return True
