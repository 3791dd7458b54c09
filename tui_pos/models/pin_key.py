"""The PIN key (pepper): a random secret kept in a file beside, never inside, the database.

PIN hashes are keyed with it (see :mod:`tui_pos.domain.pin`), so a copy of the database
alone gives nothing to brute-force. It is made once (0600) and must be kept with the
till: without it no stored PIN matches, and PINs have to be set again
(``tui-pos staff set-pin``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from tui_pos.services.ports import StorageError

KEY_BYTES = 32


def read_or_create_key(path: Path) -> bytes:
    """The key in ``path``, made (0600, in a 0700 folder) when the file does not exist."""
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(KEY_BYTES) + "\n")
                out.flush()
                os.fsync(out.fileno())
        text = path.read_text().strip()
    except OSError as exc:
        raise StorageError(f"The PIN key {path} cannot be read or made: {exc.strerror}") from exc
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise StorageError(
            f"The PIN key {path} is damaged: restore it, or remove it and set "
            "every PIN again (tui-pos staff set-pin)"
        )
    return key
