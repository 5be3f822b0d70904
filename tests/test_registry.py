"""Every page is described once, in its module's record (collected by pages.registry): a page added as one module
(its view and its record, nothing else) is in the navigation, the cache rules, the warm-up and ``harbour slides
--page``, and what the records say is what the rest of Harbour does."""

from __future__ import annotations

import importlib
import sys
import textwrap

import pytest
from click.testing import CliRunner

from harbour.cli import main
from harbour.pages import registry

from .support import demo_copy

EXTRA = "/extra-report"
MODULE = textwrap.dedent('''
    """A report that exists only for this test: its view and its record, nothing else."""
    from harbour.views.model import Panel, Table
    from harbour.views.report import Report


    def build(ask, facts):
        context = ask.context(facts)
        children = context.doc["periods"]["pilot"]["children"] or 0  # a count, or c
        table = Table("table-extra", "Children in the pilot", ["Period", ("Children", "count")], [["Pilot", children]])
        return context.view("/extra-report", "An extra report", "Added by a record alone.", [Panel(
            panel_id="extra", title="Children in the pilot", finding="Children in the pilot", summary="A count.",
            figure=None, table=table, notes=[], speaker_notes="A count.", open_table=True)])


    REPORT = Report("/extra-report", "Extra report", build, order=50, settings=("extra_setting",),
                    cached=True, warm=True, slides=True)
''')


@pytest.fixture
def extra_report(tmp_path, monkeypatch):
    """A report as one module in a package of pages, collected as harbour.pages is, and removed again afterwards."""
    package = tmp_path / "extra_pages"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "extra_report.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    saved, saved_modules = dict(registry.REPORTS), dict(registry.MODULES)
    found = registry.collect(importlib.import_module("extra_pages"))
    assert list(found) == [EXTRA]
    record, module = found[EXTRA]
    yield registry.add(record, module)
    registry.REPORTS.clear()
    registry.REPORTS.update(saved)
    registry.MODULES.clear()
    registry.MODULES.update(saved_modules)
    for name in ("extra_pages", "extra_pages.extra_report"):
        sys.modules.pop(name, None)


def test_every_page_module_holds_its_record_and_the_registry_collects_them_all():
    """One module a page: each module of harbour.pages but the registry and the not-found page holds a REPORT,
    and the registry holds exactly those, each once."""
    import pkgutil

    import harbour.pages

    modules = [m.name for m in pkgutil.iter_modules(harbour.pages.__path__)]
    pages = [m for m in modules if m not in ("registry", "not_found_404")]
    records = [importlib.import_module(f"harbour.pages.{m}").REPORT for m in pages]
    assert {r.path for r in records} == set(registry.REPORTS) and len(records) == len(registry.REPORTS)
    assert all(registry.MODULES[r.path] == f"harbour.pages.{m}" for r, m in zip(records, pages))


@pytest.fixture
def demo(tmp_path):
    url = demo_copy(tmp_path)
    return url


def test_a_page_added_by_its_record_alone_is_in_the_navigation(extra_report):
    from harbour.app import _nav

    hrefs = [item.children.href for item in _nav().children.children]
    assert EXTRA in hrefs
    assert hrefs.index(EXTRA) == len(hrefs) - 1  # order 50: after every other page
    assert "/access-log" not in hrefs  # its record says nav=False


def test_a_page_added_by_its_record_alone_is_in_the_cache_rules(extra_report, demo):
    from harbour.metrics.disclosure import PUBLICATION
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts
    from harbour.web import cache

    f = facts(engine_for(demo))
    base = cache.key(EXTRA, {}, f, PUBLICATION)
    assert base != cache.key(EXTRA, {"extra_setting": "2"}, f, PUBLICATION)  # a setting its record names shapes it
    assert base == cache.key(EXTRA, {"grain": "quarter"}, f, PUBLICATION)  # one it does not name, not
    assert base != cache.key(EXTRA, {"sex": "F"}, f, PUBLICATION)  # it takes the filters


def test_a_page_added_by_its_record_alone_is_warmed(extra_report, demo, tmp_path, monkeypatch):
    import hashlib

    from harbour.metrics.disclosure import publication
    from harbour.warehouse import current
    from harbour.web import cache
    from harbour.web.warm import warm

    monkeypatch.setenv("HARBOUR_CACHE_DIR", str(tmp_path / "cache"))
    assert EXTRA in registry.warmed()
    current.use(demo)
    from harbour.app import create_app

    create_app()
    f = current.current_facts()
    drawn, _ = warm(f, processes=1)
    assert drawn == (len(f.forces) + 1) * len(registry.warmed())
    # Warmed for the deployment's publication audience (its method: HARBOUR_DISCLOSURE).
    name = "view:" + hashlib.sha256(cache.page_key(EXTRA, {}, f, publication(), True).encode()).hexdigest()
    assert cache._store().get(name) is not None  # the extra page itself is in the page cache


def test_a_page_added_by_its_record_alone_has_a_deck(extra_report, demo, tmp_path):
    from pptx import Presentation

    out = tmp_path / "extra.pptx"
    result = CliRunner().invoke(main, ["slides", "--page", EXTRA, "--out", str(out), "--warehouse", demo])
    assert result.exit_code == 0, result.output
    texts = " ".join(
        shape.text_frame.text for slide in Presentation(out).slides for shape in slide.shapes if shape.has_text_frame
    )
    assert "Children in the pilot" in texts


def test_a_page_whose_record_says_no_deck_is_refused_by_harbour_slides(demo, tmp_path):
    result = CliRunner().invoke(
        main, ["slides", "--page", "/access-log", "--out", str(tmp_path / "x.pptx"), "--warehouse", demo]
    )
    assert result.exit_code == 2 and "is not a page with a deck" in result.output


def test_the_records_say_what_the_pages_do():
    """The standard deck, the admin pages and the pages never cached are the records' words, in their order."""
    assert registry.standard_deck() == (
        "/",
        "/retention",
        "/engagement",
        "/before-after",
        "/attribution",
        "/missing",
        "/value",
    )
    assert {path for path, r in registry.REPORTS.items() if r.role == "admin"} == {"/data-quality", "/access-log"}
    assert {path for path, r in registry.REPORTS.items() if not r.cached} == {"/data-quality", "/access-log"}
    assert "/access-log" not in registry.deck_pages() and "/benchmark" in registry.deck_pages()
