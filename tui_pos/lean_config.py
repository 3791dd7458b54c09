"""The few config keys the lean starts read without the config package (tomllib only).

The read-only reports (:mod:`tui_pos.lean_report`) and the register's first frame
(:func:`tui_pos.cli.start.lean_run`) start before ``tui_pos.config`` is imported (its 17
sections and their generated methods cost more than the rest of the first frame's own
code, issue 17). They read here only the keys they need, and each only when it is
certainly what the config package would read: :func:`read_config` answers None for
anything else (a value to check the full way, a path with ``~``, a server URL, bad TOML),
and the full way runs. The defaults and rules copied from the config package are held
equal to it by tests (tests/integration/test_lean_report.py, test_lean_start.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

APP = "tui-pos"
#: ``[store] till``'s default and rule (config/store.py; a test holds them equal).
DEFAULT_TILL = "T1"
TILL_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,16}")
#: ``[store] name``'s default (config/store.py; tested equal).
DEFAULT_STORE_NAME = "tui-pos demo store"
#: ``[database] busy_timeout_ms``'s default and bounds (config/store.py; tested equal).
DEFAULT_BUSY_TIMEOUT_MS = 5000
BUSY_TIMEOUT_RANGE = (100, 60_000)
#: The tax codes of a config without ``[[tax]]`` (config/store.py; tested equal).
DEFAULT_TAX_CODES = ("A", "B", "Z")


@dataclass(frozen=True)
class LeanConfig:
    """The keys the lean starts use (the defaults when there is no file)."""

    source: Path | None = None
    till: str = DEFAULT_TILL
    db_path: str | None = None
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    key_file: str | None = None
    tax_codes: tuple[str, ...] | None = DEFAULT_TAX_CODES  # None: set by the file
    store_name: str = DEFAULT_STORE_NAME
    ascii: bool = False  #: ``[display] ascii``
    keymap: bool = False  #: the file has a ``[keymap]`` (checked the full way)


class Unsure(Exception):
    """This path cannot be sure to do what the full command does: it runs instead."""


def config_file(given: str | None) -> Path | None:
    """The config file the full command reads (as ``config.config_path_checked``), None
    for none. Raises Unsure for a path with ``~`` or NUL (the full way expands it)."""
    if given is not None:
        return _plain_path(given)
    override = os.environ.get("TUI_POS_CONFIG", "")
    if override:
        return _plain_path(override)
    import platformdirs

    path = platformdirs.user_config_path(APP, appauthor=False) / "config.toml"
    return path if path.exists() else None


def _plain_path(text: str) -> Path:
    if "~" in text or "\x00" in text:
        raise Unsure(text)
    return Path(text)


def read_config(path: Path | None) -> LeanConfig | None:
    """The keys the lean starts use, each only when it is certainly valid; None otherwise
    (a missing or unreadable file, bad TOML or UTF-8, a value to check the full way)."""
    if path is None:
        return LeanConfig()
    import tomllib

    try:
        document = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
    store, database = _table(document, "store"), _table(document, "database")
    staff, printer = _table(document, "staff"), _table(document, "printer")
    display = _table(document, "display")
    if store is None or database is None or staff is None or printer is None or display is None:
        return None
    till = store.get("till", DEFAULT_TILL)
    name = store.get("name", DEFAULT_STORE_NAME)
    ascii_ = display.get("ascii", False)
    busy = database.get("busy_timeout_ms", DEFAULT_BUSY_TIMEOUT_MS)
    texts = (database.get("path"), database.get("backup_dir"), staff.get("key_file"))
    low, high = BUSY_TIMEOUT_RANGE
    if (
        not (isinstance(till, str) and TILL_PATTERN.fullmatch(till))
        or not isinstance(name, str)
        or not isinstance(ascii_, bool)
        or type(busy) is not int
        or not low <= busy <= high
        or "url" in database
        or not all(_plain_text(t) for t in (*texts, printer.get("target")))
    ):
        return None
    return LeanConfig(
        source=path,
        till=till,
        db_path=texts[0],
        busy_timeout_ms=busy,
        key_file=texts[2],
        tax_codes=None if "tax" in document else DEFAULT_TAX_CODES,
        store_name=name,
        ascii=ascii_,
        keymap="keymap" in document,
    )


def _plain_text(value: object) -> bool:
    """A path value left out, or text that names the same file whatever the user."""
    return value is None or (isinstance(value, str) and "~" not in value and "\x00" not in value)


def _table(document: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = document.get(name, {})
    return value if isinstance(value, dict) else None


def beside_config(config: LeanConfig, text: str) -> Path:
    """A path of the config: relative to the config file's folder (config/paths.py)."""
    path = Path(text)
    if not path.is_absolute():
        base = config.source.parent if config.source is not None else Path.cwd()
        path = base / path
    return path


def database_file(db: str | None, config: LeanConfig) -> Path:
    """``--db`` (``db``), else ``database.path``, else the user data folder's ``till.db``.
    Raises Unsure for a ``--db`` with ``~`` or NUL (the full way expands it)."""
    if db is not None:
        return _plain_path(db)
    if config.db_path is not None:
        return beside_config(config, config.db_path).absolute()
    import platformdirs

    return platformdirs.user_data_path(APP, appauthor=False) / "till.db"
