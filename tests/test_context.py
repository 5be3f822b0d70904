"""A view's Context (its summary and cohorts) is made once and shared by every page of that view
(views.context.context_for): safe only if no page changes it. Every page of several views, in every audience, is
built through the shared Context, which must then equal one made afresh."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from harbour.metrics.disclosure import INTERNAL, PUBLICATION, Audience
from harbour.views.ask import Ask
from harbour.views.context import Context, context_for
from harbour.views.series import fresh_series, series_for

from .support import built_demo

AUDIENCES = (PUBLICATION, Audience("publication", method="perturbation"), INTERNAL)


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    from harbour.app import create_app

    _, facts = built_demo(tmp_path_factory.mktemp("context"), "pilot")
    create_app()
    return facts


def _same(a: Context, b: Context) -> None:
    dump = lambda doc: json.dumps(doc, sort_keys=True, default=str)  # noqa: E731 (NaN and dates as text)
    assert dump(a.doc) == dump(b.doc)
    assert a.groups.keys() == b.groups.keys()
    for period in a.groups:
        pd.testing.assert_frame_equal(a.groups[period], b.groups[period])
    assert a.filters == b.filters and a.left_out == b.left_out and a.audience == b.audience
    assert a.attributed == b.attributed or repr(a.attributed) == repr(b.attributed)
    assert a.wider.__len__() == b.wider.__len__()


@pytest.mark.parametrize("query", [{}, {"force": "FENWICK", "sex": "F"}, {"force": "ALL"}], ids=str)
def test_building_every_page_leaves_the_shared_context_as_a_fresh_one(facts, query):
    from harbour.pages.registry import REPORTS
    from harbour.web.build import build_uncached

    for audience in AUDIENCES:
        shared = Ask("/", query, audience).context(facts)
        for path in REPORTS:
            build_uncached(path, query, facts, audience)
        assert Ask("/retention", query, audience).context(facts) is shared  # one Context for the view's pages
        ask = Ask("/", query, audience)
        fresh = Context(facts, ask.resolved(facts), audience)
        _same(shared, fresh)
        for grain in ("month", "quarter"):  # the points the pages shared, as made afresh
            pd.testing.assert_frame_equal(series_for(shared, grain), fresh_series(fresh, grain))


def test_a_context_is_not_shared_across_audiences_filters_or_facts(facts):
    a = context_for(facts, Ask("/", {}).resolved(facts), PUBLICATION)
    assert context_for(facts, Ask("/", {}).resolved(facts), INTERNAL) is not a
    assert context_for(facts, Ask("/", {"sex": "M"}).resolved(facts), PUBLICATION) is not a
    other = type(facts)(**{**facts.__dict__, "generation": "another-load"})
    assert context_for(other, Ask("/", {}).resolved(other), PUBLICATION) is not a


def test_only_the_most_recent_contexts_are_kept(facts):
    from harbour.metrics.filters import AGE_BANDS, CONTACT_ROUTES, SEXES
    from harbour.views import context

    context.forget_contexts()
    asks = [
        Ask("/", {"sex": s, "age_band": a, "contact_route": r})
        for s in SEXES
        for a in AGE_BANDS
        for r in CONTACT_ROUTES
    ]
    assert len(asks) > context.CONTEXTS_KEPT
    made = [a.context(facts) for a in asks]
    assert len(context._CONTEXTS) == context.CONTEXTS_KEPT
    assert asks[-1].context(facts) is made[-1]  # the latest still kept
    assert asks[0].context(facts) is not made[0]  # the oldest made again


def test_a_page_that_does_not_show_the_attribution_does_not_fit_it(facts, monkeypatch):
    """The attribution's refits are the heaviest work a view asks for, and only /, /attribution and /value show what
    they find: /retention, /engagement, /missing and /before-after of a view nobody has asked for fit nothing, and
    the overview of the same view then has the attribution a fresh Context gives."""
    from harbour.pages.registry import REPORTS
    from harbour.views import context
    from harbour.web.build import build_uncached

    query = {"force": "ELMSHIRE", "sex": "M", "age_band": "16-17"}
    audience = Audience("publication", method="perturbation")
    context.forget_contexts()
    context._MEMO.clear()
    real = context.attributed
    monkeypatch.setattr(context, "attributed", lambda *a, **k: pytest.fail("fitted for a page that hides it"))
    for path in ("/retention", "/engagement", "/missing", "/before-after"):
        assert path in REPORTS and build_uncached(path, query, facts, audience) is not None
    shown = Ask("/retention", query, audience).context(facts, attribution=False)
    assert not shown.with_attribution and shown.doc["attribution"] is None
    monkeypatch.setattr(context, "attributed", real)
    build_uncached("/", query, facts, audience)
    overview = Ask("/", query, audience).context(facts)
    assert overview is not shown and overview.with_attribution
    fresh = Context(facts, Ask("/", query, audience).resolved(facts), audience)
    _same(overview, fresh)
    assert overview.doc["attribution"] is not None or overview.doc["attribution_reason"] != context.NOT_ASKED
    # and now that it is worked out, the pages that do not show it share the overview's Context
    assert Ask("/retention", query, audience).context(facts, attribution=False) is overview
