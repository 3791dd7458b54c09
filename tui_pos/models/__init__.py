"""Storage: Peewee tables, migrations and the repositories that implement service ports.

Peewee is imported without its probe of the PostgreSQL and MySQL drivers: on import it
tries ``psycopg2``, ``psycopg`` and ``pymysql``, and with the store server's extra
installed loading psycopg alone costs about 0.4 s of every start (more than the rest of
the till's start-up). The till's storage is SQLite only; the store server uses psycopg
directly, which imports normally afterwards.

Peewee itself is loaded when a module first imports it, not by this package: the lean
report start (``tui_pos.lean_report``) reads through the report stores on a plain
``sqlite3`` connection and never loads it (issue 17). A finder placed here hides the
drivers for that one import, wherever it happens.
"""

from __future__ import annotations

import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

_SERVER_DRIVERS = ("psycopg2cffi", "psycopg2", "psycopg", "pymysql", "MySQLdb")


def _hide_server_drivers(run: Any, module: ModuleType) -> None:
    """Run Peewee's module code with the server drivers' imports failing fast."""
    hidden = [name for name in _SERVER_DRIVERS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "import name" fails fast
    try:
        run(module)
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


class _PeeweeForSqlite:
    """A ``sys.meta_path`` finder: ``peewee`` found as the path finder finds it, with a
    loader that hides the drivers (importlib.abc is not imported: it loads
    importlib.resources)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "peewee":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        found = spec.loader if spec is not None else None
        if spec is None or found is None or not hasattr(found, "exec_module"):
            return spec
        loader: Any = found

        class _Loader:
            def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
                created: ModuleType | None = loader.create_module(spec)
                return created

            def exec_module(self, module: ModuleType) -> None:
                _hide_server_drivers(loader.exec_module, module)

        spec.loader = _Loader()  # type: ignore[assignment]  # a Loader by protocol
        return spec


if "peewee" not in sys.modules and not any(isinstance(f, _PeeweeForSqlite) for f in sys.meta_path):
    sys.meta_path.insert(0, _PeeweeForSqlite())
