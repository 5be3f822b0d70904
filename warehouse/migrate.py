"""The warehouse's schema version, with Alembic: every change to the schema is a migration in
warehouse/migrations/versions, on SQLite and PostgreSQL alike. A hub's own database is versioned the same way, by
its migrations in hub/migrations/versions (``HUB``).

A warehouse is in one of five states: ``empty`` (made now, at the newest revision), ``current``,
``unversioned`` (made before schema versions: adopted by ``harbour upgrade``, which stamps the baseline and
applies the rest), ``behind`` (``harbour upgrade`` applies what is pending) or ``ahead`` (made by a newer Harbour:
this one refuses it). Every command and server but ``harbour upgrade`` refuses a warehouse that is not current,
with one line that says what to do (:class:`NotCurrent`).
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, MetaData, Table, func, inspect, select

from harbour.warehouse.connect import locked_transaction
from harbour.warehouse.derivation import derivation_version

HERE = Path(__file__).resolve().parent
BASELINE = "0001"  # the schema of the last Harbour before versions (commit 24ec189)


@dataclass(frozen=True)
class Schema:
    """A database Harbour makes and versions: the warehouse, or a hub's own database. Each has its migrations, its
    version table (so that both could share one PostgreSQL database), the tables that show it was made before
    versions, and the command that upgrades it."""

    name: str  # as a message says it: "the warehouse", "the hub database"
    migrations: Path
    version_table: str
    marks: frozenset[str]
    command: str
    baseline: str = BASELINE


WAREHOUSE = Schema(
    "the warehouse",
    HERE / "migrations",
    "alembic_version",
    frozenset({"forces", "child_facts", "load_batches"}),
    "harbour upgrade",
)
HUB = Schema(
    "the hub database",
    HERE.parent / "hub" / "migrations",
    "hub_alembic_version",
    frozenset({"hub_forces", "hub_packs"}),
    "harbour hub upgrade",
)


class NotCurrent(RuntimeError):
    """A database at another schema version than this Harbour's; the message is one line saying what to do."""


def _config(connection=None, schema: Schema = WAREHOUSE):
    from alembic.config import Config  # slow import: only where the schema's revision is read or changed

    config = Config()
    config.set_main_option("script_location", str(schema.migrations))
    config.attributes["version_table"] = schema.version_table
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=4)
def _script(schema: Schema = WAREHOUSE):
    from alembic.script import ScriptDirectory  # slow import: only where the schema's revision is read or changed

    return ScriptDirectory.from_config(_config(schema=schema))


def head(schema: Schema = WAREHOUSE) -> str:
    return _script(schema).get_current_head()


def known(revision: str, schema: Schema = WAREHOUSE) -> bool:
    try:
        return _script(schema).get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic's errors for an unknown revision vary by version
        return False


def _context(conn, schema: Schema):
    from alembic.migration import MigrationContext  # slow import: only where the schema's revision is read or changed

    return MigrationContext.configure(conn, opts={"version_table": schema.version_table})


def revision_of(bind, schema: Schema = WAREHOUSE) -> str | None:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return revision_of(conn, schema)
    return _context(bind, schema).get_current_revision()


def state(engine: Engine, schema: Schema = WAREHOUSE) -> tuple[str, str | None]:
    """(the database's state, its revision): see the module's docstring."""
    tables = set(inspect(engine).get_table_names())
    if schema.version_table not in tables:
        return ("empty" if not tables & schema.marks else "unversioned"), None
    current = revision_of(engine, schema)
    if current == head(schema):
        return "current", current
    if current is None:
        return "unversioned", None
    return ("behind" if known(current, schema) else "ahead"), current


def derivation_behind(bind) -> int:
    """How many load batches of a warehouse at this revision hold facts that another version of the derivation
    made (or an unknown one: batches loaded before it was recorded)."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return derivation_behind(conn)
    batches = Table("load_batches", MetaData(), autoload_with=bind)
    if "derivation" not in batches.c:
        return 0  # a revision before derivations were recorded: the schema's own upgrade comes first
    held = (
        select(func.count())
        .select_from(batches)
        .where(
            batches.c.derivation.is_(None) | (batches.c.derivation != derivation_version()),
            batches.c.batch_id.in_(select(Table("forces", MetaData(), autoload_with=bind).c.batch_id)),
        )
    )
    return bind.execute(held).scalar() or 0


def check(engine: Engine, schema: Schema = WAREHOUSE) -> None:
    """Nothing when the database is at this Harbour's schema (or empty) and, for a warehouse, its facts derived by
    this Harbour's derivation; NotCurrent, in one line, otherwise."""
    kind, current = state(engine, schema)
    if kind == "empty":
        return
    if kind == "current":
        if schema is WAREHOUSE and (behind := derivation_behind(engine)):
            raise NotCurrent(
                f"{schema.name}'s facts of {behind} load{'s' if behind != 1 else ''} were derived by another version "
                f"of Harbour: run `{schema.command}`, which derives them again from the stored rows"
            )
        return
    if kind == "ahead":
        raise NotCurrent(
            f"{schema.name} is at schema revision {current}, made by a newer Harbour than this one "
            f"(which knows up to {head(schema)}): install that Harbour, or restore a backup made before it"
        )
    where = "made before schema versions" if kind == "unversioned" else f"at schema revision {current}"
    backup = " (it takes a backup of a SQLite file first)"
    raise NotCurrent(
        f"{schema.name} is {where}; this Harbour needs revision {head(schema)}: run `{schema.command}`{backup}"
    )


def stamp_new(conn, schema: Schema = WAREHOUSE) -> None:
    """Inside the transaction that made a new database's tables (metadata.create_all): record it at the head."""
    _context(conn, schema).stamp(_script(schema), "head")


@dataclass
class Upgraded:
    before: str | None  # the revision it was at (None: unversioned, adopted)
    after: str
    backup: Path | None


def _backup(engine: Engine, before: str | None) -> Path | None:
    """A copy of a SQLite file through SQLite's online backup API, beside it; None for other databases."""

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


def upgrade(engine: Engine, schema: Schema = WAREHOUSE, after=None) -> Upgraded:
    """Bring the database to this Harbour's head, in one transaction: adopt one made before versions at the
    baseline, then apply every pending migration, then ``after(connection)`` (the warehouse's facts derived again)
    in the same transaction, so that a kill at any moment leaves the old revision and its facts, or the new revision
    with facts this Harbour derived. A SQLite file is backed up first."""
    from alembic import command  # slow import: only where the schema's revision is read or changed

    kind, current = state(engine, schema)
    if kind == "ahead":
        check(engine, schema)
    if kind == "current":
        return Upgraded(current, current, None)
    backup = _backup(engine, current) if kind != "empty" else None

    with locked_transaction(engine) as conn:
        config = _config(conn, schema)
        if kind == "unversioned":
            command.stamp(config, schema.baseline)
        command.upgrade(config, "head")
        if after is not None:
            after(conn)
    return Upgraded(current, head(schema), backup)
