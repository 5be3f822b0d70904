"""Roles on the server, in-process: a signed-in viewer, analyst and admin (sessions as the OIDC callback
leaves them), the forged requests a viewer could send, the access log, and refusing to start exposed."""

import json

import pytest
from click.testing import CliRunner

from harbour import app as app_module  # the process's own app, made now, before any test turns sign-in on
from harbour.cli import main
from harbour.web.inprocess import router_request

from .support import demo_copy

OIDC_ENV = {
    "HARBOUR_OIDC_ISSUER": "http://127.0.0.1:9/never-contacted",
    "HARBOUR_OIDC_CLIENT_ID": "harbour",
    "HARBOUR_OIDC_CLIENT_SECRET": "s" * 20,
    "HARBOUR_SECRET_KEY": "k" * 40,
}
USERS = {"viewer": "harbour-viewer", "analyst": "harbour-analyst", "admin": "harbour-admin"}


@pytest.fixture(scope="module")
def signed_in_app(tmp_path_factory):
    url = demo_copy(tmp_path_factory.mktemp("access"))
    mp = pytest.MonkeyPatch()
    for key, value in OIDC_ENV.items():
        mp.setenv(key, value)
    from harbour.warehouse import current

    current.use(url)
    app = app_module.create_app(exposed=True)
    yield app, url
    mp.undo()


def _client(app, role):
    web = app.server.test_client()
    if role:
        with web.session_transaction() as session:
            session.update(live_session({"sub": role, "email": f"{role}@force.example", "roles": [USERS[role]]}))
    return web


def live_session(user: dict) -> dict:
    """What the sign-in's callback leaves: the user's claims and the id of a sign-in the warehouse holds."""
    import secrets
    from datetime import datetime, timedelta

    from sqlalchemy import insert

    from harbour import access
    from harbour.warehouse.current import engine

    sid = secrets.token_urlsafe(32)
    table = access._signed_in_table()
    table.create(engine(), checkfirst=True)
    with engine().begin() as conn:
        conn.execute(
            insert(table).values(sid=sid, started_at=datetime(2026, 1, 1), ends_at=datetime.now() + timedelta(hours=1))
        )
    return {"user": user, "sid": sid, "idp": "harbour"}


def _page(web, path, search=""):
    answer = web.post(
        "/_dash-update-component", data=json.dumps(router_request(path, search)), content_type="application/json"
    )
    return answer.status_code, answer.get_data(as_text=True)


def _download(web, path, search, fmt, panel="chart-horizons"):
    body = {
        "output": "download-file.data",
        "outputs": {"id": "download-file", "property": "data"},
        "inputs": [
            {"id": {"type": "download", "panel": panel, "format": fmt}, "property": "n_clicks", "value": 1},
            {"id": "download-slides", "property": "n_clicks", "value": 0},
        ],
        "changedPropIds": [
            json.dumps({"format": fmt, "panel": panel, "type": "download"}, separators=(",", ":")) + ".n_clicks"
        ],
        "state": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
    }
    return web.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def test_without_a_session_every_request_is_sent_to_sign_in(signed_in_app):
    app, _ = signed_in_app
    web = _client(app, None)
    # (The provider here is never reachable, so the redirect to it fails: no page is served either way.
    # tests/browser/test_sign_in.py signs in through a real provider.)
    assert web.get("/retention").status_code != 200
    status, body = _page(web, "/")
    assert status != 200 and "kpi-retention" not in body


def test_a_viewer_sees_publication_figures_and_is_refused_the_rest(signed_in_app):
    app, _ = signed_in_app
    web = _client(app, "viewer")
    status, body = _page(web, "/")
    assert status == 200 and "kpi-retention" in body and "OFFICIAL-SENSITIVE" not in body
    assert "Show exact figures" not in body
    # Forged: the URL switch to exact figures, the access log, the load history, a table download.
    status, body = _page(web, "/", "?audience=internal")
    assert "Exact figures are for analysts" in body and "kpi-retention" not in body
    status, body = _page(web, "/access-log")
    assert "This page is for the admin role" in body and "table-access-log" not in body
    status, body = _page(web, "/data-quality")
    assert "This page is for the admin role" in body
    assert _download(web, "/retention", "", "csv").status_code == 403
    assert _download(web, "/retention", "?audience=internal", "png", "chart-km").status_code == 403


def test_an_analyst_switches_to_exact_figures_under_the_marking_and_downloads_tables(signed_in_app):
    app, url = signed_in_app
    web = _client(app, "analyst")
    status, body = _page(web, "/")
    assert "Show exact figures (OFFICIAL-SENSITIVE)" in body
    status, body = _page(web, "/", "?audience=internal")
    # The exact 28-day rate, as harbour summary --exact gives it, to the one decimal that exact pages show.
    exact = json.loads(
        CliRunner().invoke(main, ["summary", "--exact", "--force", "ELMSHIRE", "--warehouse", url]).output
    )
    shown = f"{exact['periods']['pilot']['retention']['28d']['rate'] * 100:.1f}%"
    assert status == 200 and "OFFICIAL-SENSITIVE" in body and shown in body
    import base64

    answer = _download(web, "/retention", "?audience=internal", "csv")
    content = base64.b64decode(answer.get_json()["response"]["download-file"]["data"]["content"]).decode("utf-8-sig")
    assert answer.status_code == 200 and content.lstrip('"').startswith("OFFICIAL-SENSITIVE")
    status, body = _page(web, "/access-log")
    assert "This page is for the admin role" in body


def test_an_admin_reads_the_access_log_of_every_view_and_download(signed_in_app):
    app, _ = signed_in_app
    _page(_client(app, "viewer"), "/retention", "?force=FENWICK")
    # Its own download, not another test's (which may run on another worker, against another warehouse).
    assert _download(_client(app, "analyst"), "/retention", "?audience=internal", "csv").status_code == 200
    web = _client(app, "admin")
    status, body = _page(web, "/access-log")
    assert status == 200 and "table-access-log" in body
    assert "viewer@force.example" in body and "force=FENWICK" in body
    assert "analyst@force.example" in body and "harbour-retention-elmshire-exact-chart-horizons.csv" in body


def test_a_signed_in_user_with_no_harbour_role_sees_nothing(signed_in_app):
    app, _ = signed_in_app
    web = app.server.test_client()
    with web.session_transaction() as session:
        session.update(live_session({"sub": "x", "email": "someone@force.example", "roles": ["payroll"]}))
    status, body = _page(web, "/")
    assert "no Harbour role" in body and "kpi-retention" not in body


def test_exposed_without_sign_in_refuses_to_start(monkeypatch, tmp_path):
    from harbour import access

    create_app = app_module.create_app
    for key in OIDC_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("HARBOUR_AUTH", raising=False)
    with pytest.raises(access.RefuseToStart, match="HARBOUR_OIDC_ISSUER"):
        create_app(exposed=True)
    result = CliRunner().invoke(
        main, ["serve", "--host", "0.0.0.0", "--warehouse", f"sqlite:///{tmp_path / 'w.sqlite'}"]
    )
    assert result.exit_code == 2 and "sign-in" in result.output
    monkeypatch.setenv("HARBOUR_AUTH", "none")
    app = create_app(exposed=True)
    assert "Sign-in is off" in json.dumps(app.layout.to_plotly_json(), default=str)
    monkeypatch.setenv("HARBOUR_OIDC_ISSUER", "http://127.0.0.1:9/x")
    monkeypatch.delenv("HARBOUR_AUTH")
    with pytest.raises(access.RefuseToStart, match="HARBOUR_SECRET_KEY"):
        create_app(exposed=True)


def test_gunicorn_without_sign_in_refuses_to_start_and_says_what_to_set(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("HARBOUR_")}
    env["HARBOUR_WAREHOUSE"] = f"sqlite:///{tmp_path / 'g.sqlite'}"
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", "127.0.0.1:0", "harbour.app:server"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Harbour refuses to start" in result.stderr and "HARBOUR_OIDC_ISSUER" in result.stderr


def test_a_page_drawn_once_is_served_to_each_person_with_their_own_identity(signed_in_app):
    """The rendered page is cached; who is signed in, and the analyst's switch, are put in on every request."""
    app, _ = signed_in_app
    search = "?force=FENWICK&sex=F"
    _, first = _page(_client(app, "analyst"), "/missing", search)
    _, second = _page(_client(app, "viewer"), "/missing", search)
    _, third = _page(_client(app, "analyst"), "/missing", search)
    assert "Signed in as analyst@force.example (analyst)" in first and "Show exact figures" in first
    assert "Signed in as viewer@force.example (viewer)" in second
    assert "analyst@force.example" not in second and "Show exact figures" not in second
    assert first == third  # the same person, the same page
    assert "harbour-slot-" not in first + second
    trees = [json.loads(b)["response"]["_pages_content"]["children"] for b in (first, second)]
    assert json.dumps(trees[0]).count("identity no-present") == 1
    _, log = _page(_client(app, "admin"), "/access-log")
    assert log.count("force=FENWICK&amp;sex=F") + log.count("force=FENWICK&sex=F") >= 3


def test_a_viewers_escape_character_cannot_break_the_admins_export_of_the_log(signed_in_app):
    """Found: `?force=%1B` once made the admin's XLSX of the access log answer 400 (openpyxl's
    IllegalCharacterError)."""
    import io

    from openpyxl import load_workbook

    app, _ = signed_in_app
    _page(_client(app, "viewer"), "/retention", "?force=%1B%00x")
    web = _client(app, "admin")
    answer = _download(web, "/access-log", "", "xlsx", panel="access-log")
    assert answer.status_code == 200, answer.status_code
    import base64

    content = base64.b64decode(json.loads(answer.data)["response"]["download-file"]["data"]["content"])
    cells = [c for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for c in row if c]
    assert any("force=\u241b\u2400x" in str(c) for c in cells)  # the characters shown, not lost


def test_every_entry_of_the_log_is_reachable_by_the_admin_a_page_at_a_time(signed_in_app):
    """Found: the page showed only the newest 500, so 501 requests hid an earlier one."""
    import re

    app, url = signed_in_app
    from harbour.warehouse import current

    current.use(url)  # (an earlier test's `harbour serve` pointed this process elsewhere)
    viewer = _client(app, "viewer")
    _page(viewer, "/missing", "?force=MARSHCOTE&marker=earliest")
    for _ in range(501):
        _page(viewer, "/")
    web = _client(app, "admin")
    status, body = _page(web, "/access-log")
    assert status == 200 and "marker=earliest" not in body  # the newest page: 500 others
    assert re.search(r"Entries [\d,]+ back to [\d,]+, newest first, of [\d,]+ in all", body)
    pages = 1
    while "marker=earliest" not in body:
        older = re.search(r"access-log(?:\?|\\u003f)before=(\d+)", body)
        assert older is not None, ("the earlier entry cannot be reached", re.findall(r".{80}before.{40}", body)[:3])
        status, body = _page(web, "/access-log", f"?before={older.group(1)}")
        pages += 1
        assert status == 200 and pages < 10
    assert "Newest entries" in body


def test_no_page_is_served_when_its_access_cannot_be_recorded(signed_in_app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from harbour import access

    app, _ = signed_in_app

    def fails(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(access, "record", fails)
    status, body = _page(_client(app, "viewer"), "/retention", "?force=FENWICK")
    assert "This page cannot be shown just now" in body and "kpi-retention" not in body
    assert "chart-horizons" not in body
    answer = _download(_client(app, "analyst"), "/retention", "?force=FENWICK", "csv")
    assert answer.status_code == 503
