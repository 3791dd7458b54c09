"""A till opened behind its log-in screen (issue 17, cold start).

The register's first frame needs only three config keys (:class:`FirstFrame`): the App
paints the log-in screen (its field disabled, "Opening the till...") and a thread opens
the till behind it: the config is read in full when the lean start read only those keys
(:func:`open_read_later`; a bad config then ends the App with its message, as a failed
open does), the register's modules are loaded, the database is opened (created or
migrated, chain key checked, PIN key loaded) and every service is built
(``bootstrap.open_till``). Nothing is accepted before that: no PIN is checked against a
till that is not open.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui_pos.bootstrap import Till
    from tui_pos.config import Config

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
class FirstFrame:
    """What the register shows before its till is open: the log-in screen's title, the
    console mode and the key map."""

    store_name: str
    ascii: bool = False  #: ``[display] ascii``
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def first_frame(config: Config) -> FirstFrame:
    """The first frame's keys of a config read in full."""
    return FirstFrame(config.store.name, config.display.ascii, config.keymap)


@dataclass(frozen=True)
class TillOpening:
    """A till still to be opened: what the first frame needs, the database file (for the
    crash log) and how to open it (raises PosError or OSError: the App ends and the CLI
    shows the reason). ``config``: the config read in full before the first frame, None
    when the opening reads it (then it has no ``[keymap]``: the lean start makes sure)."""

    first: FirstFrame
    db_path: Path
    open: Callable[[], Till]
    config: Config | None = None


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

    return TillOpening(first_frame(config), db_path, open_now, config)


def open_read_later(first: FirstFrame, config_path: Path | None, db_path: Path) -> TillOpening:
    """The till at ``db_path``, its config (``config_path``; None: the defaults) read in
    full by the opening, behind the first frame, which shows ``first``."""

    def open_now() -> Till:
        from tui_pos.bootstrap import open_till
        from tui_pos.config import load_config

        return for_the_register(open_till(load_config(config_path), db_path))

    return TillOpening(first, db_path, open_now)
