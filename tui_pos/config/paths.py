"""Where the till's files are: the config file, the database, the PIN key file and the
backups (the user's config and data folders by default, found by platformdirs; a relative
path in the config is relative to its file)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from tui_pos.config.model import Config
from tui_pos.domain.errors import ConfigError

APP = "tui-pos"


def default_config_path() -> Path:
    """$TUI_POS_CONFIG if set, else the user config folder's tui-pos/config.toml
    ($XDG_CONFIG_HOME or ~/.config on Linux, by platformdirs)."""
    override = os.environ.get("TUI_POS_CONFIG", "")
    if override:
        return user_path(override, "TUI_POS_CONFIG")
    return platformdirs.user_config_path(APP, appauthor=False) / "config.toml"


def config_path_checked(given: Path | None) -> Path | None:
    """The config file to read: ``--config``, else ``$TUI_POS_CONFIG``, else the user's
    default one if it exists (None: built-in defaults).

    A file named with ``--config`` or ``$TUI_POS_CONFIG`` that does not exist is an error
    (``load_config`` says "not found"): a till silently running the demo defaults because
    of a typo in its unit file is worse than a till that does not start.
    """
    if given is not None:
        return given
    path = default_config_path()
    if os.environ.get("TUI_POS_CONFIG"):
        return path
    return path if path.exists() else None


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
    else the user data folder's tui-pos/till.db ($XDG_DATA_HOME or ~/.local/share on
    Linux, by platformdirs).

    Raises ConfigError when ``database.url`` is set instead (no local file then).
    """
    if config.database.url is not None:
        raise ConfigError("database.url is set: the database is a server, not a local file")
    if config.database.path is None:
        return platformdirs.user_data_path(APP, appauthor=False) / "till.db"
    path = user_path(config.database.path, "database.path")
    if not path.is_absolute():
        base = config.source.parent if config.source is not None else Path.cwd()
        path = base / path
    return path.absolute()
