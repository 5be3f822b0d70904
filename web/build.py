"""The view of a page for a query and an audience, built by its record's builder (pages.registry) and kept
in the shared view cache (web.cache): the one place that the pages, the downloads and the decks ask."""

from __future__ import annotations

from harbour.metrics.disclosure import Audience, publication
from harbour.metrics.filters import WHOLE_PERIODS_RULE
from harbour.pages.registry import report_for, standard_deck
from harbour.views.ask import Ask
from harbour.views.model import View
from harbour.web.cache import cached_view


def build(path: str, query: dict, facts, audience: Audience | None = None) -> View | None:
    """``build_uncached``'s view through the shared view cache (web.cache)."""
    audience = audience or publication()
    return cached_view(path, query, facts, audience, lambda: build_uncached(path, query, facts, audience))


def build_uncached(path: str, query: dict, facts, audience: Audience | None = None) -> View | None:
    """The view of ``path`` for ``query`` (the URL's parameters) made for ``audience``, or None for an
    unknown path. A report that the audience does not change is publication figures whatever the audience."""
    report = report_for(path)
    if report is None:
        return None
    ask = Ask(path, query, audience or publication())
    view = report.build(ask, facts)
    ranges = [p for p in ask.problems if WHOLE_PERIODS_RULE in p]
    if view is not None and report.filtered and ranges:  # said on the page and on every slide, never dropped silently
        view.notices.insert(0, ranges[0][:1].upper() + ranges[0][1:] + ".")
    return view


def standard_views(query: dict, facts, audience: Audience | None = None) -> list[View]:
    """The standard conference deck's views (time series at the grain their views choose)."""
    audience = audience or publication()
    return [build(path, query, facts, audience) for path in standard_deck()]
