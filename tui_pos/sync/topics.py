"""The puller's registry of change-feed topics: one handler per topic.

A handler applies one change of its topic inside the page's transaction (the puller
opens it and saves the cursor in it) and returns the number of rows it wrote (0 when the
change names something this till does not know). A topic this till has no handler for
is skipped: a newer server may publish topics an older till does not use.

A module that adds a topic decorates its handler with :func:`topic` and is named once in
:data:`HANDLER_MODULES`, so a new topic never means editing another topic's code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from peewee import Database

Change = dict[str, Any]
Handler = Callable[[Database, Change], int]

#: Modules whose import registers handlers (one line per module).
HANDLER_MODULES = (
    "tui_pos.sync.ledger_topics",
    "tui_pos.sync.catalog_topics",
    "tui_pos.sync.coupon_topics",
    "tui_pos.sync.webshop_topics",
    "tui_pos.sync.tax_topics",
    "tui_pos.sync.staff_topics",
    "tui_pos.sync.customer_topics",
)

_HANDLERS: dict[str, Handler] = {}
_loaded: list[bool] = []


def topic(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``name`` (once per topic)."""

    def register(handler: Handler) -> Handler:
        if _HANDLERS.get(name, handler) is not handler:
            raise ValueError(f"the change topic {name!r} already has a handler")
        _HANDLERS[name] = handler
        return handler

    return register


def handler_for(name: object) -> Handler | None:
    """The handler of a topic (None: not used by this till)."""
    if not _loaded:
        for module in HANDLER_MODULES:
            importlib.import_module(module)
        _loaded.append(True)
    return _HANDLERS.get(str(name))
