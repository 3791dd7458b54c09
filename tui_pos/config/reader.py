"""Reading the till's configuration: a TOML file into the frozen dataclasses of
:mod:`tui_pos.config.model`, each key read and checked as it is declared there.

Every section and key is optional; a missing file (``load_config(None)``) gives the demo
store. Any problem raises :class:`ConfigError` naming the file, line and dotted key.
``tui-pos config init`` writes every key with its default (:mod:`tui_pos.config.example`).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

from tui_pos.config.keys import read_section, section_keys
from tui_pos.config.model import Config
from tui_pos.config.schema import Source, Table
from tui_pos.domain.errors import ConfigError


def parse_config(text: str, name: str = "config.toml", source: Path | None = None) -> Config:
    """Parse config text; ``name`` is used in error messages, ``source`` stored in the result."""
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(name, text, str(error)) from None
    except RecursionError:
        raise ConfigError(f"{name}: invalid TOML: values are nested too deeply") from None
    top = Table(Source(name, text), (), document, section_keys(Config), "the whole file")
    return dataclasses.replace(read_section(top, Config), source=source)


def _syntax_error(name: str, text: str, message: str) -> ConfigError:
    where = re.search(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$", message)
    if where is None:
        return ConfigError(f"{name}: invalid TOML syntax: {message}")
    reason = message[: where.start()]
    if where.group(1) is None:
        return ConfigError(
            f"{name} line {text.count(chr(10)) + 1}: invalid TOML syntax: {reason}"
            " (at the end of the file)"
        )
    line, column = where.group(1), where.group(2)
    return ConfigError(f"{name} line {line}: invalid TOML syntax: {reason} (column {column})")


def load_config(path: Path | None) -> Config:
    """Read the config file at ``path``; None gives the defaults (the demo store).

    Raises ConfigError if the file is missing, unreadable, not TOML or has a bad value.
    """
    if path is None:
        return Config()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config file: {error.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(f"{path} line {line}: the file is not valid UTF-8 text") from None
    return parse_config(text, str(path), path)
