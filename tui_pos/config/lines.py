"""Where each key of a config file sits: ``tomllib`` gives plain dicts without positions,
so :func:`key_lines` scans the raw text once to learn on which line each key, table header
and array element starts (for error messages that name the line)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from typing import Any

KeyPath = tuple[str | int, ...]
"""Where a value sits in the document: table names, keys and (0-based) array indexes."""

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


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
