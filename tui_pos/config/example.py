"""What is derived from the key declarations for people: the commented example file that
``tui-pos config init`` writes (every key with its default) and the table of keys in
``docs/config-keys.md``."""

from __future__ import annotations

import textwrap
from typing import Any

from tui_pos.config.keys import Key, declared, default_of
from tui_pos.config.model import Config
from tui_pos.config.schema import describe

HEADER = """# tui-pos configuration.
#
# Copy this file to ~/.config/tui-pos/config.toml (or point $TUI_POS_CONFIG at it)
# and edit it. Every value below is the default: delete any line you don't change,
# and the till still works. Lines starting with "#" are comments.
# Amounts are in minor units (cents, pence): 500 means 5.00."""


def toml_value(value: Any) -> str:
    """A default written as TOML (strings with escapes, arrays on one line)."""
    if isinstance(value, str):
        return describe(value) if len(value) <= 60 else '"' + value + '"'
    if isinstance(value, bool | int):
        return describe(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _comment(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.split("\n"):
        lines += ["# " + part for part in textwrap.wrap(line, 88)] or ["#"]
    return lines


def _section_lines(name: str, cls: type) -> list[str]:
    lines = [f"[{name}]"]
    for key_name, item, key in declared(cls):
        lines += _comment(key.help)
        lines.append(key.example or f"{key_name} = {toml_value(default_of(item))}")
    return lines


def example_text() -> str:
    """The text ``config init`` writes: every section and key, its help as comments."""
    blocks = [HEADER]
    for name, _, key in declared(Config):
        if key.example is not None:
            blocks.append(key.example)
        elif key.section is not None:
            blocks.append("\n".join(_section_lines(name, key.section)))
    return "\n\n".join(blocks) + "\n"


def allowed(key: Key, default: Any) -> str:
    """What a key accepts, in words, for the docs table."""
    if key.allowed:
        return key.allowed
    if key.choices:
        return ", ".join(toml_value(c) for c in key.choices)
    if isinstance(default, bool):
        return "true, false"
    if isinstance(default, int):
        return f"{key.low}-{key.high}" if key.high is not None else f"at least {key.low}"
    if key.what:
        return key.what
    if isinstance(default, tuple):
        items = "integers" if default and isinstance(default[0], int) else "strings"
        return f"up to {key.max_items} {items}" if key.max_items else f"array of {items}"
    return "text"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def keys_table() -> str:
    """The Markdown table of every key: name, default, what is allowed, what it does."""
    rows = ["| key | default | allowed | meaning |", "|---|---|---|---|"]
    for name, _, key in declared(Config):
        if key.section is None:
            rows.append(
                f"| `{name}` | built in | {_cell(allowed(key, None))} | {_cell(key.help)} |"
            )
            continue
        for key_name, sub, sub_key in declared(key.section):
            default = default_of(sub)
            shown = "-" if default is None or sub_key.read else f"`{toml_value(default)}`"
            cells = [f"`{name}.{key_name}`", shown, _cell(allowed(sub_key, default))]
            rows.append("| " + " | ".join(cells) + f" | {_cell(sub_key.help)} |")
        for retired, why in getattr(key.section, "RETIRED", {}).items():
            rows.append(f"| `{name}.{retired}` | - | retired: no effect | {_cell(why)} |")
    return "\n".join(rows) + "\n"


KEYS_INTRO = """# Configuration keys

Every key of `config.toml`, generated from the declarations in `tui_pos/config/`
(`tests/integration/test_config_keys.py` checks that this file is current; regenerate it
with `python -m tui_pos.config.example > docs/config-keys.md`). `tui-pos config init` writes
the same keys, each with its help as a comment.

"""


def keys_document() -> str:
    """The whole of ``docs/config-keys.md``."""
    return KEYS_INTRO + keys_table()


if __name__ == "__main__":
    print(keys_document(), end="")
