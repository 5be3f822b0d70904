"""Engines from URLs: real transactions and foreign keys on SQLite, a bounded wait for a locked file, and the
warehouse's write lock for a transaction that checks before it writes. The bottom of warehouse/."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from harbour import settings


def _sqlite_real_transactions(engine: Engine, begin: str = "BEGIN") -> None:
    # pysqlite's own transaction handling begins late and commits DDL implicitly; SQLAlchemy's
    # documented recipe hands BEGIN to SQLAlchemy so that a load is one real transaction.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - driver hook
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except Exception:  # noqa: BLE001 - opened read-only (immutable): nothing is written, no journal needed
            pass
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
            path = Path(parsed.database)
            if path.is_file() and not os.access(path.parent, os.W_OK):
                # A folder this process cannot write: WAL would need its -shm file there, so SQLite is told the
                # file cannot change under it (immutable), and every reading command still answers.
                url = f"sqlite:///file:{path.resolve()}?mode=ro&immutable=1&uri=true"
            else:
                path.parent.mkdir(parents=True, exist_ok=True)  # (a file: URI names its own)
        # A locked SQLite file is waited for, for a bounded time, before the error reaches the user.
        engine = create_engine(url, hide_parameters=True, connect_args={"timeout": settings.lock_timeout_seconds()})
        _sqlite_real_transactions(engine, "BEGIN IMMEDIATE" if immediate else "BEGIN")
        return engine
    # hide_parameters: an error never carries the row it failed on (pseudonyms, dates) into a message.
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


LOCK_KEY = 0x4861726226  # PostgreSQL's advisory lock for writes that check first: any number no other app uses


@contextlib.contextmanager
def locked_transaction(engine: Engine):
    """One transaction that holds the warehouse's write lock from its first statement: on SQLite BEGIN IMMEDIATE
    (another writer waits, up to HARBOUR_LOCK_TIMEOUT), on PostgreSQL a transaction-scoped advisory lock. What a
    load or an upgrade checks is read inside it, so nothing else can change the answer before its writes."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        locked = make_engine(engine.url.render_as_string(hide_password=False), immediate=True)
        try:
            with locked.begin() as conn:
                yield conn
        finally:
            locked.dispose()
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            if (conn.dialect.server_version_info or (0,)) >= (14,):
                # A writer killed mid-statement (kill -9 of a load) is noticed within a second and its statement
                # cancelled, rather than running on for its full length with nobody to answer.
                conn.exec_driver_sql("SET LOCAL client_connection_check_interval = '1s'")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
        yield conn
