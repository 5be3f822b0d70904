"""What pages send and what they read: aggregates only, never child-level rows or raw tables."""

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import event

from cli import main
from tests.page_requests import PAGES, client, render, router_request
from warehouse.current import engine

RAW_TABLES = re.compile(r"\b(FROM|JOIN)\s+\"?(contacts|placements|missing_episodes)\b", re.I)
PSEUDONYM = re.compile(rb"\b[0-9a-f]{64}\b")


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'demo.sqlite'}"
    assert CliRunner().invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    return client(url)


@pytest.mark.parametrize("path", PAGES + ("/methodology", "/nowhere"))
@pytest.mark.parametrize("search", ["", "?force=ALL", "?force=ELMSHIRE&sex=F&age_band=13-15"])
def test_pages_send_no_pseudonym_and_read_no_raw_table(demo_client, path, search):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    eng = engine()
    event.listen(eng, "before_cursor_execute", record)
    try:
        status, body = render(demo_client, path, search)
    finally:
        event.remove(eng, "before_cursor_execute", record)
    assert status == 200
    assert not PSEUDONYM.search(body), "a child pseudonym reached the browser"
    assert [s for s in statements if RAW_TABLES.search(s)] == []
    assert b"Traceback" not in body


def test_a_malformed_query_string_is_ignored_not_trusted(demo_client):
    status, body = render(demo_client, "/", "?force=<script>&sex=ZZ&month_from=13-2017&age_band=';drop")
    assert status == 200 and b"<script>" not in body


def test_production_server_runs_under_gunicorn_with_debug_off(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    url = f"sqlite:///{tmp_path / 'g.sqlite'}"
    assert CliRunner().invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "HARBOUR_WAREHOUSE": url, "HARBOUR_AUTH": "none"}  # a closed network: no sign-in
    env.pop("HARBOUR_DEBUG", None)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "app:server"],
                               cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/retention", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        import json
        request = urllib.request.Request(f"http://127.0.0.1:{port}/_dash-update-component", method="POST",
                                         data=json.dumps(router_request("/", "")).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200 and b"kpi-retention" in response.read()
        # Debug mode off: Dash's dev tools (the in-browser error UI and prop checks) are not enabled.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            page = response.read().decode()
            assert response.headers.get_all("Server") == ["Harbour"]  # not "gunicorn"
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page, re.S).group(1))
        assert config["ui"] is False and config["props_check"] is False
    finally:
        process.terminate()
        process.wait(timeout=10)
