"""Secrets kept in files beside, never inside, the database: the PIN key and the chain key.

The PIN key (pepper): PIN hashes are keyed with it (see :mod:`tui_pos.domain.pin`), so a
copy of the database alone gives nothing to brute-force. It is made once (0600) and must
be kept with the till: without it no stored PIN matches, and PINs have to be set again
(``tui-pos staff set-pin``).

The chain key (``chain.key``, :mod:`tui_pos.models.chain_store`) keys the hash chain the
same way: without it nobody can rebuild the chain after editing the database.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from tui_pos.services.ports import StorageError

KEY_BYTES = 32


def read_or_create_key(path: Path) -> bytes:
    """The key in ``path``, made (0600, in a 0700 folder) when the file does not exist."""
    return read_key_file(
        path,
        "PIN key",
        create=True,
        recovery="remove it and set every PIN again (tui-pos staff set-pin)",
    )


def read_key_file(path: Path, what: str, *, create: bool, recovery: str) -> bytes:
    """The secret in ``path`` (hex text), made first when ``create`` and it is missing;
    ``recovery`` says what to do when it is damaged (besides restoring it).

    Every secret the till keeps beside its database goes through here: one format, one
    way to make it (owner-only, written through to disk before it is used).
    """
    try:
        if create and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(KEY_BYTES) + "\n")
                out.flush()
                os.fsync(out.fileno())
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
