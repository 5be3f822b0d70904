"""A hub's own database is versioned as the warehouse is: one made by the last Harbour before hub versions
(commit 0393a9e, run from git history) is refused by today's hub commands with one line, adopted by `harbour hub
upgrade` (a SQLite file backed up first) with every force, key and token kept; one ahead of the code is refused;
and the hub's migrations make exactly the schema hub.schema describes, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from .hubs import ROOT, harbour, hub_database, keygen
from .support import require

pytestmark = pytest.mark.xdist_group("hub-migrations")  # its fixtures are built once, on one worker

LAST_BEFORE_HUB_VERSIONS = "0393a9e"


@pytest.fixture(scope="module")
def old_hub_code(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("old-hub")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", LAST_BEFORE_HUB_VERSIONS], capture_output=True)
    require(archive.returncode == 0, f"git history with commit {LAST_BEFORE_HUB_VERSIONS} (a full clone)")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def run_old(old: Path, *args: str) -> subprocess.CompletedProcess:
    """`harbour ARGS` as the old code runs it: its own top-level modules (the layout before one package) first."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=old,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(old)},
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_url(request, tmp_path):
    with hub_database(
        request.param, tmp_path, f"harbour_hubmig_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**6}"
    ) as url:
        yield url


def _rows(url: str) -> dict:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("hub_forces", "hub_keys", "hub_tokens", "hub_audit")
            }
    finally:
        engine.dispose()


def _clear_engines():
    from harbour.hub.store import engine_for

    engine_for.cache_clear()


def test_a_hub_database_from_before_versions_is_refused_then_adopted_with_everything_kept(
    old_hub_code, hub_url, tmp_path
):
    keys = keygen("ELMSHIRE", tmp_path / "keys")
    made = run_old(
        old_hub_code, "hub", "register", "--force", "ELMSHIRE", "--key", str(keys["public"]), "--warehouse", hub_url
    )
    assert made.returncode == 0, made.stdout + made.stderr
    token = run_old(old_hub_code, "hub", "token", "--force", "ELMSHIRE", "--warehouse", hub_url)
    assert token.returncode == 0, token.stderr
    before = _rows(hub_url)
    assert before["hub_keys"] == 1 and before["hub_tokens"] == 1
    _clear_engines()

    refused = harbour("hub", "token", "--force", "ELMSHIRE", "--warehouse", hub_url)
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1, refused.output
    assert "made before schema versions" in refused.output and "run `harbour hub upgrade`" in refused.output
    assert _rows(hub_url) == before  # refused before anything was written

    upgraded = harbour("hub", "upgrade", "--warehouse", hub_url)
    assert upgraded.exit_code == 0, upgraded.output
    assert "Upgraded the hub database from made before schema versions to revision" in upgraded.output
    if hub_url.startswith("sqlite"):
        backup = Path(upgraded.output.split("the backup taken first is ")[1].split(".sqlite")[0] + ".sqlite")
        assert backup.is_file() and _rows(f"sqlite:///{backup}") == before
    assert _rows(hub_url) == before  # adopted, nothing rebuilt
    _clear_engines()
    again = harbour("hub", "upgrade", "--warehouse", hub_url)
    assert again.exit_code == 0 and "already. Nothing to do." in again.output
    assert harbour("hub", "token", "--force", "ELMSHIRE", "--warehouse", hub_url).exit_code == 0
    assert _rows(hub_url)["hub_tokens"] == 2


def test_a_hub_database_ahead_of_the_code_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    keys = keygen("ELMSHIRE", tmp_path / "keys")
    assert (
        harbour("hub", "register", "--force", "ELMSHIRE", "--key", str(keys["public"]), "--warehouse", url).exit_code
        == 0
    )
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE hub_alembic_version SET version_num = '9999'"))
    engine.dispose()
    _clear_engines()
    for command in (["token", "--force", "ELMSHIRE"], ["upgrade"]):
        result = harbour("hub", *command, "--warehouse", url)
        assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
        assert "revision 9999, made by a newer Harbour" in result.output
    _clear_engines()


def test_the_hub_migrations_make_exactly_the_schema_the_code_describes(hub_url):
    from alembic.autogenerate import compare_metadata

    from harbour.hub.schema import metadata
    from harbour.warehouse import migrate
    from harbour.warehouse.engine import make_engine

    engine = make_engine(hub_url)
    try:
        assert migrate.state(engine, migrate.HUB)[0] == "empty"
        migrate.upgrade(engine, migrate.HUB)
        assert migrate.state(engine, migrate.HUB) == ("current", migrate.head(migrate.HUB))
        with engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) == {*metadata.tables, "hub_alembic_version"}
            differences = compare_metadata(migrate._context(conn, migrate.HUB), metadata)
        assert differences == [], differences
    finally:
        engine.dispose()
