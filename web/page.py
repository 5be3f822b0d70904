"""A page's layout from its view, behind one guard.

``register_pages`` turns each page's record (harbour.pages.registry) into a Dash page. ``layout_for`` reads the request
once (web.request), refuses what the person may not see, turns an unreadable warehouse into a message,
records the access, and draws the page through the page cache. The download callback takes the same guard.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import dash
from dash import dcc, html
from sqlalchemy.exc import SQLAlchemyError

from harbour import access
from harbour.components.shell import empty_warehouse, not_permitted, unreadable_warehouse, unrecorded
from harbour.metrics.disclosure import INTERNAL
from harbour.metrics.filters import Filters
from harbour.pages import not_found_404
from harbour.pages.registry import MODULES, REPORTS, report_for
from harbour.render.page import render
from harbour.views.ask import Ask
from harbour.warehouse.current import current_facts, engine
from harbour.web.build import build
from harbour.web.cache import cached_page
from harbour.web.request import Request, read

log = logging.getLogger(__name__)


def register_pages() -> None:
    """Every page of the registry as a Dash page, its layout behind the guard, and the page for a path that is not
    one. Called by the app once it exists (Dash takes pages only then)."""
    for report in REPORTS.values():
        dash.register_page(
            MODULES[report.path],
            path=report.path,
            name=report.name,
            title=report.title(),
            order=report.order,
            nav=report.nav,
            layout=_layout(report.path),
        )
    dash.register_page(
        not_found_404.__name__,
        path=not_found_404.PATH,
        name="Page not found",
        title="Page not found · Harbour",
        nav=False,
        layout=not_found_404.layout,
    )


def guard(request: Request):
    """The page that stands in for what ``request`` may not have, or None when it may."""

    return not_permitted(request.refusal) if request.refusal else None


def record_access(request: Request, download: str | None = None) -> bool:
    """One entry in the access log for ``request`` (and the file it downloaded); False when it could not be written,
    and then nothing is served: an access the force cannot audit does not happen."""

    try:
        access.record(engine(), request.person, request.path, request.query, request.audience.name, download=download)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("the access log could not be written, so nothing was served: %s", type(exc).__name__)
        return False
    return True


def _layout(path: str):
    def layout(**query):  # Dash passes the URL's parameters as keywords
        return layout_for(path, query)

    return layout


def layout_for(path: str, query: dict):
    """The page at ``path`` for the URL's ``query``: refused, the unreadable- or empty-warehouse page, or the view."""

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
    """The page's content for ``request`` (a person's, or the warm-up's ``Ask`` for nobody in particular) as Dash
    sends it, from the page cache (drawn on a miss), with ``person_parts``
    (who is signed in) in their place. Permissions are the caller's to check first."""

    report = report_for(request.path)

    def draw(slot):
        view = build(request.path, request.query, facts, request.audience)
        filters = request.resolved(facts) if report.filtered else Filters()
        before = report.controls(request.query, facts) if report.controls is not None else []
        return render(view, facts, filters, request.query, before=[slot, *before], show_filters=report.filtered)

    return cached_page(request.path, request.query, facts, request.audience, report.filtered, draw, person_parts or [])


def _identity(request: Request) -> list:
    """Who is signed in, the sign-out link, and for analysts the switch between the two audiences."""

    person, query = request.person, request.query
    items = []
    if access.mode() == "oidc":
        items += [
            f"Signed in as {person.name} ({person.role}). ",
            # A form that POSTs this session's token: a link (a GET) could be sent by any page on the web.
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf", value=access.csrf_token() or "", id="sign-out-token"),
                    html.Button("Sign out", type="submit", className="link-button", id="sign-out"),
                ],
                method="POST",
                action="/oidc/logout",
                className="sign-out",
            ),
        ]
    if person.may("analyst") and not request.started_internal and request.report.audiences:
        rest = {k: v for k, v in query.items() if k != "audience"}
        if request.audience.exact:
            items += [
                " ",
                dcc.Link("Show publication figures", href="?" + urlencode(rest, safe=","), id="audience-switch"),
            ]
        else:
            items += [
                " ",
                dcc.Link(
                    "Show exact figures (OFFICIAL-SENSITIVE)",
                    href="?" + urlencode({**rest, "audience": INTERNAL.name}, safe=","),
                    id="audience-switch",
                ),
            ]
    return [html.P(items, className="identity no-present")] if items else []
