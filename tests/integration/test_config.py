"""Tests for tui_pos.config: defaults, the example file, errors with lines, paths."""

from __future__ import annotations

import contextlib
import dataclasses
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_pos.config import (
    DEFAULT_TAXES,
    Config,
    DatabaseConfig,
    TaxConfig,
    database_path,
    default_config_path,
    load_config,
    parse_config,
)
from tui_pos.config.schema import key_lines
from tui_pos.domain.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(str(path))
    return message[len(str(path)) :]


# --- defaults and the example file ------------------------------------------------------


def test_no_file_gives_working_defaults() -> None:
    config = load_config(None)
    assert config == Config()
    assert config.source is None
    assert config.store.name == "tui-pos demo store"
    assert config.store.currency == "EUR"
    assert config.store.quick_cash == (500, 1000, 2000, 5000)
    assert [(t.code, t.name, t.rate_bp) for t in config.taxes] == [
        ("A", "Standard", 2000),
        ("B", "Reduced", 550),
        ("Z", "Zero", 0),
    ]
    assert config.barcodes.rules == (
        ("23.....{NNNDD}", "price"),
        ("21.....{NNDDD}", "weight"),
        ("24", "customer"),
    )
    assert config.printer.width == 42
    assert dict(config.keymap) == {}


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    config = load_config(path)
    assert config.source == path
    assert dataclasses.replace(config, source=None) == Config()


def test_example_file_equals_defaults() -> None:
    path = REPO / "config.example.toml"
    config = load_config(path)
    assert config.source == path
    assert dataclasses.replace(config, source=None) == load_config(None)


def test_example_file_mentions_every_key() -> None:
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    for section in dataclasses.fields(Config):
        if section.name in ("source", "keymap", "taxes"):
            continue
        assert f"[{section.name}]" in text
        for field in dataclasses.fields(getattr(Config(), section.name)):
            table = f"[{section.name}.{field.name}]"  # a sub-table, like [staff.permissions]
            assert f"{field.name} =" in text or table in text, field.name
    for snippet in ("# path =", "# url =", "code =", "name =", "rate =", "[[tax]]", "[keymap]"):
        assert snippet in text


def test_full_config_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[store]
name = "Corner Shop"
address = ["1 High Street", "Townsville"]
currency = "GBP"
cash_rounding = 5
till = "front-2"
quick_cash = [1000, 2000]

[[tax]]
code = "S"
rate = "7.25"

[[tax]]
code = "R"
name = "Reduced"
rate = "5"

[scanner]
mode = "evdev"
device = "/dev/input/event3"

[printer]
driver = "network"
target = "192.168.1.50:9100"
width = 48

[drawer]
enabled = true
pin = 5

[[barcodes.rules]]
pattern = "29.......{NN}"
kind = "customer"

[keymap]
tender-cash = "f5"
"void.line" = "ctrl+d"
""",
    )
    config = load_config(path)
    assert config.store.name == "Corner Shop"
    assert config.store.address == ("1 High Street", "Townsville")
    assert config.store.currency == "GBP"
    assert config.store.cash_rounding == 5
    assert config.store.till == "front-2"
    assert config.store.quick_cash == (1000, 2000)
    assert config.taxes == (
        TaxConfig(code="S", name="S", rate="7.25"),
        TaxConfig(code="R", name="Reduced", rate="5"),
    )
    assert [t.rate_bp for t in config.taxes] == [725, 500]
    assert config.scanner.mode == "evdev"
    assert config.printer.driver == "network"
    assert config.printer.width == 48
    assert config.drawer.enabled and config.drawer.pin == 5
    assert config.barcodes.rules == (("29.......{NN}", "customer"),)
    assert dict(config.keymap) == {"tender-cash": "f5", "void.line": "ctrl+d"}


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().store.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("rate", "basis_points"),
    [
        ("20", 2000),
        ("5.5", 550),
        ("7.25", 725),
        ("0", 0),
        ("100", 10000),
        (" 8.10 ", 810),
        ("0100", 10000),
    ],
)
def test_rate_to_basis_points(rate: str, basis_points: int) -> None:
    assert TaxConfig(code="T", name="T", rate=rate).rate_bp == basis_points


# --- errors: each names the key and its line --------------------------------------------


def test_unknown_key_suggests_and_gives_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, '# shop\n\n[store]\nnmae = "Shop"\n')
    assert message == ' line 4: store.nmae: unknown key (did you mean "name"?)'


def test_unknown_key_without_close_match_lists_known_keys(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[drawer]\nenabled = true\nzzz = 1\n")
    assert message.startswith(" line 3: drawer.zzz: unknown key (known keys: enabled, pin")


def test_unknown_section_suggests(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[store]\n\n[printr]\nwidth = 42\n")
    assert message == ' line 3: printr: unknown key (did you mean "printer"?)'


def test_unknown_key_in_tax_entry(tmp_path: Path) -> None:
    text = '[[tax]]\ncode = "A"\nrate = "20"\n\n[[tax]]\ncode = "B"\nrat = "5"\n'
    message = error_of(tmp_path, text)
    assert message == ' line 7: tax[2].rat: unknown key (did you mean "rate"?)'


def test_wrong_type_names_expected_type(tmp_path: Path) -> None:
    text = '[store]\nname = "x"\n\n[printer]\ndriver = "file"\nwidth = "wide"\n'
    message = error_of(tmp_path, text)
    assert message == ' line 6: printer.width: expected an integer between 24 and 64, got "wide"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[printer]\nwidth = 80\n", " line 2: printer.width: expected an integer between 24"),
        ("[printer]\nwidth = 42.0\n", " line 2: printer.width: expected an integer between"),
        ("[store]\nname = 5\n", " line 2: store.name: expected a string, got 5"),
        ("[store]\ncurrency = 'eur'\n", " line 2: store.currency: expected a 3-letter code"),
        ("[store]\ntill = ''\n", " line 2: store.till: expected 1-16 letters"),
        ("[store]\ncash_rounding = 3\n", " line 2: store.cash_rounding: expected one of 1, 5,"),
        ("[store]\naddress = 'x'\n", ' line 2: store.address: expected an array, got "x"'),
        ("[store]\nquick_cash = [500,\n 0]\n", " line 3: store.quick_cash[2]: expected an int"),
        (
            "[store]\nquick_cash = [1,2,3,4,5,6,7]\n",
            " line 2: store.quick_cash: expected at most 6",
        ),
        ("[store]\nreceipt_footer = [\n'a',\n2]\n", " line 4: store.receipt_footer[2]: expected"),
        ("[drawer]\npulse_ms = 5\n", " line 2: drawer.pulse_ms: expected an integer between 10"),
        ("[loyalty]\npoints_per_unit = -1\n", " line 2: loyalty.points_per_unit: expected an"),
        ("[scanner]\ngrab = 'yes'\n", ' line 2: scanner.grab: expected true or false, got "yes"'),
        ("[keymap]\ntender-cash = ''\n", " line 2: keymap.tender-cash: expected a key name"),
        ("[keymap]\ntender-cash = 5\n", " line 2: keymap.tender-cash: expected a key name"),
        ('[keymap]\n"void.line" = ""\n', ' line 2: keymap."void.line": expected a key name'),
        ('[scanner]\nterminator = ""\n', " line 2: scanner.terminator: expected a non-empty"),
        ("[store]\nname = 1979-05-27\n", " line 2: store.name: expected a string, got a date"),
        ("store = 5\n", " line 1: store: expected a table ([store]), got 5"),
        ("\nprinter = [1]\n", " line 2: printer: expected a table ([printer]), got an array"),
    ],
)
def test_value_errors(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text).startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[printer]\nwidth = true\n", " line 2: printer.width: expected an integer"),
        ("[drawer]\npin = false\n", " line 2: drawer.pin: expected one of 2, 5, got false"),
        ("[drawer]\nenabled = 1\n", " line 2: drawer.enabled: expected true or false, got 1"),
        ("[store]\nquick_cash = [true]\n", " line 2: store.quick_cash[1]: expected an integer"),
    ],
)
def test_bool_and_int_are_not_interchangeable(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text).startswith(expected)


@pytest.mark.parametrize(
    "rate",
    ['"-5"', '"5.125"', '"101"', '"abc"', '""', '"1e2"', '"1.0000000000000000000000000001"']
    + ['"5."', '"NaN"', '"٣"', '"9999"', "20", "5.5", "true"],
)
def test_bad_rate(tmp_path: Path, rate: str) -> None:
    message = error_of(tmp_path, f'[[tax]]\ncode = "A"\n\nrate = {rate}\n')
    assert message.startswith(" line 4: tax[1].rate: expected a percentage")
    assert f"got {rate}" in message
    assert 'write it as a string, like rate = "20"' in message


def test_duplicate_tax_code(tmp_path: Path) -> None:
    text = '[[tax]]\ncode = "A"\nrate = "20"\n[[tax]]\nrate = "5"\ncode = "A"\n'
    message = error_of(tmp_path, text)
    assert (
        message == ' line 6: tax[2].code: duplicate tax code "A"; each [[tax]] needs its own code'
    )


def test_tax_errors(tmp_path: Path) -> None:
    assert error_of(tmp_path, '[[tax]]\nname = "x"\nrate = "1"\n') == (
        ' line 1: tax[1]: missing required key "code"'
    )
    assert error_of(tmp_path, '\n[[tax]]\ncode = "A"\n').startswith(
        ' line 2: tax[1]: missing required key "rate"'
    )
    assert error_of(tmp_path, '[[tax]]\ncode = "a"\nrate = "1"\n').startswith(
        " line 2: tax[1].code: expected 1-8 capital letters or digits"
    )
    assert error_of(tmp_path, '[tax]\ncode = "A"\nrate = "1"\n').startswith(
        " line 1: tax: expected [[tax]] entries (an array of tables), got a table"
    )
    assert error_of(tmp_path, "tax = []\n") == " line 1: tax: expected at least one [[tax]] entry"


def test_bad_enum_suggests(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[printer]\nwidth = 42\ndriver = "netwrok"\n')
    assert message == (
        ' line 3: printer.driver: expected one of "none", "file", "usb", "serial", "network",'
        ' got "netwrok" (did you mean "network"?)'
    )
    message = error_of(tmp_path, '[display]\ncommand_set = "ibm"\n')
    assert message.startswith(' line 2: display.command_set: expected one of "epson", "cd5220"')


def test_barcode_rule_errors(tmp_path: Path) -> None:
    rules = '[barcodes]\nrules = [\n  { pattern = "23.....{NNNDD}", kind = "price" },\n  {0},\n]\n'
    bad_kind = rules.replace("{0}", '{ pattern = "21.....{NNDDD}", kind = "wieght" }')
    assert error_of(tmp_path, bad_kind).startswith(
        ' line 4: barcodes.rules[2].kind: expected one of "price", "weight"'
    )
    for pattern in ("23..{NN}.{DD}", "23.a...{NNNDD}", "23..{DN}", "23...{}", "1234567890{NNN}"):
        text = rules.replace("{0}", f'{{ pattern = "{pattern}", kind = "price" }}')
        assert error_of(tmp_path, text).startswith(" line 4: barcodes.rules[2].pattern: "), pattern
    missing = rules.replace("{0}", '{ pattern = "22......" }')
    assert error_of(tmp_path, missing) == ' line 4: barcodes.rules[2]: missing required key "kind"'
    extra = rules.replace("{0}", '{ pattern = "22......", kind = "coupon", knd = 1 }')
    assert error_of(tmp_path, extra).startswith(" line 4: barcodes.rules[2].knd: unknown key")
    assert error_of(tmp_path, "[barcodes]\nmax_quantity = 0\n").startswith(
        " line 2: barcodes.max_quantity: expected an integer between 1 and 100000"
    )


def test_database_path_and_url_together(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[database]\npath = "a.db"\nurl = "postgresql://x/y"\n')
    assert message == " line 3: database.url: set either database.path or database.url, not both"


def test_line_numbers_skip_multiline_strings_and_arrays(tmp_path: Path) -> None:
    text = (
        "[store]\n"
        'name = """\n'
        "[printer]\n"
        "width = 12\n"
        '"""\n'
        "address = [\n"
        "  '[drawer]',  # pin = 9\n"
        "]\n"
        "[printer]\n"
        "timeout = 5\n"
        "width = 12\n"
    )
    assert error_of(tmp_path, text).startswith(" line 11: printer.width: expected an integer")


def test_dotted_keys_and_inline_tables_get_lines(tmp_path: Path) -> None:
    text = 'store.name = "x"\nprinter = { width = 42, timeout = 0 }\n'
    assert error_of(tmp_path, text).startswith(" line 2: printer.timeout: expected an integer")
    text = '\nstore.nmae = "x"\n'
    assert error_of(tmp_path, text).startswith(" line 2: store.nmae: unknown key (did you mean")


def test_toml_syntax_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[store]\nname = "x"\nwidth 42\n')
    assert message.startswith(" line 3: invalid TOML syntax: ")
    assert "(column" in message
    message = error_of(tmp_path, "[store]\nname =\n")
    assert message == " line 2: invalid TOML syntax: Invalid value (column 7)"
    message = error_of(tmp_path, '[store]\nname = "x')
    assert message == " line 2: invalid TOML syntax: Unterminated string (at the end of the file)"
    message = error_of(tmp_path, "a = " + "[" * 5000 + "]" * 5000)
    assert message == ": invalid TOML: values are nested too deeply"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[store]\nname = "caf\xe9"\n')
    with pytest.raises(ConfigError, match=r"config\.toml line 2: the file is not valid UTF-8"):
        load_config(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=r"nope\.toml: config file not found"):
        load_config(path)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path)


# --- paths ------------------------------------------------------------------------------


def test_relative_database_path_is_next_to_config(tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    config = load_config(write(folder, '[database]\npath = "data/till.db"\n'))
    assert config.database == DatabaseConfig(path="data/till.db")
    assert database_path(config) == folder / "data" / "till.db"


def test_absolute_and_home_database_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    config = load_config(write(tmp_path, f'[database]\npath = "{tmp_path / "x.db"}"\n'))
    assert database_path(config) == tmp_path / "x.db"
    config = load_config(write(tmp_path, '[database]\npath = "~/shop.db"\n'))
    assert database_path(config) == tmp_path / "home" / "shop.db"


def test_default_database_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert database_path(Config()) == tmp_path / ".local/share/tui-pos/till.db"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert database_path(Config()) == tmp_path / "data/tui-pos/till.db"


def test_database_url_has_no_path() -> None:
    config = dataclasses.replace(Config(), database=DatabaseConfig(url="postgresql://h/db"))
    with pytest.raises(ConfigError, match="database.url"):
        database_path(config)


def test_default_config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TUI_POS_CONFIG", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_config_path() == tmp_path / ".config/tui-pos/config.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert default_config_path() == tmp_path / "xdg/tui-pos/config.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")
    assert default_config_path() == tmp_path / ".config/tui-pos/config.toml"


def test_tui_pos_config_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[store]\nname = "From env"\n', "shop.toml")
    monkeypatch.setenv("TUI_POS_CONFIG", str(path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert default_config_path() == path
    assert load_config(default_config_path()).store.name == "From env"


# --- property tests ---------------------------------------------------------------------

_KEYS = ["store", "tax", "printer", "name", "width", "rate", "code", "rules", "pattern", "kind"]
_VALUES = ['"x"', "42", "true", "[1, 2]", '"20"', '{ pattern = "2.{N}", kind = "price" }']
_LINES = st.one_of(
    st.sampled_from(["[store]", "[[tax]]", "[printer]", "[barcodes]", "[keymap]", "[[x]]"]),
    st.builds(lambda k, v: f"{k} = {v}", st.sampled_from(_KEYS), st.sampled_from(_VALUES)),
    st.text(max_size=20),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(), st.lists(_LINES, max_size=8).map("\n".join)))
def test_any_text_loads_or_raises_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with contextlib.suppress(ConfigError):
        load_config(path)


_BARE = st.from_regex(r"[a-z][a-z0-9_-]{0,5}", fullmatch=True)
_SCALAR = st.one_of(
    st.integers().map(str),
    st.sampled_from(["true", "1.5", "1979-05-27", "'lit'"]),
    st.text(alphabet="ab[]{}=#,.'\\\" \n", max_size=12).map(
        lambda s: '"""' + s.replace('"', "").replace("\\", "") + '"""'
    ),
    st.text(alphabet='ab[]{}=#,." ', max_size=8).map(lambda s: "'" + s + "'"),
)


@settings(max_examples=200)
@given(
    tables=st.lists(
        st.tuples(
            _BARE,
            st.booleans(),
            st.lists(
                st.tuples(_BARE, st.lists(_SCALAR, max_size=3), st.booleans()),
                max_size=4,
                unique_by=lambda kv: kv[0],
            ),
        ),
        max_size=4,
        unique_by=lambda t: t[0],
    )
)
def test_key_lines_finds_every_key(
    tables: list[tuple[str, bool, list[tuple[str, list[str], bool]]]],
) -> None:
    """Render random TOML, note where each key goes, and check the scanner agrees."""
    lines: list[str] = []
    expected: dict[tuple[str | int, ...], int] = {}
    for table, is_array, items in tables:
        for index in range(2 if is_array else 1):
            lines.append(f"[[{table}]]" if is_array else f"[ {table} ]  # header")
            base: tuple[str | int, ...] = (table, index) if is_array else (table,)
            expected[base] = len(lines)
            for key, values, as_array in items:
                expected[base + (key,)] = len(lines) + 1
                if as_array:
                    lines.append(f'"{key}" = [  # {key} = 1')
                    for position, value in enumerate(values):
                        expected[base + (key, position)] = len(lines) + 1
                        lines.extend(f"  {value},".split("\n"))
                    lines.append("]")
                else:
                    value = values[0] if values else "0"
                    lines.extend(f"{key} = {value}".split("\n"))
    text = "\n".join(lines)
    tomllib.loads(text)  # the rendering is valid TOML
    found = key_lines(text)
    for path, line in expected.items():
        assert found[path] == line, (path, text)


def test_parse_config_uses_given_name() -> None:
    with pytest.raises(ConfigError, match=r"^shop\.toml line 1: store: expected a table"):
        parse_config("store = 1", "shop.toml")
    assert parse_config("").taxes == DEFAULT_TAXES


def test_serial_scanner_speed_is_configurable() -> None:
    from tui_pos.config import parse_config

    assert parse_config("[scanner]\nbaudrate = 19200\n").scanner.baudrate == 19200
    with pytest.raises(ConfigError, match="scanner.baudrate"):
        parse_config("[scanner]\nbaudrate = 12\n")
