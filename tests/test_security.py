"""The server's defences, written as the attacks: the headers on every answer, a foreign Host header
(DNS rebinding), a huge POST, and what the page tells about versions."""

import json

import pytest
from click.testing import CliRunner

from harbour.cli import main
from harbour.web.inprocess import client, router_request

from .support import demo_copy


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    url = demo_copy(tmp_path_factory.mktemp("security"))
    return client(url)


def test_every_answer_carries_the_security_headers(web):
    for path in ("/", "/retention", "/_dash-layout", "/_dash-dependencies", "/assets/harbour.css"):
        headers = web.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_hsts_is_sent_over_https_only(web):
    assert "Strict-Transport-Security" not in web.get("/").headers
    assert "max-age" in web.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_a_foreign_host_header_is_refused(web):
    # DNS rebinding: evil.example resolves to the officer's PC; the browser sends Host: evil.example.
    body = json.dumps(router_request("/", ""))
    attack = web.post(
        "/_dash-update-component", data=body, content_type="application/json", headers={"Host": "evil.example"}
    )
    assert attack.status_code == 400
    assert web.get("/", headers={"Host": "evil.example:8050"}).status_code == 400
    ok = web.post(
        "/_dash-update-component", data=body, content_type="application/json", headers={"Host": "127.0.0.1:8050"}
    )
    assert ok.status_code == 200


def test_a_huge_post_is_refused_before_it_is_read(web):
    answer = web.post("/_dash-update-component", data=b"x" * (2 * 1024 * 1024), content_type="application/json")
    assert answer.status_code == 413


def test_the_page_names_no_software_version(web):
    page = web.get("/").get_data(as_text=True)
    config = json.loads(page.split('<script id="_dash-config" type="application/json">')[1].split("</script>")[0])
    for key in ("dash_version", "python_version", "plotly_version", "dash_version_url"):
        assert key not in config
    assert config["disable_version_check"] is True
    assert "dash-version.plotly.com" not in page


def test_the_development_server_names_no_software():
    from werkzeug.serving import WSGIRequestHandler

    from harbour import security

    security.quiet_dev_server()
    assert WSGIRequestHandler.server_version == "Harbour" and WSGIRequestHandler.sys_version == ""


def test_the_debugger_and_internal_figures_stay_on_loopback(monkeypatch, tmp_path):
    monkeypatch.setenv("HARBOUR_DEBUG", "1")
    result = CliRunner().invoke(
        main, ["serve", "--host", "0.0.0.0", "--warehouse", f"sqlite:///{tmp_path / 'w.sqlite'}"]
    )
    assert result.exit_code == 2 and "debugger" in result.output


def _post(web, body):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return web.post("/_dash-update-component", data=data, content_type="application/json")


def test_crafted_callback_bodies_get_400_never_500(web):
    deep = b'{"output": "x", "n": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"  # a RecursionError for json
    good = router_request("/", "")
    crafted = [
        b"null",
        b"[]",
        b"[1, 2]",
        b'"text"',
        b"{",
        deep,
        {**good, "output": None},
        {**good, "inputs": "everything"},
        {**good, "inputs": [1, 2]},
        {
            **good,
            "output": "no-such-component.children",
            "outputs": {"id": "no-such-component", "property": "children"},
        },
        {
            **good,
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": ["/", "/x"]},
                {"id": "_pages_location", "property": "search", "value": {"a": 1}},
            ],
        },
        {
            "output": "value-apply.n_clicks",
            "outputs": {"id": "_pages_location", "property": "search"},
            "inputs": [{"id": "value-apply", "property": "n_clicks", "value": "lots"}],
            "state": [],
        },
    ]
    for body in crafted:
        answer = _post(web, body)
        assert answer.status_code in (200, 204, 400), (str(body)[:80], answer.status_code)
        assert b"Traceback" not in answer.data


def test_the_value_model_takes_a_bad_number_as_a_message(web):
    from harbour.web.inprocess import render

    status, body = render(web, "/value", "?cost=abc&uplift=-5&scheme_cost=1e99")
    assert status == 200
    assert b"is not a number; the default is used" in body and b"must be between 0 and" in body


def test_unknown_component_suite_paths_are_404_and_each_callback_is_listed_once(web):
    """Found: unknown paths under /_dash-component-suites/ answered 500; /_dash-dependencies listed two callbacks twice
    (a process that makes more than one app, as `harbour serve` does)."""
    import collections

    from harbour import app as app_module

    for path in (
        "/_dash-component-suites/dash/nothing.js",
        "/_dash-component-suites/../../etc/passwd",
        "/_dash-component-suites/dash_bootstrap_components/x.v1m1.js",
    ):
        answer = web.get(path)
        assert answer.status_code == 404 and b"Traceback" not in answer.data, path
    second = app_module.create_app(exposed=False).server.test_client()
    for each in (web, second):
        deps = json.loads(each.get("/_dash-dependencies").data)
        listed = collections.Counter(json.dumps([d["output"], d["inputs"]]) for d in deps)
        assert [k for k, n in listed.items() if n > 1] == []


def _scripts(page: bytes) -> list[str]:
    import re

    return re.findall(rb'<script src="(/_dash-component-suites/[^"]+)"', page)


@pytest.mark.parametrize("which", ["dashboard", "hub"])
def test_a_new_worker_serves_its_scripts_to_threads_that_arrive_together(which, tmp_path, monkeypatch):
    """Seen in CI: a new gthread worker's first requests, for react.js and the rest at once, answered 404 to
    all but the first (Dash marks itself set up as it starts setting up), so the page stayed blank. Here setting
    up is made slow, and eight threads ask for the page's scripts at once."""
    import threading
    import time

    from dash import Dash

    if which == "hub":
        from harbour.hub.app import create_hub

        def make():
            return create_hub(f"sqlite:///{tmp_path / 'hub.sqlite'}").server
    else:
        from harbour import app as app_module

        def make():
            return app_module.create_app(exposed=False).server

    scripts = _scripts(make().test_client().get("/").data)
    assert len(scripts) >= 5
    original = Dash._generate_scripts_html

    def slow(self):
        time.sleep(0.5)
        return original(self)

    monkeypatch.setattr(Dash, "_generate_scripts_html", slow)
    server = make()
    answers, start = [], threading.Barrier(8)

    def fetch(path):
        start.wait()
        answers.append((server.test_client().get(path.decode()).status_code, path))

    threads = [threading.Thread(target=fetch, args=(scripts[i % len(scripts)],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == sorted((200, scripts[i % len(scripts)]) for i in range(8))
