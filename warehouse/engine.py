"""An engine from a URL, with real transactions and foreign keys on SQLite."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

import settings
from warehouse.schema import metadata


def _sqlite_real_transactions(engine: Engine, begin: str = "BEGIN") -> None:
    # pysqlite's own transaction handling begins late and commits DDL implicitly; SQLAlchemy's
    # documented recipe hands BEGIN to SQLAlchemy so that a load is one real transaction.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - driver hook
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # pragma: no cover - driver hook
        conn.exec_driver_sql(begin)


def make_engine(url: str, immediate: bool = False) -> Engine:
    """A new engine for ``url``; creates a SQLite file's folder when needed. ``immediate``: on SQLite every
    transaction takes the write lock as it begins (BEGIN IMMEDIATE), for a database whose every transaction writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)  # (a file: URI names its own)
        # A locked SQLite file is waited for, for a bounded time, before the error reaches the user.
        engine = create_engine(url, hide_parameters=True,
                               connect_args={"timeout": settings.lock_timeout_seconds()})
        _sqlite_real_transactions(engine, "BEGIN IMMEDIATE" if immediate else "BEGIN")
        return engine
    # hide_parameters: an error never carries the row it failed on (pseudonyms, dates) into a message.
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One shared engine per URL for the life of the process, with the schema in place."""
    engine = make_engine(url)
    ensure_schema(engine)
    return engine


SCHEMA_LOCK = 0x4861726227  # PostgreSQL's advisory lock while tables are made (two processes starting at once)


def ensure_schema(engine: Engine) -> None:
    """The warehouse's tables, made where missing, under the database's write lock: two processes that start on
    one new warehouse at once (two loads, a load and a server) make them once, and neither fails half-way. A
    warehouse that has them all is only read (it may be read-only)."""
    if set(metadata.tables) <= set(inspect(engine).get_table_names()):
        return
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        locked = make_engine(engine.url.render_as_string(hide_password=False), immediate=True)
        try:
            with locked.begin() as conn:
                metadata.create_all(conn)
        finally:
            locked.dispose()
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
        metadata.create_all(conn)


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("child_facts")
