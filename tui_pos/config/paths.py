"""Where the till's files are: the config file, the database, the PIN key file and the
backups (XDG folders by default, a relative path in the config is relative to its file)."""

from __future__ import annotations

import os
from pathlib import Path

from tui_pos.config.model import Config
from tui_pos.domain.errors import ConfigError


def _xdg_dir(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / fallback


def default_config_path() -> Path:
    """$TUI_POS_CONFIG if set, else $XDG_CONFIG_HOME/tui-pos/config.toml (~/.config/...)."""
    override = os.environ.get("TUI_POS_CONFIG", "")
    if override:
        return user_path(override, "TUI_POS_CONFIG")
    return _xdg_dir("XDG_CONFIG_HOME", ".config") / "tui-pos" / "config.toml"


def user_path(text: str, key: str) -> Path:
    """A path from the config with ``~`` expanded; a path that cannot exist is a ConfigError."""
    if "\x00" in text:
        raise ConfigError(f"{key}: a path cannot contain a NUL character")
    try:
        return Path(text).expanduser()
    except RuntimeError as exc:  # "~someone" for a user this machine does not have
        raise ConfigError(f"{key}: {text!r}: {exc} (no such user?)") from exc


def backup_dir(config: Config, db_path: Path) -> Path:
    """Where Z-close backups go: ``database.backup_dir`` (relative to the config file's
    folder), else a ``backups`` folder next to the database."""
    if not config.database.backup_dir:
        return db_path.parent / "backups"
    path = user_path(config.database.backup_dir, "database.backup_dir")
    if not path.is_absolute():
        base = config.source.parent if config.source is not None else Path.cwd()
        path = base / path
    return path


def pin_key_path(config: Config, db_path: Path) -> Path:
    """The PIN key file: ``staff.key_file`` (relative to the config file's folder), else
    ``pin.key`` next to the database (backups of the database do not contain it)."""
    if not config.staff.key_file:
        return db_path.parent / "pin.key"
    path = user_path(config.staff.key_file, "staff.key_file")
    if not path.is_absolute():
        base = config.source.parent if config.source is not None else Path.cwd()
        path = base / path
    return path


def database_path(config: Config) -> Path:
    """The SQLite file to use: ``database.path`` (relative to the config file's folder),
    else $XDG_DATA_HOME/tui-pos/till.db (~/.local/share/tui-pos/till.db).

    Raises ConfigError when ``database.url`` is set instead (no local file then).
    """
    if config.database.url is not None:
        raise ConfigError("database.url is set: the database is a server, not a local file")
    if config.database.path is None:
        return _xdg_dir("XDG_DATA_HOME", ".local/share") / "tui-pos" / "till.db"
    path = user_path(config.database.path, "database.path")
    if not path.is_absolute():
        base = config.source.parent if config.source is not None else Path.cwd()
        path = base / path
    return path.absolute()
