"""A page's layout from its view, behind one guard: the function every page module calls.

``register`` turns a report's record (reports.registry) into a Dash page. ``layout_for`` reads the request
once (reports.request), refuses what the person may not see, turns an unreadable warehouse into a message,
records the access, and draws the page through the page cache. The download callback takes the same guard.
"""

from __future__ import annotations

import logging

from harbour.reports.ask import Ask
from harbour.reports.request import Request, read

log = logging.getLogger(__name__)
_CONTROLS: dict = {}  # path -> the page module's controls above the figures: before(query, facts) -> components


def register_page(module: str, path: str, controls=None) -> None:
    """Register ``module`` as the Dash page of the report at ``path``, its layout behind the guard. ``controls``
    (query, facts) -> components: what the page shows above the figures (a form, a peer-group choice)."""
    import dash

    from harbour.reports.registry import report_for

    report = report_for(path)
    if controls is not None:
        _CONTROLS[path] = controls

    def layout(**query):
        return layout_for(path, query)

    dash.register_page(module, path=path, name=report.name, title=report.title(), order=report.order,
                       nav=report.nav, layout=layout)


def controls_for(path: str, query: dict, facts) -> list:
    controls = _CONTROLS.get(path)
    return controls(query, facts) if controls is not None else []


def guard(request: Request):
    """The page that stands in for what ``request`` may not have, or None when it may."""
    from harbour.components.shell import not_permitted

    return not_permitted(request.refusal) if request.refusal else None


def record_access(request: Request, download: str | None = None) -> bool:
    """One entry in the access log for ``request`` (and the file it downloaded); False when it could not be written,
    and then nothing is served: an access the force cannot audit does not happen."""
    from sqlalchemy.exc import SQLAlchemyError

    from harbour import access
    from harbour.warehouse.current import engine

    try:
        access.record(engine(), request.person, request.path, request.query, request.audience.name, download=download)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("the access log could not be written, so nothing was served: %s", type(exc).__name__)
        return False
    return True


def layout_for(path: str, query: dict):
    """The page at ``path`` for the URL's ``query``: refused, the unreadable- or empty-warehouse page, or the view."""
    from sqlalchemy.exc import SQLAlchemyError

    from harbour.components.shell import empty_warehouse, unreadable_warehouse, unrecorded
    from harbour.warehouse.current import current_facts

    request = read(path, query)
    refused = guard(request)
    if refused is not None:
        return refused
    try:
        facts = current_facts()
    except (SQLAlchemyError, OSError) as exc:
        log.warning("the warehouse cannot be read: %s", type(exc).__name__)
        return unreadable_warehouse()
    if not record_access(request):
        return unrecorded()
    if facts.forces.empty and request.report.needs_data:
        return empty_warehouse()
    return draw_page(request, facts, _identity(request))


def draw_page(request: Ask, facts, person_parts: list | None = None):
    """The page's content for ``request`` (a person's, or the warm-up's ``Ask`` for nobody in particular) as Dash sends it, from the page cache (drawn on a miss), with ``person_parts``
    (who is signed in) in their place. Permissions are the caller's to check first."""
    from harbour.components.render import render
    from harbour.metrics.filters import Filters
    from harbour.reports.cache import cached_page
    from harbour.reports.registry import report_for
    from harbour.reports.views import build

    report = report_for(request.path)

    def draw(slot):
        view = build(request.path, request.query, facts, request.audience)
        filters = request.resolved(facts) if report.filtered else Filters()
        before = controls_for(request.path, request.query, facts)
        return render(view, facts, filters, request.query, before=[slot, *before], show_filters=report.filtered)

    return cached_page(request.path, request.query, facts, request.audience, report.filtered, draw, person_parts or [])


def _identity(request: Request) -> list:
    """Who is signed in, the sign-out link, and for analysts the switch between the two audiences."""
    from urllib.parse import urlencode

    from dash import dcc, html

    from harbour import access
    from harbour.metrics.disclosure import INTERNAL

    person, query = request.person, request.query
    items = []
    if access.mode() == "oidc":
        items += [f"Signed in as {person.name} ({person.role}). ", html.A("Sign out", href="/oidc/logout")]
    if person.may("analyst") and not request.started_internal and request.report.audiences:
        rest = {k: v for k, v in query.items() if k != "audience"}
        if request.audience.exact:
            items += [" ", dcc.Link("Show publication figures", href="?" + urlencode(rest, safe=","),
                                    id="audience-switch")]
        else:
            items += [" ", dcc.Link("Show exact figures (OFFICIAL-SENSITIVE)",
                                    href="?" + urlencode({**rest, "audience": INTERNAL.name}, safe=","),
                                    id="audience-switch")]
    return [html.P(items, className="identity no-present")] if items else []
