"""A till opened behind its log-in screen (issue 17, cold start).

The register's first frame needs only the config: the App paints the log-in screen (its
field disabled, "Opening the till...") and a thread opens the till behind it: the
register's modules are loaded, the database is opened (created or migrated, chain key
checked, PIN key loaded) and every service is built (``bootstrap.open_till``). Nothing is
accepted before that: no PIN is checked against a till that is not open.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui_pos.config import Config

if TYPE_CHECKING:
    from tui_pos.bootstrap import Till

#: What the open register needs and its first frame does not: every store and service,
#: the device hub, the flows and the register screen. Loaded in the opening thread.
REGISTER_MODULES = (
    "tui_pos.bootstrap",
    "tui_pos.devices.hub",
    "tui_pos.flows.session",
    "tui_pos.flows.cash",
    "tui_pos.flows.records",
    "tui_pos.flows.links",
    "tui_pos.screens.register",
    "tui_pos.screens.returns",
    "tui_pos.services.customer_display",
)


#: The register process's SQLite heap, all connections' page caches together (each would
#: otherwise grow to its own 16 MB ``cache_size``, one per thread, as random products are
#: scanned and names searched: RSS that grew with every sale). Reports and imports run
#: as their own commands, with the full cache.
REGISTER_SQLITE_HEAP = 8 * 2**20


def for_the_register(till: Till) -> Till:
    """``till`` set up to run the register: SQLite's memory capped (the whole process)."""
    from tui_pos.models.database import limit_sqlite_memory

    limit_sqlite_memory(till.db, REGISTER_SQLITE_HEAP)
    return till


@dataclass(frozen=True)
class TillOpening:
    """A till still to be opened: what the first frame needs (the config, the database
    file for the crash log) and how to open it (raises PosError or OSError: the App ends
    and the CLI shows the reason)."""

    config: Config
    db_path: Path
    open: Callable[[], Till]


def load_register_modules() -> None:
    """Import what the open register uses (in the opening thread, behind the first frame)."""
    for name in REGISTER_MODULES:
        importlib.import_module(name)


def open_later(config: Config, db_path: Path) -> TillOpening:
    """The configured till at ``db_path``, opened by ``bootstrap.open_till`` when the App
    asks (the bootstrap is imported then, not before the first frame)."""

    def open_now() -> Till:
        from tui_pos.bootstrap import open_till

        return for_the_register(open_till(config, db_path))

    return TillOpening(config, db_path, open_now)
