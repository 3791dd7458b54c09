"""The recovery code: the one way back when the PIN key file is lost.

It is made together with a new database, shown once, and kept only as a hash (SHA-256
is enough: the code is 100 random bits, nothing to guess). With it, ``tui-pos staff
reset-key`` makes a new PIN key; each use replaces it with a new code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: Crockford's base32 letters: no I, L, O or U to misread.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_GROUPS, _GROUP_LEN = 5, 4


def new_recovery_code() -> str:
    """A fresh code like ``7KQ2-M4ZD-0XRT-9B3C-WN6P`` (100 random bits)."""
    chars = [secrets.choice(_ALPHABET) for _ in range(_GROUPS * _GROUP_LEN)]
    groups = ("".join(chars[i : i + _GROUP_LEN]) for i in range(0, len(chars), _GROUP_LEN))
    return "-".join(groups)


def normalise_recovery_code(text: str) -> str:
    """The code as typed, in one form: case, spaces and dashes do not matter."""
    return "".join(c for c in text.upper() if c not in " -\t")


def recovery_hash(code: str) -> str:
    """What the database keeps of a code."""
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def recovery_matches(code: str, stored_hash: str) -> bool:
    """True when ``code`` is the one whose hash is stored (constant-time comparison)."""
    return hmac.compare_digest(recovery_hash(code), stored_hash)
