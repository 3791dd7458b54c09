"""Secrets kept in files beside, never inside, the database: the PIN key and the chain key.

The PIN key (pepper): PIN hashes are keyed with it (see :mod:`tui_pos.domain.pin`), so a
copy of the database alone gives nothing to brute-force. It is made (0600) only while no
PIN depends on it, a database without employees (:mod:`tui_pos.models.pin_recovery`),
and must be kept with the till: without it no stored PIN matches, so a missing key is
refused, never silently replaced; the way back is ``tui-pos staff reset-key`` with the
database's recovery code.

The chain key (``chain.key``, :mod:`tui_pos.models.chain_store`) keys the hash chain the
same way: without it nobody can rebuild the chain after editing the database.
"""

from __future__ import annotations

import os
import secrets
from contextlib import suppress
from pathlib import Path

from tui_pos.domain.errors import StorageError

KEY_BYTES = 32

#: How to get back a lost or damaged PIN key (shown in the refusal).
RECOVERY_HINT = (
    "put back the copy you keep, or make a new key with "
    "'tui-pos staff reset-key --recovery-code CODE' (the code shown when the database "
    "was made); every PIN must then be set again"
)


class PinKeyMissing(StorageError):
    """The database has employees but its PIN key file is gone."""


def read_or_create_key(path: Path, *, create: bool = True) -> bytes:
    """The PIN key in ``path``; made (0600, in a 0700 folder) when the file does not exist
    and ``create`` is set, else a missing file is :class:`PinKeyMissing`."""
    if not create and not path.exists():
        raise PinKeyMissing(f"The PIN key {path} is missing: {RECOVERY_HINT}")
    return read_key_file(path, "PIN key", create=create, recovery=RECOVERY_HINT)


def read_key_file(path: Path, what: str, *, create: bool, recovery: str) -> bytes:
    """The secret in ``path`` (hex text), made first when ``create`` and it is missing;
    ``recovery`` says what to do when it is damaged (besides restoring it).

    Every secret the till keeps beside its database goes through here: one format, one
    way to make it (owner-only, written through to disk before it is used).
    """
    try:
        if create and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with suppress(FileExistsError):  # another process made it first: read theirs
                _write_new(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        text = path.read_text().strip()
    except OSError as exc:
        raise StorageError(f"The {what} {path} cannot be read or made: {exc.strerror}") from exc
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise StorageError(f"The {what} {path} is damaged: restore it, or {recovery}")
    return key


def replace_key(path: Path, key: bytes | None = None) -> bytes:
    """A new PIN key (``key``, else a random one) in ``path`` in place of whatever is
    there (written aside, then renamed: a crash leaves the old file or the new one, never
    half of one)."""
    aside = path.with_name(path.name + ".new")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        aside.unlink(missing_ok=True)
        _write_new(aside, os.O_CREAT | os.O_EXCL | os.O_WRONLY, key)
        os.replace(aside, path)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as exc:
        raise StorageError(f"The PIN key {path} cannot be written: {exc.strerror}") from exc
    return read_or_create_key(path, create=False)


def _write_new(path: Path, flags: int, key: bytes | None = None) -> None:
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write((key.hex() if key else secrets.token_hex(KEY_BYTES)) + "\n")
        out.flush()
        os.fsync(out.fileno())
