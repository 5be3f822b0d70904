"""Schema versions. A warehouse built by the last Harbour before migrations (commit 24ec189, checked out of
git history and run as it was) is refused by today's commands and gunicorn with one line, adopted and upgraded
by `harbour upgrade` (a SQLite file backed up first), and then gives the same `harbour summary --exact` for every
force as a fresh load of the same bundle; a peer it held gets its derived origin. A warehouse ahead of the code is
refused; kill -9 during an upgrade leaves one that upgrades on the next run. The migrations make exactly the
schema that the code describes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from harbour.cli import main

from .hubs import ROOT, hub_database
from .support import require

pytestmark = pytest.mark.xdist_group("migrations")  # its fixtures are built once, on one worker

LAST_BEFORE_MIGRATIONS = "24ec189"


@pytest.fixture(scope="module")
def old_harbour(tmp_path_factory) -> Path:
    """The code of the last Harbour before schema versions, from this repository's history."""
    folder = tmp_path_factory.mktemp("old-harbour")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", LAST_BEFORE_MIGRATIONS], capture_output=True)
    require(archive.returncode == 0, f"git history with commit {LAST_BEFORE_MIGRATIONS} (a full clone)")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def run_old(old: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`harbour ARGS` as the old code runs it: its own modules first on the path, this environment's packages."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=old,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(old), **(env or {})},
    )


def harbour(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """Two empty databases of the kind: one for the old warehouse, one for a fresh load to compare with."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite'}", f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    suffix = f"{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**6}"
    with (
        hub_database("postgresql", tmp_path, f"harbour_old_{suffix}") as old,
        hub_database("postgresql", tmp_path, f"harbour_fresh_{suffix}") as fresh,
    ):
        yield old, fresh


def _old_warehouse(old: Path, url: str, tmp_path: Path) -> None:
    """The old code's demo, and a peer's pack imported by it (so benchmark_peers has a row to derive from)."""
    made = run_old(old, "demo", "--warehouse", url)
    assert made.returncode == 0, made.stdout + made.stderr
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert run_old(old, "demo", "--seed", "5", "--warehouse", other).returncode == 0
    # A peer the warehouse does not hold: the other demo's ELMSHIRE renamed, as a neighbouring force's pack.
    pack = tmp_path / "peer.json"
    exported = run_old(
        old, "benchmark", "export", "--force", "ELMSHIRE", "--unsigned", "--out", str(pack), "--warehouse", other
    )
    assert exported.returncode == 0, exported.stderr
    doc = json.loads(pack.read_text())
    doc["force"] = {**doc["force"], "code": "NEIGHBOUR", "name": "Neighbouring Police (fictional)"}
    doc["summary"]["force"] = "NEIGHBOUR"
    from harbour.exchange.packs import checksum

    body = {k: v for k, v in doc.items() if k not in ("sha256", "signature")}
    pack.write_text(json.dumps({**body, "sha256": checksum(body)}))
    imported = run_old(old, "benchmark", "import", str(pack), "--unsigned", "--warehouse", url)
    assert imported.returncode == 0, imported.stdout + imported.stderr


def _summaries(url: str) -> dict:
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts

    codes = sorted(facts(engine_for(url)).forces["force_code"])
    out = {}
    for code in codes:
        result = harbour("summary", "--exact", "--force", code, "--warehouse", url)
        assert result.exit_code == 0, result.output
        out[code] = json.loads(result.output)
    return out


def test_a_warehouse_from_before_migrations_is_refused_then_upgraded_and_gives_the_same_figures(
    old_harbour, database, tmp_path
):
    old_url, fresh_url = database
    _old_warehouse(old_harbour, old_url, tmp_path)
    refused = harbour("summary", "--warehouse", old_url)
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1, refused.output
    assert "made before schema versions" in refused.output and "run `harbour upgrade`" in refused.output
    if old_url.startswith("sqlite"):
        started = subprocess.run(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0", "harbour.app:server"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "HARBOUR_WAREHOUSE": old_url, "HARBOUR_AUTH": "none"},
        )
        assert started.returncode != 0 and "harbour upgrade" in started.stderr, started.stderr[-500:]
    upgraded = harbour("upgrade", "--warehouse", old_url)
    assert upgraded.exit_code == 0, upgraded.output
    assert "Upgraded the warehouse from made before schema versions to revision" in upgraded.output
    if old_url.startswith("sqlite"):
        backups = list(tmp_path.glob("old.before-upgrade-unversioned-*.sqlite"))
        assert len(backups) == 1 and "the backup taken first is" in upgraded.output
    # Its facts, derived by unknown (older) code, were derived again from the stored rows.
    assert "Derived the facts of 6 forces again from the stored rows" in upgraded.output
    assert "Nothing to do" in harbour("upgrade", "--warehouse", old_url).output
    # A fresh load of the same bundle (the demo's seed) by today's code gives the same figures, force by force.
    assert harbour("demo", "--no-exchange", "--warehouse", fresh_url).exit_code == 0  # the old code had none
    assert _summaries(old_url) == _summaries(fresh_url)
    # The peer imported by the old code got its origin, derived: a file, on the day it was imported.
    from harbour.exchange.store import all_peers
    from harbour.warehouse.engine import engine_for

    (peer,) = all_peers(engine_for(old_url))
    assert peer["origin"] == "file" and peer["pulled_at"] == peer["imported_at"] and peer["force_code"] == "NEIGHBOUR"


def test_a_warehouse_ahead_of_the_code_is_refused(tmp_path):
    from sqlalchemy import text

    from harbour.warehouse.engine import make_engine

    url = f"sqlite:///{tmp_path / 'ahead.sqlite'}"
    assert harbour("demo", "--warehouse", url).exit_code == 0
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    from harbour.warehouse.engine import engine_for

    engine_for.cache_clear()
    for command in (["summary"], ["upgrade"]):
        result = harbour(*command, "--warehouse", url)
        assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
        assert "revision 9999, made by a newer Harbour" in result.output


def test_kill_9_during_an_upgrade_leaves_a_warehouse_that_upgrades_next_time(old_harbour, database, tmp_path):
    from harbour.warehouse.engine import make_engine
    from harbour.warehouse.migrate import derivation_behind, head, state

    old_url, _ = database
    _old_warehouse(old_harbour, old_url, tmp_path)
    engine = make_engine(old_url)
    before = state(engine)
    for delay in (0.8, 1.2, 1.6, 2.0, 2.5):
        process = subprocess.Popen(
            [sys.executable, "-m", "harbour.cli", "upgrade", "--warehouse", old_url],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = state(engine)
        assert now in (before, ("current", head())), now
        if now != before:
            # At the new revision only with facts this Harbour derived: never a current schema over stale facts.
            assert derivation_behind(engine) == 0
            break
    engine.dispose()
    result = harbour("upgrade", "--warehouse", old_url)
    assert result.exit_code == 0, result.output
    assert state(make_engine(old_url)) == ("current", head())
    assert harbour("summary", "--warehouse", old_url).exit_code == 0


def test_the_migrations_make_exactly_the_schema_the_code_describes(engine):
    """From an empty database, the migrations alone (not create_all) give the tables, columns, keys and indexes
    of warehouse.schema: Alembic's own comparison finds nothing between them."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import MetaData

    from harbour.warehouse import migrate
    from harbour.warehouse.schema import metadata

    # The fixture made the warehouse with create_all; start again from nothing, by migrations only.
    with engine.begin() as conn:
        reflected = MetaData()
        reflected.reflect(conn)
        reflected.drop_all(conn)
    assert migrate.state(engine)[0] == "empty"
    migrate.upgrade(engine)
    assert migrate.state(engine) == ("current", migrate.head())
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == [], differences


def test_facts_derived_by_other_code_are_derived_again_and_a_reload_is_not_unchanged(tmp_path):
    """Found: reloading the same files was answered 'Unchanged', so a warehouse was never re-derived after the
    derivation code was fixed; and until the next upgrade, other code's facts were served. Facts now record the
    derivation's version; other code's facts are refused everywhere until `harbour upgrade` derives them again."""
    from sqlalchemy import text

    from harbour.warehouse.engine import engine_for, make_engine
    from harbour.warehouse.migrate import NotCurrent

    url, fresh = f"sqlite:///{tmp_path / 'w.sqlite'}", f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    # (Without the demo's exchange: its packs are signed by keys made for each build, named in the summaries.)
    assert harbour("demo", "--no-exchange", "--warehouse", url).exit_code == 0
    assert harbour("demo", "--no-exchange", "--warehouse", fresh).exit_code == 0
    expected = _summaries(fresh)
    engine = make_engine(url)
    with engine.begin() as conn:  # what an older, wrong derivation left: other facts, under another version
        conn.execute(text("UPDATE load_batches SET derivation = 'an-older-one'"))
        conn.execute(text("DELETE FROM episode_facts WHERE seq > 1"))
        conn.execute(text("UPDATE child_facts SET engagement_hours = engagement_hours + 1"))
    engine.dispose()
    engine_for.cache_clear()
    with pytest.raises(NotCurrent, match="harbour upgrade"):
        _summaries(url)
    refused = harbour("demo", "--warehouse", url)  # a load too: the facts it would sit beside are stale
    assert refused.exit_code != 0 and "harbour upgrade" in refused.output, refused.output
    upgraded = harbour("upgrade", "--warehouse", url)
    assert upgraded.exit_code == 0 and "Derived the facts of 6 forces again" in upgraded.output, upgraded.output
    engine_for.cache_clear()
    assert _summaries(url) == expected
    assert "Unchanged" in harbour("demo", "--warehouse", url).output


def test_a_development_build_warehouse_with_newer_tables_but_no_version_is_adopted(tmp_path):
    """A warehouse made by create_all of code between the baseline and versions (it has some newer tables, and no
    version): adopted at the baseline, each later migration keeps what is there already."""
    from harbour.warehouse.connect import make_engine
    from harbour.warehouse.migrate import head, state
    from harbour.warehouse.schema import metadata

    url = f"sqlite:///{tmp_path / 'dev.sqlite'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        metadata.create_all(conn)  # every table of today's code, no alembic_version
    assert state(engine)[0] == "unversioned"
    result = harbour("upgrade", "--warehouse", url)
    assert result.exit_code == 0, result.output
    assert state(engine) == ("current", head())
    engine.dispose()


def test_facts_another_derivation_made_are_refused_until_harbour_upgrade_derives_them_again(tmp_path):
    """Found: a warehouse at the newest revision whose facts an older derivation made was served by every command
    until the next upgrade. Now every command refuses it in one line, and `harbour upgrade` derives them again."""
    import json
    import sqlite3

    from .support import demo_copy

    url = demo_copy(tmp_path / "stale")
    fresh = json.loads(harbour("summary", "--exact", "--warehouse", demo_copy(tmp_path / "fresh")).output)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE load_batches SET derivation = 'an-older-one'")
    refused = harbour("summary", "--warehouse", url)
    assert refused.exit_code != 0
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and "derived by another version" in lines[0] and "harbour upgrade" in lines[0], lines
    upgraded = harbour("upgrade", "--warehouse", url)
    assert upgraded.exit_code == 0 and "Derived the facts of 6 forces again" in upgraded.output, upgraded.output
    assert json.loads(harbour("summary", "--exact", "--warehouse", url).output) == fresh


def test_an_upgrade_that_stops_before_its_facts_are_derived_again_changes_nothing(tmp_path):
    """The migrations and the re-derivation are one transaction: a failure (a kill, a full disk) between them
    leaves the old revision, which every command refuses, and the next upgrade does both."""
    import sqlite3

    from harbour.warehouse import migrate
    from harbour.warehouse.engine import make_engine

    from .support import demo_copy

    url = demo_copy(tmp_path)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:  # as a warehouse of revision 0003 was
        conn.execute("ALTER TABLE load_batches DROP COLUMN derivation")
        conn.execute("UPDATE alembic_version SET version_num = '0003'")
    engine = make_engine(url)
    assert migrate.state(engine) == ("behind", "0003")

    def stops(_conn):
        raise OSError("the process was killed here (simulated)")

    with pytest.raises(OSError):
        migrate.upgrade(engine, after=stops)
    assert migrate.state(engine) == ("behind", "0003")
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        assert "derivation" not in {row[1] for row in conn.execute("PRAGMA table_info(load_batches)")}
    assert harbour("summary", "--warehouse", url).exit_code != 0
    done = harbour("upgrade", "--warehouse", url)
    assert done.exit_code == 0 and "Derived the facts of 6 forces again" in done.output, done.output
    assert migrate.state(engine) == ("current", migrate.head()) and migrate.derivation_behind(engine) == 0
    engine.dispose()
