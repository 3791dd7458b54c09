"""Each config key is declared once: the reader, ``config init``'s file and the docs table
all come from the declarations, and they agree with each other."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from tui_pos.config import Config, load_config, parse_config
from tui_pos.config.example import example_text, keys_document
from tui_pos.config.keys import declared, default_of, key_of
from tui_pos.domain.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SECTIONS = [key.section for _, _, key in declared(Config) if key.section is not None]


def test_every_field_of_every_section_is_declared_with_help() -> None:
    assert len(SECTIONS) == 10
    for cls in SECTIONS:
        for item in dataclasses.fields(cls):
            key = key_of(item)
            assert key.help.strip(), f"{cls.__name__}.{item.name} has no help"


def test_the_repositorys_example_is_what_config_init_writes() -> None:
    assert (REPO / "config.example.toml").read_text(encoding="utf-8") == example_text()


def test_the_docs_table_is_current_and_names_every_key() -> None:
    text = (REPO / "docs" / "config-keys.md").read_text(encoding="utf-8")
    assert text == keys_document()
    for name, _, key in declared(Config):
        if key.section is not None:
            for sub_name, _, _ in declared(key.section):
                assert f"| `{name}.{sub_name}` |" in text


def test_the_example_holds_every_default_it_writes() -> None:
    """Each key the example writes uncommented has the declared default."""
    document = tomllib.loads(example_text())
    for name, _, key in declared(Config):
        if key.section is None or name not in document:
            continue
        for sub_name, item, sub_key in declared(key.section):
            if sub_name in document[name] and sub_key.read is None:
                default = default_of(item)
                written = document[name][sub_name]
                assert (
                    tuple(written) == default if isinstance(default, tuple) else written == default
                )
    assert load_config(REPO / "config.example.toml").store == Config().store


def test_a_retired_key_is_accepted_and_changes_nothing() -> None:
    config = parse_config('[store]\nlocale = "de_DE"\nname = "Laden"\n')
    assert config.store.name == "Laden"
    assert dataclasses.replace(config.store, name=Config().store.name) == Config().store


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[printer]\nwidht = 40\n",
            'config.toml line 2: printer.widht: unknown key (did you mean "width"?)',
        ),
        ("[drawer]\npin = 3\n", "config.toml line 2: drawer.pin: expected one of 2, 5, got 3"),
        (
            "[printer]\nwidth = 80\n",
            "config.toml line 2: printer.width: expected an integer between 24 and 64, got 80",
        ),
        (
            '[scanner]\nmode = "serail"\n',
            'config.toml line 2: scanner.mode: expected one of "keyboard", "evdev", "serial",'
            ' "none", got "serail" (did you mean "serial"?)',
        ),
        (
            '[store]\ncurrency = "eur"\n',
            "config.toml line 2: store.currency: expected a 3-letter code in capitals like"
            ' "EUR", got "eur"',
        ),
    ],
)
def test_the_declared_bounds_give_line_level_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert str(info.value) == message
