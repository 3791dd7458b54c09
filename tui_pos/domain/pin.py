"""PINs: checked for shape, stored as salted scrypt hashes keyed with a pepper.

A 4-8 digit PIN has at most 10^8 values, so a salted hash alone does not stop someone with
a copy of the database from trying them all. The pepper is a secret kept outside the
database (a key file): the hash is scrypt over HMAC-SHA256(pepper, PIN), so a stolen
database without the key file gives nothing to try against. Repeated failures lock the
account (see :mod:`tui_pos.services.staff`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from tui_pos.domain.staff import StaffError

MIN_PIN_DIGITS = 4
MAX_PIN_DIGITS = 8


@dataclass(frozen=True)
class ScryptCost:
    """scrypt parameters; the default takes about 40 ms and 16 MiB per check."""

    n: int = 2**14
    r: int = 8
    p: int = 1


#: The production cost.
DEFAULT_COST = ScryptCost()


def check_pin_shape(pin: str) -> str:
    """A PIN is 4 to 8 digits, not all the same digit and not a plain run like 1234."""
    if not pin.isascii() or not pin.isdigit() or not MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS:
        raise StaffError(f"A PIN is {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise StaffError("This PIN is too easy to guess: choose another")
    return pin


def hash_pin(pin: str, pepper: bytes, cost: ScryptCost = DEFAULT_COST) -> str:
    """The stored form: ``scrypt$n$r$p$salt$hash`` (hex)."""
    salt = os.urandom(16)
    digest = _derive(pin, pepper, salt, cost)
    return f"scrypt${cost.n}${cost.r}${cost.p}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str, pepper: bytes) -> bool:
    """True when ``pin`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        cost = ScryptCost(int(n), int(r), int(p))
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        return False
    return hmac.compare_digest(_derive(pin, pepper, salt, cost), expected)


def _derive(pin: str, pepper: bytes, salt: bytes, cost: ScryptCost) -> bytes:
    keyed = hmac.new(pepper, pin.encode(), hashlib.sha256).digest()
    return hashlib.scrypt(
        keyed, salt=salt, n=cost.n, r=cost.r, p=cost.p, maxmem=64 * 2**20, dklen=32
    )
