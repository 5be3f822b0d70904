"""What pages send and what they read: aggregates only, never child-level rows or raw tables."""

import re

import pytest
from sqlalchemy import event

from harbour.warehouse.current import engine
from harbour.web.inprocess import PAGES, client, render, router_request

from .support import demo_copy, free_port

RAW_TABLES = re.compile(r"\b(FROM|JOIN)\s+\"?(contacts|placements|missing_episodes)\b", re.I)
PSEUDONYM = re.compile(rb"\b[0-9a-f]{64}\b")


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory):
    url = demo_copy(tmp_path_factory.mktemp("pages"))
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
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    url = demo_copy(tmp_path, name="g.sqlite")
    port = free_port()
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "HARBOUR_WAREHOUSE": url, "HARBOUR_AUTH": "none"}  # a closed network: no sign-in
    env.pop("HARBOUR_DEBUG", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "harbour.app:server"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
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

        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/_dash-update-component",
            method="POST",
            data=json.dumps(router_request("/", "")).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200 and b"kpi-retention" in response.read()
        # Debug mode off: Dash's dev tools (the in-browser error UI and prop checks) are not enabled.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            page = response.read().decode()
            assert response.headers.get_all("Server") == ["Harbour"]  # not "gunicorn"
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        config = json.loads(
            re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page, re.S).group(1)
        )
        assert config["ui"] is False and config["props_check"] is False
    finally:
        process.terminate()
        try:  # gunicorn gives its workers graceful_timeout (30 s) to finish; a busy machine may need it
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _apply(demo_client, force, search, trigger="filter-apply", month_from="", month_to=""):
    import json

    from harbour.app import app

    demo_client.get("/")  # Dash finishes setting up (its callback map) on the first request
    output = next(k for k, v in app.callback_map.items() if getattr(v["callback"], "__name__", "") == "apply_filters")
    body = {
        "output": output,
        "outputs": [{"id": "_pages_location", "property": "search"}, {"id": "filter-message", "property": "children"}],
        "inputs": [
            {"id": "filter-apply", "property": "n_clicks", "value": 1},
            {"id": "filter-clear", "property": "n_clicks", "value": 0},
        ],
        "changedPropIds": [f"{trigger}.n_clicks"],
        "state": [
            {"id": "filter-force", "property": "value", "value": force},
            *[
                {"id": i, "property": "value", "value": []}
                for i in ("filter-age-band", "filter-sex", "filter-contact-route", "filter-nationality")
            ],
            {"id": "filter-month-from", "property": "value", "value": month_from},
            {"id": "filter-month-to", "property": "value", "value": month_to},
            {"id": "filter-period", "property": "value", "value": ""},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
    }
    return demo_client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def test_applying_the_filters_already_applied_sends_nothing_back(demo_client):
    changed = _apply(demo_client, "FENWICK", "?force=ELMSHIRE")
    assert changed.status_code == 200 and "force=FENWICK" in changed.get_data(as_text=True)
    same = _apply(demo_client, "FENWICK", "?force=FENWICK")
    # No update of the URL (Dash answers 204, or leaves it out): the page is not drawn again.
    assert same.status_code == 204 or "_pages_location" not in same.get_json()["response"]


@pytest.mark.parametrize(
    "month_from,month_to,words",
    [
        ("2018-13", "", "month from '2018-13' is not a month"),
        ("2018-1", "", "is not a month written YYYY-MM"),
        ("2019-01", "2018-12", "the first month is after the last"),
        # version 3: months in whole quarters
        ("2017-02", "", "month from '2017-02' does not begin a quarter"),
        ("2017-01", "2017-11", "month to '2017-11' does not end a quarter"),
    ],
)
def test_an_invalid_month_is_said_beside_the_field_and_changes_nothing(demo_client, month_from, month_to, words):
    answer = _apply(demo_client, "FENWICK", "?force=ELMSHIRE", month_from=month_from, month_to=month_to).get_json()
    assert "_pages_location" not in answer["response"]  # the URL, and so the page, stay as they were
    assert words in answer["response"]["filter-message"]["children"]
    good = _apply(demo_client, "FENWICK", "?force=ELMSHIRE", month_from="2017-01", month_to="2018-06").get_json()
    assert "month_from=2017-01" in good["response"]["_pages_location"]["search"]
    assert good["response"]["filter-message"]["children"] == ""


def test_a_filter_in_the_address_that_is_not_understood_is_said_not_dropped(demo_client):
    status, body = render(demo_client, "/retention", "?force=ELMSHIRE&sex=X&month_from=2018-13")
    text = body.decode()
    assert status == 200 and "were not understood and are not applied" in text
    assert "sex 'X' is not one of its codes" in text and "month from '2018-13'" in text


def _texts(node, out):
    if isinstance(node, dict):
        _texts(node.get("props", {}).get("children") if "props" in node else list(node.values()), out)
    elif isinstance(node, list):
        for item in node:
            _texts(item, out)
    elif isinstance(node, str):
        out.append(node)
    return out


@pytest.mark.parametrize("path", PAGES + ("/methodology", "/benchmark"))
def test_pages_write_dates_in_words(demo_client, path):
    """'1 August 2017', 'August 2017': ISO dates belong to machine-readable files, not to pages."""
    import json

    status, body = render(demo_client, path, "?force=ELMSHIRE")
    shown = _texts(json.loads(body)["response"]["_pages_content"]["children"], [])
    iso = [t for t in shown if re.search(r"\b(19|20)\d\d-\d\d(-\d\d)?\b", t)]
    assert status == 200 and shown and iso == []


def test_the_month_or_quarter_switch_is_offered_only_where_a_chart_over_time_is(demo_client):
    """Found: /engagement and /before-after offered 'Points by quarter. Choose: ...' above a view too small to chart
    at either grain. The switch stands where a chart over time is drawn, or where a grain was chosen (to go back)."""
    for path in ("/before-after", "/engagement"):
        status, body = render(demo_client, path, "?force=ELMSHIRE")
        assert status == 200 and b"Choose: " in body and b"Points by" in body, path
        status, body = render(demo_client, path, "?force=FENWICK&nationality=ALB")  # 6 children: nothing to chart
        assert status == 200 and b"Choose: " not in body and b"Points by" not in body, path
        status, body = render(demo_client, path, "?force=FENWICK&nationality=ALB&grain=month")
        assert status == 200 and b"Choose: " in body, path
