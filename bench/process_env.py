"""The environment the whole-process benches run their programs in (app and floor alike)."""

from __future__ import annotations

import os
from pathlib import Path


def bench_env(folder: Path) -> dict[str, str]:
    """This process's environment for a child: the default config (not the user's) and the
    bytecode cache on, as on a till. ``PYTHONDONTWRITEBYTECODE`` in the caller's environment
    would make every start compile its modules from source, which a till never does (the
    side that loads more modules would pay it twice). Every bench runs each program once
    untimed first, which writes the cache."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TUI_POS_CONFIG", "PYTHONDONTWRITEBYTECODE")
    }
    env["XDG_CONFIG_HOME"] = str(folder / "config")
    return env
