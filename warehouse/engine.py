"""The warehouse's engine for a URL, shared by the process, with its schema in place at this Harbour's revision
(warehouse.migrate); engines themselves are made in warehouse.connect."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine, inspect

from harbour.warehouse import migrate
from harbour.warehouse.connect import _sqlite_real_transactions, locked_transaction, make_engine  # noqa: F401 - their home
from harbour.warehouse.schema import metadata


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One shared engine per URL for the life of the process, with the schema in place."""
    engine = make_engine(url)
    ensure_schema(engine)
    return engine


def ensure_schema(engine: Engine, schema=None, metadata_of=None) -> None:
    """A new warehouse gets its tables at this Harbour's schema revision (made under the write lock, so that two
    processes starting on one new warehouse at once make them once); any other must be at that revision, or
    warehouse.migrate.NotCurrent says what to run. A current warehouse is only read (it may be read-only).
    ``schema`` and ``metadata_of``: another database Harbour versions (a hub's: migrate.HUB, hub.schema.metadata)."""

    schema = schema or migrate.WAREHOUSE
    tables = metadata_of if metadata_of is not None else metadata
    kind, _ = migrate.state(engine, schema)
    if kind != "empty":
        migrate.check(engine, schema)
        return
    with locked_transaction(engine) as conn:
        if schema.version_table in inspect(conn).get_table_names():
            return  # another process made it while this one waited
        tables.create_all(conn)
        migrate.stamp_new(conn, schema)


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("child_facts")
