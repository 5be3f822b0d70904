"""A cache of built views, shared by every worker through the file system (cachelib, the Pallets library
under Flask-Caching).

A view is keyed by the facts' generation (which warehouse, which load: a new load makes new keys, so
nothing stale is ever served), the code that draws it (an upgraded Harbour never serves pages its
earlier version drew), the audience, the page and its canonical query (the filters that shape it, resolved
and in a fixed order, defaults explicit; the settings its record names; presentation settings dropped).
What shapes a page, and whether it is cached at all, is its record's to say (pages.registry): a page whose
view reads more than the facts is keyed by that too (benchmarking by the imported peers), or never cached
(data quality reads the load history, the access log itself). Permissions are checked before the cache is
asked, never inside what it holds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets

import orjson
from plotly.io.json import to_json_plotly

from harbour.metrics.filters import Filters, resolve
from harbour.pages.registry import Report, report_for
from harbour.views import store
from harbour.views.store import _caches, _store, code_fingerprint  # noqa: F401  (the cache's own names, for its callers)

log = logging.getLogger(__name__)


def key(path: str, query: dict, facts, audience) -> str:

    report = report_for(path) or Report(path, path, build=lambda ask, facts: None)
    filters = resolve(Filters.from_query(query), facts.forces) if report.filtered else Filters()
    ignored = []
    if report.shaped_by == "force":  # its figures are every force's, whatever the filters; only the selection counts
        # (and which filters it says it does not apply: their names, never their values)
        ignored = sorted(k for k, v in filters.to_query().items() if v and k != "force")
        filters = Filters(force=filters.force)
    canonical = {
        "page": path,
        "audience": audience.name,
        "method": audience.disclosure,
        "generation": facts.generation,
        "code": code_fingerprint(),
        "filters": sorted(filters.to_query().items()),
        "not_applied": ignored,
        "settings": sorted((k, str(query[k])) for k in report.settings if k in query),
    }
    if report.reads is not None:  # what the view reads besides the facts (benchmarking: the imported peers)
        canonical["reads"] = report.reads()
    return "view-" + hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def cached_view(path: str, query: dict, facts, audience, build):
    """The view from the cache, or ``build()``'s, stored for every worker. Any cache failure builds afresh."""
    return _cached(path, facts, lambda: key(path, query, facts, audience), build)


def cached_file(path: str, query: dict, facts, audience, what: str, make):
    """A download made from a view (an image, a table file, a deck), cached like the view itself; ``what``
    names the file within the view (panel, format, and for a deck the day it is dated)."""
    return _cached(path, facts, lambda: key(path, query, facts, audience) + "-" + what, make)


def page_key(path: str, query: dict, facts, audience, filtered: bool) -> str:
    """A rendered page: its view's key and everything else the page is drawn from (the whole query,
    since its links carry it, presentation settings included)."""
    raw = json.dumps(sorted((str(k), str(v)) for k, v in query.items()))
    return f"{key(path, query, facts, audience)}-page-{int(filtered)}-{hashlib.sha256(raw.encode()).hexdigest()}"


def cached_page(path: str, query: dict, facts, audience, filtered: bool, render, person_parts: list):
    """A page as Dash sends it, drawn once and kept as JSON text for every worker.

    ``render(slot)`` draws the page with ``slot`` where the person-specific parts go (who is signed
    in, the audience switch); those are never cached, and are put in place on every request. Dash
    sends the result as it is, without walking a tree of thousands of components again.
    """

    def draw() -> dict:
        token = "harbour-slot-" + secrets.token_hex(16)  # no text from a bundle can be this
        return {"slot": token, "json": to_json_plotly(render(token)).encode()}

    drawn = _cached(path, facts, lambda: page_key(path, query, facts, audience, filtered), draw)
    parts = to_json_plotly(person_parts).encode()[1:-1] if person_parts else b"null"
    return orjson.Fragment(drawn["json"].replace(b'"' + drawn["slot"].encode() + b'"', parts, 1))


def _cached(path: str, facts, name_of, build):

    report = report_for(path)
    if (report is not None and not report.cached) or not facts.generation:
        return build()
    return store.remember(name_of(), build)
