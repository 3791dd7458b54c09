"""Helpers for reading ``config.toml``: finding line numbers and checking values.

``tomllib`` gives plain dicts without positions, so :func:`key_lines` scans the raw
text once to learn on which line each key, table header and array element starts.
:class:`Table` reads one TOML table, checks every value's type and range, and raises
:class:`ConfigError` messages of the form ``file line N: dotted.key: what is wrong``.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tui_pos.domain.errors import ConfigError

KeyPath = tuple[str | int, ...]
"""Where a value sits in the document: table names, keys and (0-based) array indexes."""

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_RATE = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?")
_BARCODE_PATTERN = re.compile(r"[0-9.]*(?:\{(N*D*)\})?[0-9.]*")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPES.update({chr(c): f"\\u{c:04X}" for c in [*range(32), 127] if chr(c) not in _ESCAPES})


def format_path(path: KeyPath) -> str:
    """Render a key path for people: ``printer.width``, ``tax[2].rate`` (entries count from 1)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
            continue
        name = part if _BARE_KEY.fullmatch(part) else describe(part)
        text += f".{name}" if text else name
    return text


def describe(value: object) -> str:
    """Show a parsed TOML value the way it would be written in the file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return '"' + "".join(_ESCAPES.get(c, c) for c in shown) + '"'
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a date/time ({value})"


def parse_rate(text: str) -> int:
    """Parse a tax percentage string (``"20"``, ``"5.5"``, ``"7.25"``) to basis points.

    Raises ``ValueError`` when it is not a number from 0 to 100 with at most 2 decimals.
    """
    match = _RATE.fullmatch(text.strip())
    if match is None or len(match.group(1).lstrip("0")) > 3:
        raise ValueError(f"not a number from 0 to 100 with at most 2 decimals: {text!r}")
    basis_points = int(match.group(1)) * 100 + int((match.group(2) or "").ljust(2, "0"))
    if basis_points > 10_000:
        raise ValueError(f"more than 100 percent: {text!r}")
    return basis_points


def barcode_pattern_problem(pattern: str) -> str | None:
    """Say what is wrong with an in-store barcode pattern, or return None if it is usable."""
    match = _BARCODE_PATTERN.fullmatch(pattern)
    if not pattern:
        return "the pattern is empty"
    if match is None:
        return (
            'use only digits, "." (any digit) and at most one group of N then D letters'
            ' in braces, like "23.....{NNNDD}"'
        )
    if match.group(1) == "":
        return "the {...} group is empty; write N and/or D letters in it, like {NNNDD}"
    length = len(pattern.replace("{", "").replace("}", ""))
    if length > 12:
        return f"the pattern is {length} characters long (counting the group letters); max 12"
    return None


def _skip_string(line: str, pos: int, quote: str) -> int:
    """Return the index just past the one-line string starting at ``pos``."""
    pos += 1
    while pos < len(line):
        char = line[pos]
        if char == "\\" and quote == '"':
            pos += 2
            continue
        pos += 1
        if char == quote:
            break
    return pos


def _unquote(quoted: str) -> str:
    """The name a quoted key stands for, with escapes like ``\\u0041`` decoded."""
    try:
        return str(tomllib.loads(f"k = {quoted}")["k"])
    except tomllib.TOMLDecodeError:
        return quoted[1:-1]


def _parse_key(line: str, pos: int) -> tuple[list[str], int] | None:
    """Parse a (dotted) key at ``pos``; return its parts and the index after it."""
    parts: list[str] = []
    while True:
        while pos < len(line) and line[pos] in " \t":
            pos += 1
        if pos >= len(line):
            return None
        if line[pos] in "\"'":
            end = _skip_string(line, pos, line[pos])
            parts.append(_unquote(line[pos:end]))
            pos = end
        else:
            match = _BARE_KEY.match(line, pos)
            if match is None:
                return None
            parts.append(match.group())
            pos = match.end()
        while pos < len(line) and line[pos] in " \t":
            pos += 1
        if pos < len(line) and line[pos] == ".":
            pos += 1
            continue
        return parts, pos


def _concrete(parts: Iterable[str], arrays: dict[KeyPath, int]) -> KeyPath:
    """Turn a header's names into a key path, entering the latest element of arrays of tables."""
    path: KeyPath = ()
    for part in parts:
        path += (part,)
        if path in arrays:
            path += (arrays[path] - 1,)
    return path


class _Scanner:
    """Walks a valid TOML text line by line, recording the line where each path starts."""

    def __init__(self) -> None:
        self.lines: dict[KeyPath, int] = {}
        self.arrays: dict[KeyPath, int] = {}
        self.table: KeyPath = ()
        # Open [ and { of a value spanning lines: (path, is_array, element index, expecting).
        self.stack: list[list[Any]] = []
        self.open_string: str | None = None  # the quotes of an unfinished multi-line string
        self.value_path: KeyPath = ()

    def record(self, path: KeyPath, lineno: int) -> None:
        self.lines[path] = lineno
        for end in range(1, len(path)):
            self.lines.setdefault(path[:end], lineno)

    def statement(self, line: str, lineno: int) -> None:
        pos = len(line) - len(line.lstrip(" \t"))
        if pos >= len(line) or line[pos] == "#":
            return
        if line[pos] == "[":
            is_array = line.startswith("[[", pos)
            parsed = _parse_key(line, pos + (2 if is_array else 1))
            if parsed is None:
                return
            names = parsed[0]
            if is_array:
                base = _concrete(names[:-1], self.arrays) + (names[-1],)
                self.arrays[base] = self.arrays.get(base, 0) + 1
                self.table = base + (self.arrays[base] - 1,)
            else:
                self.table = _concrete(names, self.arrays)
            self.record(self.table, lineno)
            return
        self.value(line, self.key(line, pos, lineno, self.table), lineno)

    def key(self, line: str, pos: int, lineno: int, table: KeyPath) -> int:
        """Record the key at ``pos`` (inside ``table``); return the index after its ``=``."""
        parsed = _parse_key(line, pos)
        if parsed is None:
            return len(line)
        parts, pos = parsed
        self.value_path = table + tuple(parts)
        self.record(self.value_path, lineno)
        return pos + 1 if line.startswith("=", pos) else pos

    def value(self, line: str, pos: int, lineno: int) -> int:
        """Consume value characters from ``pos`` to the end of the line (or of the value)."""
        while pos < len(line):
            if self.open_string is not None:
                pos = self.close_string(line, pos)
                continue
            char = line[pos]
            frame = self.stack[-1] if self.stack else None
            if char in " \t\r":
                pos += 1
            elif char == "#":
                return len(line)
            elif frame is not None and char == ",":
                frame[2] += 1
                frame[3] = True
                pos += 1
            elif frame is not None and char in "]}":
                self.stack.pop()
                pos += 1
                if not self.stack:
                    return pos
            elif frame is not None and frame[3] and not frame[1]:
                frame[3] = False
                pos = self.key(line, pos, lineno, frame[0])
            else:
                if frame is not None and frame[3]:
                    frame[3] = False
                    self.value_path = frame[0] + (frame[2],)
                    self.record(self.value_path, lineno)
                pos = self.scalar_or_open(line, pos)
                if not self.stack and self.open_string is None:
                    return len(line)
        return pos

    def scalar_or_open(self, line: str, pos: int) -> int:
        char = line[pos]
        if char in "[{":
            self.stack.append([self.value_path, char == "[", 0, True])
            return pos + 1
        if char in "\"'":
            if line.startswith(char * 3, pos):
                self.open_string = char * 3
                return pos + 3
            return _skip_string(line, pos, char)
        while pos < len(line) and line[pos] not in " \t,]}#":
            pos += 1
        return pos

    def close_string(self, line: str, pos: int) -> int:
        delimiter = self.open_string or '"""'
        while pos < len(line):
            if line[pos] == "\\" and delimiter == '"""':
                pos += 2
            elif line.startswith(delimiter, pos):
                pos += 3
                while pos < len(line) and line[pos] == delimiter[0]:
                    pos += 1
                self.open_string = None
                return pos
            else:
                pos += 1
        return pos

    def scan(self, text: str) -> dict[KeyPath, int]:
        for lineno, line in enumerate(text.split("\n"), start=1):
            if self.stack or self.open_string is not None:
                self.value(line, 0, lineno)
            else:
                self.statement(line, lineno)
        return self.lines


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map each key path of a valid TOML document to the 1-based line that defines it."""
    return _Scanner().scan(text)


class Source:
    """A config file being read: its name (for messages) and, lazily, its key lines."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self._text = text
        self._lines: dict[KeyPath, int] | None = None

    def line_of(self, path: KeyPath) -> int:
        """The line of ``path``, else of its nearest enclosing table or key, else 1."""
        if self._lines is None:
            self._lines = key_lines(self._text)
        for end in range(len(path), 0, -1):
            if path[:end] in self._lines:
                return self._lines[path[:end]]
        return 1

    def error(self, path: KeyPath, message: str) -> ConfigError:
        """Build the error to raise for the value at ``path``."""
        return ConfigError(f"{self.name} line {self.line_of(path)}: {format_path(path)}: {message}")


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


class Table:
    """One TOML table of the config, checked for unknown keys, with typed getters.

    Each getter returns the default when the key is absent; a default of None means
    the key is required.
    """

    def __init__(
        self, source: Source, path: KeyPath, data: object, allowed: Sequence[str] | None, hint: str
    ) -> None:
        if not isinstance(data, dict):
            raise source.error(path, f"expected a table ({hint}), got {describe(data)}")
        self.source, self.path, self.data = source, path, data
        for key in data:
            if allowed is not None and key not in allowed:
                known = suggest(key, allowed) or " (known keys: " + ", ".join(allowed) + ")"
                raise self.error(key, "unknown key" + known)

    def error(self, key: str | int, message: str) -> ConfigError:
        """Build the error to raise for ``key`` of this table."""
        return self.source.error(self.path + (key,), message)

    def missing(self, key: str) -> ConfigError:
        """Build the error for a required ``key`` that is absent (at the table's line)."""
        return self.source.error(self.path, f'missing required key "{key}"')

    def _get(self, key: str, default: object, expected: str, ok: Callable[[Any], bool]) -> Any:
        if key not in self.data:
            if default is None:
                raise self.missing(key)
            return default
        value = self.data[key]
        if not ok(value):
            raise self.error(key, f"expected {expected}, got {describe(value)}")
        return value

    def string(self, key: str, default: str | None, pattern: str = "", what: str = "") -> str:
        """A string, optionally matching ``pattern`` (``what`` then describes it)."""
        expected = what or "a string"
        return str(
            self._get(
                key,
                default,
                expected,
                lambda v: isinstance(v, str) and (not pattern or bool(re.fullmatch(pattern, v))),
            )
        )

    def optional_string(self, key: str, what: str) -> str | None:
        """A non-empty string, or None when the key is absent."""
        if key not in self.data:
            return None
        return self.string(key, None, r"(?s).+", what)

    def choice(self, key: str, default: str | None, choices: Sequence[str]) -> str:
        """One of a few allowed strings."""
        value = self.string(key, default)
        if value not in choices:
            listed = ", ".join(f'"{c}"' for c in choices)
            message = f"expected one of {listed}, got {describe(value)}"
            raise self.error(key, message + suggest(value, choices))
        return value

    def boolean(self, key: str, default: bool) -> bool:
        """``true`` or ``false``."""
        return bool(self._get(key, default, "true or false", lambda v: isinstance(v, bool)))

    def integer(
        self,
        key: str,
        default: int,
        low: int = 0,
        high: int | None = None,
        choices: Sequence[int] = (),
    ) -> int:
        """An integer (not a boolean) from ``low`` to ``high``, or one of ``choices``."""
        if choices:
            expected = "one of " + ", ".join(str(c) for c in choices)
        elif high is None:
            expected = f"an integer of at least {low}"
        else:
            expected = f"an integer between {low} and {high}"
        return int(self._get(key, default, expected, lambda v: _int_ok(v, low, high, choices)))

    def array(self, key: str, max_items: int | None = None) -> list[Any] | None:
        """An array (its items unchecked), or None when absent."""
        if key not in self.data:
            return None
        value = self.data[key]
        if not isinstance(value, list):
            raise self.error(key, f"expected an array, got {describe(value)}")
        if max_items is not None and len(value) > max_items:
            raise self.error(key, f"expected at most {max_items} entries, got {len(value)}")
        return value

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """An array of strings."""
        items = self.array(key)
        if items is None:
            return default
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise self.source.error(
                    self.path + (key, index), f"expected a string, got {describe(item)}"
                )
        return tuple(items)

    def integers(
        self, key: str, default: tuple[int, ...], low: int, max_items: int
    ) -> tuple[int, ...]:
        """An array of at most ``max_items`` integers, each at least ``low``."""
        items = self.array(key, max_items)
        if items is None:
            return default
        for index, item in enumerate(items):
            if not _int_ok(item, low, None, ()):
                message = f"expected an integer of at least {low}, got {describe(item)}"
                raise self.source.error(self.path + (key, index), message)
        return tuple(items)


def _int_ok(value: object, low: int, high: int | None, choices: Sequence[int]) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    if choices:
        return value in choices
    return value >= low and (high is None or value <= high)
