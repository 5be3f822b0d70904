"""The shared view cache: the same view from the cache as built afresh, keyed so that a new load, another
audience or other filters never get a stale or someone else's view, and fast once cached."""

import time

import pytest
from click.testing import CliRunner

from harbour.cli import main
from harbour.metrics.disclosure import INTERNAL, PUBLICATION
from harbour.views import store
from harbour.warehouse.engine import engine_for
from harbour.warehouse.queries import facts
from harbour.web import cache
from harbour.web.build import build, build_uncached


@pytest.fixture
def demo(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert CliRunner().invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    return url


def test_a_cached_view_is_the_view_built_afresh_and_quick(demo):
    f = facts(engine_for(demo))
    first = build("/retention", {"force": "FENWICK"}, f)
    started = time.perf_counter()
    again = build("/retention", {"force": "FENWICK"}, f)
    elapsed = time.perf_counter() - started
    assert again == build_uncached("/retention", {"force": "FENWICK"}, f) == first
    assert elapsed < 0.05  # the target is 20 ms of server time; this leaves room for a loaded CI machine


def test_the_key_separates_audience_filters_and_settings_and_ignores_presentation(demo):
    f = facts(engine_for(demo))
    base = cache.key("/", {"force": "FENWICK"}, f, PUBLICATION)
    assert base != cache.key("/", {"force": "FENWICK"}, f, INTERNAL)
    assert base != cache.key("/", {"force": "FENWICK", "sex": "F"}, f, PUBLICATION)
    assert base != cache.key("/retention", {"force": "FENWICK"}, f, PUBLICATION)
    assert cache.key("/engagement", {"grain": "month"}, f, PUBLICATION) != cache.key("/engagement", {}, f, PUBLICATION)
    assert base == cache.key("/", {"force": "FENWICK", "present": "1", "slide": "2"}, f, PUBLICATION)
    assert base == cache.key("/", {"force": "fenwick", "sex": ""}, f, PUBLICATION)  # the same filters, resolved
    assert build("/", {"force": "FENWICK"}, f, INTERNAL).marking and not build("/", {"force": "FENWICK"}, f).marking
    # Benchmarking shows every force whatever the filters: only the selected force and its own settings count.
    # Benchmarking's figures are the same whatever the cohort's filters; its notice names those it does not apply
    # , so the filters' names, never their values, are in its key.
    bench = cache.key("/benchmark", {"force": "FENWICK"}, f, PUBLICATION)
    filtered = cache.key("/benchmark", {"force": "FENWICK", "sex": "F", "age_band": "16-17"}, f, PUBLICATION)
    assert filtered == cache.key("/benchmark", {"force": "FENWICK", "sex": "M", "age_band": "0-12"}, f, PUBLICATION)
    assert bench != filtered
    assert bench != cache.key("/benchmark", {"force": "ELMSHIRE"}, f, PUBLICATION)
    assert bench != cache.key("/benchmark", {"force": "FENWICK", "bench_period": "baseline"}, f, PUBLICATION)
    assert build("/benchmark", {"force": "FENWICK"}, f) == build_uncached("/benchmark", {"force": "FENWICK"}, f)
    assert build("/benchmark", {"force": "FENWICK", "sex": "F"}, f) == build_uncached(
        "/benchmark", {"force": "FENWICK", "sex": "F"}, f
    )


def test_a_new_load_invalidates_every_cached_view(demo):
    f = facts(engine_for(demo))
    before = build("/", {}, f)
    assert CliRunner().invoke(main, ["demo", "--seed", "5", "--warehouse", demo]).exit_code == 0
    g = facts(engine_for(demo))
    assert g.generation != f.generation
    after = build("/", {}, g)
    assert after == build_uncached("/", {}, g) and after.kpis != before.kpis


def test_an_upgraded_harbour_never_serves_what_its_earlier_code_drew(demo, tmp_path):
    """The key holds a digest of the code and assets: the same load under other code makes other keys."""
    f = facts(engine_for(demo))
    before = cache.key("/", {}, f, PUBLICATION)
    root = tmp_path / "harbour"
    (root / "reports").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "reports" / "store.py").write_text("# one version")
    (root / "assets" / "harbour.css").write_text("body {}")
    keys = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "__file__", str(root / "reports" / "store.py"))
        for css in ("body {}", "body { color: red }"):  # an asset changed between two versions
            (root / "assets" / "harbour.css").write_text(css)
            cache.code_fingerprint.cache_clear()
            keys.append(cache.key("/", {}, f, PUBLICATION))
    cache.code_fingerprint.cache_clear()
    assert len({before, *keys}) == 3
    assert cache.key("/", {}, f, PUBLICATION) == before  # the real code again, the same key


def test_a_chart_image_is_rendered_once_and_then_served_from_the_cache(demo, monkeypatch):
    from harbour.render import images
    from harbour.warehouse import current
    from harbour.web import downloads as callbacks

    current.use(demo)
    calls = []
    monkeypatch.setattr(images, "render", lambda figure, fmt, **kw: calls.append(fmt) or b"<svg/>")
    first = callbacks.file_for("/retention", {"force": "OAKVALE"}, "chart-km", "svg")
    second = callbacks.file_for("/retention", {"force": "OAKVALE"}, "chart-km", "svg")
    assert first == second and calls == ["svg"]
    callbacks.file_for("/retention", {"force": "OAKVALE"}, "chart-km", "svg", INTERNAL)
    assert calls == ["svg", "svg"]  # another audience is another image (it carries the marking)


def test_responses_are_compressed(demo):
    from harbour.web.inprocess import client

    web = client(demo)
    for path in ("/", "/_dash-dependencies", "/_dash-layout"):
        answer = web.get(path, headers={"Accept-Encoding": "gzip"})
        assert answer.status_code == 200 and answer.headers.get("Content-Encoding") == "gzip", path


def test_views_and_pages_are_shared_through_redis_where_the_deployment_has_one(demo, monkeypatch):
    """HARBOUR_REDIS_URL: the same keys, in Redis (the one .ci/run starts), shared by every worker and machine."""
    import os

    from .support import require

    url = os.environ.get("HARBOUR_TEST_REDIS_URL")
    require(url is not None, "Redis (HARBOUR_TEST_REDIS_URL)")
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    monkeypatch.setenv("HARBOUR_REDIS_URL", url)
    f = facts(engine_for(demo))
    first = build("/missing", {"force": "FENWICK"}, f)
    assert len(client.keys("harbour:view:*")) == 1
    cache._caches.clear()  # another worker: nothing in its memory, the view in Redis
    started = time.perf_counter()
    again = build("/missing", {"force": "FENWICK"}, f)
    assert time.perf_counter() - started < 0.05
    assert again == first == build_uncached("/missing", {"force": "FENWICK"}, f)
    assert len(client.keys("harbour:view:*")) == 1  # read, not built and written again
    # Redis gone: pages are built afresh, never an error.
    monkeypatch.setenv("HARBOUR_REDIS_URL", "redis://127.0.0.1:9/0")
    assert build("/missing", {"force": "FENWICK"}, f) == first
