"""Storage: Peewee tables, migrations and the repositories that implement service ports."""
