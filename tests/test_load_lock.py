"""Two loads at once, as two people would start them, on SQLite and on PostgreSQL: their checks and
writes now share one locked transaction, so the second sees what the first left. A real bundle and the demo
never end up mixed; two real bundles leave the warehouse whole with the later one, each reporting what it did;
no raw database error reaches anyone."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from .bundles import real_bundle
from .hubs import ROOT

KEY = "a-real-key-for-tests-only-0123456789abcdef"


def _at_once(url: str, *commands: list[str]) -> list[dict]:
    """Start every command at the same moment; each one's exit code, output and when it ran."""
    env = {**os.environ, "HARBOUR_WAREHOUSE": url, "HARBOUR_PSEUDONYM_KEY": KEY}
    started = []
    for command in commands:
        started.append(
            (
                time.monotonic(),
                subprocess.Popen(
                    [sys.executable, "-m", "harbour.cli", *command],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                ),
            )
        )
    out = []
    for began, process in started:
        output, _ = process.communicate(timeout=300)
        out.append({"code": process.returncode, "output": output, "began": began, "ended": time.monotonic()})
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'w.sqlite'}"
        return
    from .hubs import hub_database

    with hub_database(
        "postgresql", tmp_path, f"harbour_lock_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**6}"
    ) as url:
        yield url


def _holds(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT synthetic, batch_id, content_sha256 FROM forces")).all()
    finally:
        engine.dispose()
    return {"kinds": {bool(r[0]) for r in rows}, "batches": {r[1] for r in rows}, "contents": {r[2] for r in rows}}


def test_a_real_load_and_the_demo_at_once_never_mix(warehouse, tmp_path):
    bundle = real_bundle(tmp_path, 11)
    results = _at_once(warehouse, ["load", str(bundle)], ["demo"])
    assert results[0]["began"] < results[1]["ended"] and results[1]["began"] < results[0]["ended"]  # they overlapped
    codes = sorted(r["code"] for r in results)
    assert codes == [0, 1], [r["output"][-400:] for r in results]
    refused = next(r for r in results if r["code"] == 1)["output"]
    assert "Refused: this warehouse holds" in refused and "Traceback" not in refused
    assert "IntegrityError" not in refused and "violates" not in refused
    assert len(_holds(warehouse)["kinds"]) == 1  # one kind of data, never both


def test_two_real_loads_at_once_leave_the_later_whole(warehouse, tmp_path):
    first, second = real_bundle(tmp_path, 21), real_bundle(tmp_path, 22)
    results = _at_once(warehouse, ["load", str(first)], ["load", str(second)])
    assert [r["code"] for r in results] == [0, 0], [r["output"][-400:] for r in results]
    assert all(r["output"].splitlines()[-1].startswith("Loaded") for r in results), [
        r["output"][-300:] for r in results
    ]
    held = _holds(warehouse)
    assert len(held["batches"]) == 1 and len(held["contents"]) == 1  # every force from one bundle, the last written


def test_a_load_killed_mid_delete_is_cancelled_by_postgresql(tmp_path):
    """Found: a load killed (kill -9) while PostgreSQL ran its DELETE left that DELETE running for 30 s with no
    client, holding the rows and the load lock. The DELETE is made slow here by a trigger that sleeps 30 s, as a
    national warehouse's DELETE is slow; once the load is killed, PostgreSQL notices within a few seconds
    (client_connection_check_interval), cancels it, and the next load runs at once on the warehouse as it was."""
    import sqlalchemy as sa

    from .hubs import hub_database

    with hub_database("postgresql", tmp_path, f"harbour_killed_{os.getpid()}") as url:
        env = {**os.environ, "HARBOUR_WAREHOUSE": url, "HARBOUR_PSEUDONYM_KEY": KEY}
        first, second = real_bundle(tmp_path, 31), real_bundle(tmp_path, 32)
        subprocess.run(
            [sys.executable, "-m", "harbour.cli", "load", str(first)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        before = _holds(url)
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(
                    sa.text(
                        "CREATE FUNCTION harbour_slow() RETURNS trigger LANGUAGE plpgsql AS "
                        "$$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$"
                    )
                )
                conn.execute(
                    sa.text(
                        "CREATE TRIGGER harbour_slow BEFORE DELETE ON contacts FOR EACH STATEMENT "
                        "EXECUTE FUNCTION harbour_slow()"
                    )
                )
            load = subprocess.Popen(
                [sys.executable, "-m", "harbour.cli", "load", str(second)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deleting = (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND query ILIKE 'DELETE FROM contacts%'"
            )
            deadline = time.monotonic() + 120
            with engine.connect() as conn:
                while conn.execute(sa.text(deleting)).scalar() == 0:
                    assert load.poll() is None and time.monotonic() < deadline, "the load never reached its DELETE"
                    time.sleep(0.1)
                load.kill()
                load.wait()
                killed = time.monotonic()
                while conn.execute(sa.text(deleting)).scalar() and time.monotonic() - killed < 20:
                    time.sleep(0.1)
                gone = time.monotonic() - killed
                assert gone < 5, f"the killed load's DELETE ran on for {gone:.1f} s"
                locked = conn.execute(sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar()
                assert locked == 0  # the load lock went with it
                conn.execute(sa.text("DROP TRIGGER harbour_slow ON contacts"))
            assert _holds(url) == before  # as it was: the killed load's transaction was rolled back
            again = subprocess.run(
                [sys.executable, "-m", "harbour.cli", "load", str(second)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert again.returncode == 0 and again.stdout.splitlines()[-1].startswith("Loaded"), again.stdout[-300:]
        finally:
            engine.dispose()
