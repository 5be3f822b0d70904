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
