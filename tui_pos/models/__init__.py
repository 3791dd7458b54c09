"""Storage: Peewee tables, migrations and the repositories that implement service ports.

Peewee is imported here, before any table module, without its probe of the PostgreSQL
and MySQL drivers: on import it tries ``psycopg2``, ``psycopg`` and ``pymysql``, and with
the store server's extra installed loading psycopg alone costs about 0.4 s of every
start (more than the rest of the till's start-up). The till's storage is SQLite only;
the store server uses psycopg directly, which imports normally afterwards.
"""

import sys

_SERVER_DRIVERS = ("psycopg2cffi", "psycopg2", "psycopg", "pymysql", "MySQLdb")


def _import_peewee_for_sqlite() -> None:
    if "peewee" in sys.modules:
        return
    hidden = [name for name in _SERVER_DRIVERS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "import name" fails fast
    try:
        import peewee  # noqa: F401
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


_import_peewee_for_sqlite()
