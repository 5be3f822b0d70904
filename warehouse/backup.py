"""Backups that restore: the warehouse (its keyring, peers and access log are tables in it) to one file, and back.

SQLite: SQLite's online backup API, a consistent copy taken while the dashboard serves and a load runs (a load is
one transaction: the copy holds all of it or none). PostgreSQL: the documented ``pg_dump --format=custom``, which
Harbour prints and runs when it is on the PATH, and ``pg_restore``.

A restore is checked before anything is replaced: the file must be a Harbour warehouse at a schema revision this
Harbour knows, and when it holds real data, HARBOUR_PSEUDONYM_KEY must be the key that made its pseudonyms (by the
check value stored with it: etl.pseudonymise.key_check); otherwise it is refused, with a line saying why.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from harbour.warehouse import migrate, schema
from harbour.warehouse.connect import make_engine


class BackupProblem(RuntimeError):
    """A backup or restore that cannot be done; the message is one line saying why."""


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database.removeprefix("file:").split("?", 1)[0])


def pg_dump_command(url: str, out: Path) -> list[str]:
    parsed = make_url(url)
    return [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        f"--file={out}",
        parsed.set(drivername="postgresql").render_as_string(hide_password=False),
    ]


def backup(url: str, out: Path) -> str:
    """Write the warehouse at ``url`` to ``out``; a sentence saying what was done."""
    if out.exists():
        raise BackupProblem(f"{out} exists already; a backup never overwrites a file")
    path = _sqlite_path(url)
    if path is not None:
        if not path.exists():
            raise BackupProblem(f"there is no warehouse at {path}")
        needed = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
        _room_for(out, needed)
        partial = out.with_name(out.name + ".partial")
        try:
            # Made its owner's alone before a byte of the warehouse is in it; removed whatever goes wrong.
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source:
                with closing(sqlite3.connect(partial)) as target:
                    source.backup(target)
            os.replace(partial, out)  # the file appears whole, or not at all
        except (sqlite3.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise BackupProblem(f"the backup could not be written to {out.parent} ({_reason(exc)})") from None
        return f"Backed up the warehouse to {out} (SQLite's online backup: a consistent copy)."
    if make_url(url).get_backend_name() != "postgresql":
        raise BackupProblem("backups are for SQLite and PostgreSQL warehouses")
    command = pg_dump_command(url, out)
    shown = " ".join(command[:-1] + [make_url(url).render_as_string(hide_password=True)])
    if shutil.which("pg_dump") is None:
        raise BackupProblem(f"pg_dump is not on the PATH; run it yourself: {shown}")
    try:
        with create_engine(url).connect() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar() or 0
    except SQLAlchemyError:
        size = 0  # pg_dump will say what is wrong with the connection
    _room_for(out, size // 4)  # a custom-format dump is compressed: a quarter of the database is a fair floor
    # pg_dump writes the file with this umask: its owner's alone from its first byte.
    result = subprocess.run(command, capture_output=True, text=True, preexec_fn=lambda: os.umask(0o077))
    if result.returncode != 0:
        out.unlink(missing_ok=True)
        raise BackupProblem(f"pg_dump failed: {(result.stderr.strip().splitlines() or ['no message'])[-1][:200]}")
    os.chmod(out, 0o600)
    return f"Backed up the warehouse to {out} with: {shown}"


def _room_for(out: Path, needed: int) -> None:
    """BackupProblem unless the folder of ``out`` has room for ``needed`` bytes and a margin."""
    folder = out.parent if str(out.parent) else Path(".")
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        raise BackupProblem(f"{folder} cannot be written to ({_reason(exc)})") from None
    wanted = int(needed * 1.1) + 1024 * 1024
    if free < wanted:
        raise BackupProblem(
            f"{folder} has {free / 2**20:.1f} MiB free and the backup needs about {wanted / 2**20:.1f} MiB: "
            "free some space or choose another folder"
        )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:160]


@dataclass
class Checked:
    revision: str | None
    synthetic: bool | None
    key_checked: bool


def _check(engine: Engine, pseudonymiser_check: str | None) -> Checked:
    """What the warehouse at ``engine`` (a restored copy, before it replaces anything) is, or BackupProblem."""

    tables = set(inspect(engine).get_table_names())
    if "forces" not in tables:
        raise BackupProblem("the file is not a Harbour warehouse (it has no forces table)")
    kind, revision = migrate.state(engine)
    if kind == "ahead":
        raise BackupProblem(
            f"the backup is at schema revision {revision}, newer than this Harbour knows: install "
            "the Harbour that made it"
        )
    with engine.connect() as conn:
        kinds = set(conn.execute(select(schema.forces.c.synthetic).distinct()).scalars())
        checks = (
            set(conn.execute(select(schema.pseudonym_keys.c.check_value)).scalars())
            if "pseudonym_keys" in tables
            else set()
        )
    synthetic = None if not kinds else kinds == {True}
    if synthetic is False and checks:
        if pseudonymiser_check is None:
            raise BackupProblem(
                "the backup holds real data: set HARBOUR_PSEUDONYM_KEY to the key that made its "
                "pseudonyms before restoring it"
            )
        if pseudonymiser_check not in checks:
            raise BackupProblem(
                "HARBOUR_PSEUDONYM_KEY is not the key that made this backup's pseudonyms: restored, "
                "its children could never be matched with a later load. Set the key it was made with"
            )
    return Checked(revision, synthetic, bool(checks) and synthetic is False)


def restore(backup_file: Path, url: str, pseudonymiser_check: str | None) -> str:
    """Replace the warehouse at ``url`` with ``backup_file``, whole, after checking it; a sentence saying what."""

    if not backup_file.is_file():
        raise BackupProblem(f"there is no backup at {backup_file}")
    path = _sqlite_path(url)
    if path is None:
        if make_url(url).get_backend_name() != "postgresql":
            raise BackupProblem("restores are for SQLite and PostgreSQL warehouses")
        return _restore_postgres(backup_file, url, pseudonymiser_check)
    with open(backup_file, "rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise BackupProblem(f"{backup_file} is not a backup of a SQLite warehouse")
    with tempfile.TemporaryDirectory(prefix="harbour-restore-") as folder:
        staged = Path(folder) / "staged.sqlite"
        shutil.copyfile(backup_file, staged)
        engine = make_engine(f"sqlite:///{staged}")
        try:
            checked = _check(engine, pseudonymiser_check)
        except (SQLAlchemyError, sqlite3.DatabaseError):
            raise BackupProblem(f"{backup_file} is not a readable SQLite warehouse") from None
        finally:
            engine.dispose()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Into the live file through the backup API: readers see the old warehouse or the restored one, never half.
        with sqlite3.connect(staged) as source, sqlite3.connect(path, timeout=30) as target:
            source.backup(target)
    return _restored_words(backup_file, checked)


def _restore_postgres(backup_file: Path, url: str, pseudonymiser_check: str | None) -> str:
    """pg_restore into a new database beside the target, checked there, then into the target in one transaction."""
    if shutil.which("pg_restore") is None:
        raise BackupProblem("pg_restore is not on the PATH")

    target = make_url(url)
    staging_name = f"{target.database}_restore_check"
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    plain = target.set(drivername="postgresql")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{staging_name}"'))
            conn.execute(text(f'CREATE DATABASE "{staging_name}"'))
        staged = plain.set(database=staging_name).render_as_string(hide_password=False)
        result = subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={staged}", str(backup_file)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupProblem(
                f"{backup_file} is not a pg_dump backup that restores: "
                f"{(result.stderr.strip().splitlines() or ['no message'])[-1][:200]}"
            )
        engine = make_engine(target.set(database=staging_name).render_as_string(hide_password=False))
        try:
            checked = _check(engine, pseudonymiser_check)
        finally:
            engine.dispose()
        result = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={plain.render_as_string(hide_password=False)}",
                str(backup_file),
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupProblem(
                "pg_restore failed and was rolled back; the warehouse is as it was: "
                f"{(result.stderr.strip().splitlines() or ['no message'])[-1][:200]}"
            )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{staging_name}" WITH (FORCE)'))
        admin.dispose()
    return _restored_words(backup_file, checked)


def _restored_words(backup_file: Path, checked: Checked) -> str:

    words = f"Restored the warehouse from {backup_file}"
    if checked.key_checked:
        words += "; HARBOUR_PSEUDONYM_KEY is the key that made its pseudonyms"
    elif checked.synthetic is False:
        words += "; it predates key checks, so the pseudonym key could not be checked: use the key it was made with"
    if checked.revision != migrate.head():
        words += f". It is at schema revision {checked.revision or 'none'}: run `harbour upgrade` next"
    return words + "."
