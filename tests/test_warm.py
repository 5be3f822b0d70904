"""Every force's default pages are drawn before anyone asks: the first visitor is served from the cache."""

import time

import pytest
from click.testing import CliRunner

from cli import main
from tests.page_requests import render


@pytest.fixture
def demo(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert CliRunner().invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    monkeypatch.setenv("HARBOUR_CACHE_DIR", str(tmp_path / "cache"))
    return url


def test_harbour_warm_draws_every_default_page_and_the_first_visitor_gets_them(demo, monkeypatch):
    from reports import cache
    from reports.registry import warmed
    from warehouse import current

    PAGES = warmed()

    result = CliRunner().invoke(main, ["warm", "--warehouse", demo])
    assert result.exit_code == 0, result.output
    current.use(demo)
    facts = current.current_facts()
    forces = list(facts.forces["force_code"])
    assert f"{(len(forces) + 1) * len(PAGES)} default pages ready" in result.output

    drawn = []
    real = cache._cached

    def watching(path, facts_, name_of, build):
        return real(path, facts_, name_of, lambda: drawn.append(path) or build())

    monkeypatch.setattr(cache, "_cached", watching)
    from app import app

    client = app.server.test_client()
    for path in PAGES:
        for search in ("", f"?force={forces[-1]}"):
            started = time.perf_counter()
            status, body = render(client, path, search)
            assert status == 200 and b"page-title" in body
            assert time.perf_counter() - started < 0.5
    assert drawn == []  # nothing was drawn: every page came from the cache
    render(client, "/retention", f"?force={forces[-1]}&sex=F")
    assert drawn  # and a view nobody drew in advance is drawn on demand
