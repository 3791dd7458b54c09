"""The demo store (``tui-pos demo``): ``catalog`` (the products), ``store`` (imported
through the normal importer, the demo staff), ``sales`` (days of history), ``stock`` and
``customers``."""

from tui_pos.demo.store import (
    DEMO_LOGIN_HINT,
    DEMO_STAFF,
    demo_csv,
    ensure_demo_catalog,
    ensure_demo_staff,
)

__all__ = [
    "DEMO_LOGIN_HINT",
    "DEMO_STAFF",
    "demo_csv",
    "ensure_demo_catalog",
    "ensure_demo_staff",
]
