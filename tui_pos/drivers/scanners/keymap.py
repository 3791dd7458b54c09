"""Turning evdev key events from a HID-keyboard barcode scanner into codes (US layout).

evdev reports *key positions*, not characters, so the text depends on the layout the
scanner is set to. Scanners must be set to "US keyboard"; this module holds that table,
plus the keypad keys some scanners use for digits.

``EvdevKeyDecoder`` is pure: it takes any object with ``.type``, ``.code`` and ``.value``
(``evdev.InputEvent`` has them) and needs no device, so tests feed it synthetic events.
``key_events_for`` does the reverse: real ``evdev.InputEvent`` objects for a string.
"""

from __future__ import annotations

import logging
import string
from typing import Protocol

from evdev import InputEvent, ecodes

logger = logging.getLogger(__name__)

#: Main-block keys of a US keyboard: key code -> (character, character with Shift).
US_KEYS: dict[int, tuple[str, str]] = {
    ecodes.KEY_1: ("1", "!"),
    ecodes.KEY_2: ("2", "@"),
    ecodes.KEY_3: ("3", "#"),
    ecodes.KEY_4: ("4", "$"),
    ecodes.KEY_5: ("5", "%"),
    ecodes.KEY_6: ("6", "^"),
    ecodes.KEY_7: ("7", "&"),
    ecodes.KEY_8: ("8", "*"),
    ecodes.KEY_9: ("9", "("),
    ecodes.KEY_0: ("0", ")"),
    ecodes.KEY_MINUS: ("-", "_"),
    ecodes.KEY_EQUAL: ("=", "+"),
    ecodes.KEY_LEFTBRACE: ("[", "{"),
    ecodes.KEY_RIGHTBRACE: ("]", "}"),
    ecodes.KEY_SEMICOLON: (";", ":"),
    ecodes.KEY_APOSTROPHE: ("'", '"'),
    ecodes.KEY_GRAVE: ("`", "~"),
    ecodes.KEY_BACKSLASH: ("\\", "|"),
    ecodes.KEY_COMMA: (",", "<"),
    ecodes.KEY_DOT: (".", ">"),
    ecodes.KEY_SLASH: ("/", "?"),
    ecodes.KEY_SPACE: (" ", " "),
    **{ecodes.ecodes[f"KEY_{c.upper()}"]: (c, c.upper()) for c in string.ascii_lowercase},
}

#: Keypad keys (Num Lock assumed on, Shift ignored): key code -> character.
KEYPAD_KEYS: dict[int, str] = {
    **{ecodes.ecodes[f"KEY_KP{d}"]: d for d in string.digits},
    ecodes.KEY_KPMINUS: "-",
    ecodes.KEY_KPPLUS: "+",
    ecodes.KEY_KPDOT: ".",
    ecodes.KEY_KPASTERISK: "*",
    ecodes.KEY_KPSLASH: "/",
    ecodes.KEY_KPEQUAL: "=",
    ecodes.KEY_KPCOMMA: ",",
}

SHIFT_KEYS = frozenset({ecodes.KEY_LEFTSHIFT, ecodes.KEY_RIGHTSHIFT})
CTRL_KEYS = frozenset({ecodes.KEY_LEFTCTRL, ecodes.KEY_RIGHTCTRL})
ALT_KEYS = frozenset({ecodes.KEY_LEFTALT, ecodes.KEY_RIGHTALT})
ENTER_KEYS = frozenset({ecodes.KEY_ENTER, ecodes.KEY_KPENTER})

KEY_UP, KEY_DOWN, KEY_REPEAT = 0, 1, 2

DEFAULT_MAX_LENGTH = 64


class KeyEventLike(Protocol):
    """What the decoder reads from an event (``evdev.InputEvent`` fits)."""

    @property
    def type(self) -> int:
        """Event type, ``ecodes.EV_KEY`` for keys."""
        ...

    @property
    def code(self) -> int:
        """Key code, e.g. ``ecodes.KEY_4``."""
        ...

    @property
    def value(self) -> int:
        """0 key up, 1 key down, 2 autorepeat."""
        ...


class EvdevKeyDecoder:
    """Collects key presses until Enter (or keypad Enter, or Tab if asked) ends a code.

    - Only key-down events add characters; autorepeat is ignored, key-up only releases
      modifiers. Non-key events (``EV_SYN``, ``EV_MSC``) are ignored.
    - Shift gives upper case and the shifted symbols; Caps Lock toggles upper case for
      letters only (scanners rarely send it, but a stray one must not corrupt codes).
    - Ctrl+M and Ctrl+J also end a code (scanners with "control character" output send
      CR that way), Ctrl+I does when Tab does, Ctrl+] (GS, the GS1 FNC1 separator) adds
      ``fnc1`` (dropped by default). Other keys with Ctrl or Alt held are ignored.
    - A code longer than ``max_length`` is garbage (a stuck key, a wrong device): it is
      dropped whole, up to its terminator. Empty and blank codes are ignored.
    """

    def __init__(
        self,
        *,
        tab_terminates: bool = False,
        max_length: int = DEFAULT_MAX_LENGTH,
        fnc1: str = "",
    ) -> None:
        if max_length < 1:
            raise ValueError("max_length must be at least 1")
        self.tab_terminates = tab_terminates
        self.max_length = max_length
        self.fnc1 = fnc1
        self.caps_lock = False
        self._held: set[int] = set()
        self._chars: list[str] = []
        self._overflow = False

    @property
    def pending(self) -> str:
        """The characters of the code being read (no terminator seen yet)."""
        return "".join(self._chars)

    def reset(self) -> None:
        """Forget the partial code and all modifier state (e.g. after a reconnect)."""
        self.caps_lock = False
        self._held.clear()
        self._chars.clear()
        self._overflow = False

    def feed(self, event: KeyEventLike) -> str | None:
        """Take one event; return the complete code when this event ends one."""
        if event.type != ecodes.EV_KEY:
            return None
        code, value = event.code, event.value
        if code in SHIFT_KEYS or code in CTRL_KEYS or code in ALT_KEYS:
            if value == KEY_DOWN:
                self._held.add(code)
            elif value == KEY_UP:
                self._held.discard(code)
            return None
        if value != KEY_DOWN:
            return None
        if code == ecodes.KEY_CAPSLOCK:
            self.caps_lock = not self.caps_lock
            return None
        if code in ENTER_KEYS or (self.tab_terminates and code == ecodes.KEY_TAB):
            return self._finish()
        if self._held & CTRL_KEYS:
            return self._control(code)
        if self._held & ALT_KEYS:
            return None
        char = self._char(code)
        if char is not None:
            self._append(char)
        return None

    def _control(self, code: int) -> str | None:
        if code in (ecodes.KEY_M, ecodes.KEY_J) or (self.tab_terminates and code == ecodes.KEY_I):
            return self._finish()
        if code == ecodes.KEY_RIGHTBRACE and self.fnc1:
            self._append(self.fnc1)
        return None

    def _char(self, code: int) -> str | None:
        keypad = KEYPAD_KEYS.get(code)
        if keypad is not None:
            return keypad
        pair = US_KEYS.get(code)
        if pair is None:
            return None
        normal, shifted = pair
        upper = bool(self._held & SHIFT_KEYS)
        if self.caps_lock and normal.isalpha():
            upper = not upper
        return shifted if upper else normal

    def _append(self, text: str) -> None:
        if self._overflow:
            return
        if len(self._chars) + len(text) > self.max_length:
            self._overflow = True
            self._chars.clear()
            return
        self._chars.extend(text)

    def _finish(self) -> str | None:
        code = "".join(self._chars)
        overflowed = self._overflow
        self._chars.clear()
        self._overflow = False
        if overflowed:
            logger.warning("scanner sent more than %d characters: discarded", self.max_length)
            return None
        return code if code.strip() else None


#: What ``key_events_for`` can end a code with.
TERMINATOR_KEYS: dict[str, int | None] = {
    "enter": ecodes.KEY_ENTER,
    "kpenter": ecodes.KEY_KPENTER,
    "tab": ecodes.KEY_TAB,
    "none": None,
}

_STROKES: dict[str, tuple[int, bool]] = {}
for _code, (_normal, _shifted) in US_KEYS.items():
    _STROKES.setdefault(_normal, (_code, False))
    _STROKES.setdefault(_shifted, (_code, True))


def key_events_for(text: str, terminator: str = "enter") -> list[InputEvent]:
    """The events a US-layout scanner sends for ``text`` followed by ``terminator``.

    ``terminator`` is "enter", "kpenter", "tab" or "none". Upper case and shifted symbols
    get a Shift press and release around them; every key event is followed by a
    ``SYN_REPORT`` as from a real device. Raises ValueError for a character that has no
    key on a US keyboard (anything outside printable ASCII).
    """
    if terminator not in TERMINATOR_KEYS:
        raise ValueError(f"unknown terminator {terminator!r}: use one of {sorted(TERMINATOR_KEYS)}")
    events: list[InputEvent] = []
    clock = 0

    def emit(code: int, value: int) -> None:
        nonlocal clock
        sec, usec = divmod(clock, 1_000_000)
        events.append(InputEvent(sec, usec, ecodes.EV_KEY, code, value))
        events.append(InputEvent(sec, usec, ecodes.EV_SYN, ecodes.SYN_REPORT, 0))
        clock += 2_000  # 2 ms per key event: a fast scanner

    for char in text:
        stroke = _STROKES.get(char)
        if stroke is None:
            raise ValueError(f"no key on a US keyboard types {char!r}")
        code, shifted = stroke
        if shifted:
            emit(ecodes.KEY_LEFTSHIFT, KEY_DOWN)
        emit(code, KEY_DOWN)
        emit(code, KEY_UP)
        if shifted:
            emit(ecodes.KEY_LEFTSHIFT, KEY_UP)
    end = TERMINATOR_KEYS[terminator]
    if end is not None:
        emit(end, KEY_DOWN)
        emit(end, KEY_UP)
    return events
