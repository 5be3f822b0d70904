"""/healthz and /readyz: outside sign-in and the page cache, quick, with no data in them; /readyz goes from
ready to not ready and back as a private PostgreSQL, a private Redis and a real OIDC provider are stopped and
started under it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from .hubs import free_port
from .support import demo_copy, require


def _app(monkeypatch, warehouse_url: str, **env):
    for key in ("HARBOUR_OIDC_ISSUER", "HARBOUR_REDIS_URL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from harbour.views import store
    from harbour.warehouse import current

    store._caches.clear()
    current.use(warehouse_url)
    from harbour import app as app_module

    return app_module.create_app(exposed=bool(env.get("HARBOUR_OIDC_ISSUER"))).server.test_client()


def _head() -> str:
    from harbour.warehouse import migrate

    return migrate.head()


def _ready(web) -> tuple[int, dict]:
    answer = web.get("/readyz")
    return answer.status_code, json.loads(answer.data)


def test_healthz_and_readyz_answer_quickly_with_no_data(monkeypatch, tmp_path):

    url = demo_copy(tmp_path)
    web = _app(monkeypatch, url)
    assert web.get("/healthz").status_code == 200 and json.loads(web.get("/healthz").data) == {"status": "ok"}
    # The best of three: on a loaded machine (four test workers on two cores) any one request may wait for a core,
    # but a probe that does too much work is slow every time.
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        status, body = _ready(web)
        timings.append(time.perf_counter() - started)
        assert status == 200 and body["checks"] == {"warehouse": "ok", "cache": "ok", "sign-in": "ok"}
    assert min(timings) < 0.2, timings
    assert web.get("/readyz").headers["Cache-Control"] == "no-store"
    text = web.get("/readyz").get_data(as_text=True)
    for leak in ("ELMSHIRE", "sqlite", str(tmp_path)):
        assert leak not in text
    # A warehouse moved to another schema revision under a running server (a newer Harbour upgraded it): not ready.
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    status, body = _ready(web)
    assert status == 503 and body["checks"]["warehouse"] == "not at this Harbour's schema revision"
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :head"), {"head": _head()})
    engine.dispose()
    assert _ready(web)[0] == 200
    # A warehouse that cannot be read: not ready, in words, without the error's text.
    (tmp_path / "a-folder").mkdir()
    web = _app(monkeypatch, f"sqlite:///{tmp_path / 'a-folder'}")  # a folder where the file should be
    status, body = _ready(web)
    assert status == 503 and body["checks"]["warehouse"].startswith("failing (")


def _start_postgres(port: int) -> Path:
    """A private cluster (the shared one must keep running for the other tests), in a folder that the postgres
    user can reach (pytest's own are its owner's only)."""
    import tempfile

    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    require(bool(bindir) and shutil.which("su") is not None, "PostgreSQL's server binaries")
    data = Path(tempfile.mkdtemp(prefix="harbour-pg-ready."))
    if os.getuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    run = ["su", "postgres", "-s", "/bin/sh", "-c"] if os.getuid() == 0 else ["sh", "-c"]
    subprocess.run(
        [*run, f"'{bindir[-1]}/initdb' -D '{data}/d' -A trust -U postgres --no-sync"], check=True, capture_output=True
    )
    return data


def _pg(data: Path, action: str, port: int) -> None:
    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    run = ["su", "postgres", "-s", "/bin/sh", "-c"] if os.getuid() == 0 else ["sh", "-c"]
    options = f"-o \"-h 127.0.0.1 -p {port} -k '{data}' -F\"" if action == "start" else "-m immediate"
    subprocess.run(
        [*run, f"'{bindir}/pg_ctl' -D '{data}/d' -l '{data}/log' -w {options} {action}"],
        check=True,
        capture_output=True,
    )


def _wait(web, want: int, seconds: float = 20) -> dict:
    deadline = time.time() + seconds
    while True:
        status, body = _ready(web)
        if status == want or time.time() > deadline:
            assert status == want, body
            return body
        time.sleep(0.2)


@pytest.mark.postgres
def test_readyz_follows_postgresql_redis_and_the_provider_going_down_and_coming_back(monkeypatch, tmp_path):
    require(os.environ.get("HARBOUR_TEST_POSTGRES_URL") is not None, "PostgreSQL (HARBOUR_TEST_POSTGRES_URL)")
    require(shutil.which("redis-server") is not None, "redis-server")
    try:
        from oidc_provider_mock import run_server_in_thread
    except ImportError:
        require(False, "oidc-provider-mock (the test extra)")
    pg_port, redis_port, oidc_port = free_port(), free_port(), free_port()
    data = _start_postgres(pg_port)
    _pg(data, "start", pg_port)
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()

    def redis(action):
        if action == "start":
            subprocess.run(
                [
                    "redis-server",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(redis_port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "yes",
                    "--dir",
                    str(redis_dir),
                    "--pidfile",
                    str(redis_dir / "pid"),
                ],
                check=True,
                capture_output=True,
            )
            time.sleep(0.3)
        else:
            os.kill(int((redis_dir / "pid").read_text()), 15)
            time.sleep(0.3)

    redis("start")
    provider = run_server_in_thread(port=oidc_port)
    provider.__enter__()
    try:
        web = _app(
            monkeypatch,
            f"postgresql+psycopg://postgres@127.0.0.1:{pg_port}/postgres",
            HARBOUR_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            HARBOUR_OIDC_ISSUER=f"http://localhost:{oidc_port}",
            HARBOUR_OIDC_CLIENT_ID="harbour",
            HARBOUR_OIDC_CLIENT_SECRET="s" * 20,
            HARBOUR_SECRET_KEY="k" * 40,
        )
        from harbour.warehouse.engine import ensure_schema, make_engine

        ensure_schema(make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{pg_port}/postgres"))
        assert _wait(web, 200)["checks"] == {"warehouse": "ok", "cache": "ok", "sign-in": "ok"}
        _pg(data, "stop", pg_port)
        assert _wait(web, 503)["checks"]["warehouse"] != "ok"
        _pg(data, "start", pg_port)
        _wait(web, 200)
        redis("stop")
        assert _wait(web, 503)["checks"]["cache"] != "ok"
        redis("start")
        _wait(web, 200)
        provider.__exit__(None, None, None)
        provider = None
        assert _wait(web, 503)["checks"]["sign-in"] != "ok"
        provider = run_server_in_thread(port=oidc_port)
        provider.__enter__()
        _wait(web, 200)
        # Outside sign-in: no session, and still answered (a page would redirect to the provider).
        assert web.get("/healthz").status_code == 200 and web.get("/").status_code == 302
    finally:
        if provider is not None:
            provider.__exit__(None, None, None)
        try:
            redis("stop")
        except (OSError, ValueError):
            pass
        try:
            _pg(data, "stop", pg_port)
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(data, ignore_errors=True)
