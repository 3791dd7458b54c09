"""Each config key declared once: :func:`setting` puts a :class:`Key` (help text, bounds,
choices, pattern, or a reader of its own) in a dataclass field's metadata. The reader
(:func:`read_section`), ``config init``'s example file and the docs table
(:mod:`tui_pos.config.example`) are all derived from these declarations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields
from functools import partial
from typing import Any, TypeVar

from tui_pos.config.schema import Table

T = TypeVar("T")


@dataclass(frozen=True)
class Key:
    """How one key is checked and documented."""

    help: str  #: comment lines written above the key by ``config init``, and the docs text
    low: int = 0  #: integers: the smallest allowed (also for each item of an integer array)
    high: int | None = None  #: integers: the largest allowed (None = no limit)
    choices: tuple[str, ...] | tuple[int, ...] = ()  #: the only allowed values
    pattern: str = ""  #: strings: a regular expression the whole value must match
    what: str = ""  #: what ``pattern`` asks for, in words, for the error message
    max_items: int | None = None  #: arrays: the most entries allowed
    read: Callable[[Table], Any] | None = None  #: a reader of its own for unusual keys
    #: the lines ``config init`` writes instead of ``key = default`` (e.g. commented out)
    example: str | None = None
    allowed: str = ""  #: what the docs table says is allowed, when it cannot be derived
    name: str = ""  #: the key's name in the file when it is not the field's (``tax``)
    section: type | None = None  #: for a whole ``[section]``: its dataclass


def setting(default: Any = MISSING, *, factory: Callable[[], Any] | None = None, **key: Any) -> Any:
    """A dataclass field for a config key: its default and its :class:`Key` in one place."""
    metadata = {"key": Key(**key)}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def key_of(item: Field[Any]) -> Key:
    """The :class:`Key` declared for a dataclass field."""
    key = item.metadata.get("key")
    if not isinstance(key, Key):
        raise TypeError(f"config field {item.name} is declared without setting()")
    return key


def default_of(item: Field[Any]) -> Any:
    """The default value of a dataclass field (calling its factory if it has one)."""
    if item.default is not MISSING:
        return item.default
    if item.default_factory is not MISSING:
        return item.default_factory()
    return MISSING


def declared(cls: type) -> list[tuple[str, Field[Any], Key]]:
    """The declared keys of a section: (name in the file, field, key), in file order."""
    found = []
    for item in fields(cls):
        if item.init and "key" in item.metadata:
            key = key_of(item)
            found.append((key.name or item.name, item, key))
    return found


def section_keys(cls: type) -> tuple[str, ...]:
    """The keys a section's table may hold."""
    return tuple(name for name, _, _ in declared(cls))


def read_value(t: Table, item: Field[Any]) -> Any:
    """Read one key of table ``t`` as the field ``item`` declares it."""
    key, default = key_of(item), default_of(item)
    name = key.name or item.name
    if key.read is not None:
        return key.read(t)
    if default is MISSING:
        raise TypeError(f"config field {name} has neither a default nor a reader")
    if isinstance(default, bool):
        return t.boolean(name, default)
    if isinstance(default, int):
        choices = tuple(c for c in key.choices if isinstance(c, int))
        return t.integer(name, default, key.low, key.high, choices)
    if default is None:
        return t.optional_string(name, key.what)
    if isinstance(default, str):
        if key.choices:
            return t.choice(name, default, tuple(str(c) for c in key.choices))
        return t.string(name, default, key.pattern, key.what)
    if isinstance(default, tuple) and all(isinstance(v, int) for v in default) and default:
        return t.integers(name, default, key.low, key.max_items or 1000)
    if isinstance(default, tuple):
        return t.strings(name, default)
    raise TypeError(f"config field {name}: no reader for a default of {type(default).__name__}")


def read_section(t: Table, cls: type[T]) -> T:
    """Read a whole section into its dataclass, every key as declared."""
    values = {item.name: read_value(t, item) for _, item, _ in declared(cls)}
    return cls(**values)


def read_table(top: Table, name: str, cls: type[T]) -> T:
    """Read the section ``[name]`` of the top table (an absent one gives the defaults)."""
    allowed = section_keys(cls) + tuple(getattr(cls, "RETIRED", {}))
    return read_section(
        Table(top.source, (name,), top.data.get(name, {}), allowed, f"[{name}]"), cls
    )


def section(cls: type, name: str, example: str | None = None) -> Any:
    """A :class:`Config` field holding the section ``[name]``, read as ``cls`` declares."""
    return setting(
        factory=cls,
        help=(cls.__doc__ or name).split("\n")[0],
        read=partial(read_table, name=name, cls=cls),
        section=cls,
        example=example,
    )
