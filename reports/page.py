"""A page's layout from its view: the one function every page module calls.

The audience is decided here, at the request's edge, and handed down: today from how the server
was started (``harbour serve --audience internal`` on the loopback address), later from a
signed-in role. Nothing below this reads it from anywhere else.
"""

from __future__ import annotations

import logging

from metrics.disclosure import INTERNAL, PUBLICATION, Audience
from metrics.filters import Filters, resolve
from reports.registry import build
from warehouse.current import current_facts, engine

AUDIENCE_CONFIG = "HARBOUR_AUDIENCE"
log = logging.getLogger(__name__)


# The pages whose figures differ between the audiences (where the analyst's switch means something).
AUDIENCE_PAGES = {"/", "/retention", "/engagement", "/before-after", "/missing", "/value"}
# Pages that need more than a viewer.
PAGE_ROLES = {"/data-quality": "admin", "/access-log": "admin"}


class NotPermitted(Exception):
    """The signed-in person's role does not allow what the request asks for."""


def request_audience(query: dict | None = None) -> Audience:
    """The audience of the current request: internal where this server was started for one analyst
    (`harbour serve --audience internal`), or where an analyst or admin switched to exact figures
    (``audience=internal`` in the URL); publication otherwise. A viewer asking for exact figures is refused."""
    import access

    try:
        from flask import current_app

        name = current_app.config.get(AUDIENCE_CONFIG, PUBLICATION.name)
    except RuntimeError:  # outside a request (tests, the CLI): publication
        return PUBLICATION
    if name == INTERNAL.name:
        return INTERNAL
    if (query or {}).get("audience") == INTERNAL.name:
        if not access.current_person().may("analyst"):
            raise NotPermitted("exact figures are for analysts")
        return INTERNAL
    return PUBLICATION


def layout_for(path: str, query: dict, before=(), filtered: bool = True):
    """The page at ``path`` for the URL's ``query``: the empty-warehouse page, or the rendered view."""
    from sqlalchemy.exc import SQLAlchemyError

    import access
    from components.shell import empty_warehouse, not_permitted, unreadable_warehouse

    person = access.current_person()
    if person.role is None:
        return not_permitted("You are signed in, but your account has no Harbour role. Ask whoever runs Harbour "
                             "here to give you the viewer, analyst or admin role.")
    if not person.may(PAGE_ROLES.get(path, "viewer")):
        return not_permitted(f"This page is for the {PAGE_ROLES[path]} role; you are signed in as a {person.role}.")
    try:
        audience = request_audience(query)
    except NotPermitted:
        return not_permitted("Exact figures are for analysts; you are signed in as a viewer. The pages show "
                             "publication figures.")
    try:
        facts = current_facts()
    except (SQLAlchemyError, OSError) as exc:
        log.warning("the warehouse cannot be read: %s", type(exc).__name__)
        return unreadable_warehouse()
    try:
        access.record(engine(), person, path, query, audience.name)
    except (SQLAlchemyError, OSError) as exc:  # a read-only warehouse still serves; the gap is logged
        log.warning("the access log could not be written: %s", type(exc).__name__)
    if facts.forces.empty and path not in ("/methodology", "/access-log"):
        return empty_warehouse()
    return draw_page(path, query, facts, audience, before, filtered, _identity(person, audience, query, path))


def draw_page(path: str, query: dict, facts, audience: Audience, before=(), filtered: bool = True,
              person_parts: list | None = None):
    """The page's content as Dash sends it, from the page cache (drawn on a miss), with ``person_parts``
    (who is signed in) in their place. Permissions are the caller's to check first."""
    from components.render import render
    from reports.cache import cached_page

    def draw(slot):
        view = build(path, query, facts, audience)
        filters = resolve(Filters.from_query(query), facts.forces) if filtered else Filters()
        return render(view, facts, filters, query, before=[slot, *before], show_filters=filtered)

    return cached_page(path, query, facts, audience, filtered, draw, person_parts or [])


def _identity(person, audience: Audience, query: dict, path: str) -> list:
    """Who is signed in, the sign-out link, and for analysts the switch between the two audiences."""
    from urllib.parse import urlencode

    from dash import dcc, html

    import access

    items = []
    if access.mode() == "oidc":
        items += [f"Signed in as {person.name} ({person.role}). ", html.A("Sign out", href="/oidc/logout")]
    try:
        from flask import current_app

        started_internal = current_app.config.get(AUDIENCE_CONFIG) == INTERNAL.name
    except RuntimeError:
        started_internal = False
    if person.may("analyst") and not started_internal and path in AUDIENCE_PAGES:
        rest = {k: v for k, v in query.items() if k != "audience"}
        if audience.exact:
            items += [" ", dcc.Link("Show publication figures", href="?" + urlencode(rest, safe=","),
                                    id="audience-switch")]
        else:
            items += [" ", dcc.Link("Show exact figures (OFFICIAL-SENSITIVE)",
                                    href="?" + urlencode({**rest, "audience": INTERNAL.name}, safe=","),
                                    id="audience-switch")]
    return [html.P(items, className="identity no-present")] if items else []
