"""The warehouse's schema version, with Alembic: every change to the schema is a migration in
warehouse/migrations/versions, on SQLite and PostgreSQL alike.

A warehouse is in one of five states: ``empty`` (made now, at the newest revision), ``current``,
``unversioned`` (made before schema versions: adopted by ``harbour upgrade``, which stamps the baseline and
applies the rest), ``behind`` (``harbour upgrade`` applies what is pending) or ``ahead`` (made by a newer Harbour:
this one refuses it). Every command and server but ``harbour upgrade`` refuses a warehouse that is not current,
with one line that says what to do (:class:`NotCurrent`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, inspect

HERE = Path(__file__).resolve().parent
BASELINE = "0001"  # the schema of the last Harbour before versions (commit 24ec189)


class NotCurrent(RuntimeError):
    """A warehouse at another schema version than this Harbour's; the message is one line saying what to do."""


def _config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _script():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def head() -> str:
    return _script().get_current_head()


def known(revision: str) -> bool:
    try:
        return _script().get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic's errors for an unknown revision vary by version
        return False


def revision_of(bind) -> str | None:
    from alembic.migration import MigrationContext

    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return revision_of(conn)
    return MigrationContext.configure(bind).get_current_revision()


def state(engine: Engine) -> tuple[str, str | None]:
    """(the warehouse's state, its revision): see the module's docstring."""
    tables = set(inspect(engine).get_table_names())
    if "alembic_version" not in tables:
        return ("empty" if not tables & {"forces", "child_facts", "load_batches"} else "unversioned"), None
    current = revision_of(engine)
    if current == head():
        return "current", current
    if current is None:
        return "unversioned", None
    return ("behind" if known(current) else "ahead"), current


def check(engine: Engine) -> None:
    """Nothing when the warehouse is at this Harbour's schema (or empty); NotCurrent, in one line, otherwise."""
    kind, current = state(engine)
    if kind in ("current", "empty"):
        return
    if kind == "ahead":
        raise NotCurrent(f"the warehouse is at schema revision {current}, made by a newer Harbour than this one "
                         f"(which knows up to {head()}): install that Harbour, or restore a backup made before it")
    where = "made before schema versions" if kind == "unversioned" else f"at schema revision {current}"
    raise NotCurrent(f"the warehouse is {where}; this Harbour needs revision {head()}: run `harbour upgrade` "
                     "(it takes a backup of a SQLite file first)")


def stamp_new(conn) -> None:
    """Inside the transaction that made a new warehouse's tables (metadata.create_all): record it at the head."""
    from alembic.migration import MigrationContext

    MigrationContext.configure(conn).stamp(_script(), "head")


@dataclass
class Upgraded:
    before: str | None  # the revision it was at (None: unversioned, adopted)
    after: str
    backup: Path | None


def _backup(engine: Engine, before: str | None) -> Path | None:
    """A copy of a SQLite file through SQLite's online backup API, beside it; None for other databases."""
    import sqlite3

    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    source = Path(database)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = source.with_name(f"{source.stem}.before-upgrade-{before or 'unversioned'}-{stamp}{source.suffix}")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    shutil.copymode(source, target)
    return target


def upgrade(engine: Engine) -> Upgraded:
    """Bring the warehouse to this Harbour's head, in one transaction: adopt a warehouse made before versions at the
    baseline, then apply every pending migration. A SQLite file is backed up first."""
    from alembic import command

    kind, current = state(engine)
    if kind == "ahead":
        check(engine)
    if kind == "current":
        return Upgraded(current, current, None)
    backup = _backup(engine, current) if kind != "empty" else None
    from warehouse.connect import locked_transaction

    with locked_transaction(engine) as conn:
        config = _config(conn)
        if kind == "unversioned":
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
    return Upgraded(current, head(), backup)
