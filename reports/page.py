"""A page's layout from its view: the one function every page module calls.

The audience is decided here, at the request's edge, and handed down: today from how the server
was started (``harbour serve --audience internal`` on the loopback address), later from a
signed-in role. Nothing below this reads it from anywhere else.
"""

from __future__ import annotations

import logging

from metrics.disclosure import PUBLICATION, Audience
from metrics.filters import Filters, resolve
from reports.registry import build
from warehouse.current import current_facts

AUDIENCE_CONFIG = "HARBOUR_AUDIENCE"
log = logging.getLogger(__name__)


def request_audience() -> Audience:
    """The audience of the current request: publication unless this server was started for internal use."""
    try:
        from flask import current_app

        name = current_app.config.get(AUDIENCE_CONFIG, PUBLICATION.name)
    except RuntimeError:  # outside a request (tests, the CLI): publication
        return PUBLICATION
    return Audience(name)


def layout_for(path: str, query: dict, before=(), filtered: bool = True):
    """The page at ``path`` for the URL's ``query``: the empty-warehouse page, or the rendered view."""
    from sqlalchemy.exc import SQLAlchemyError

    from components.render import render
    from components.shell import empty_warehouse, unreadable_warehouse

    try:
        facts = current_facts()
    except (SQLAlchemyError, OSError) as exc:
        log.warning("the warehouse cannot be read: %s", type(exc).__name__)
        return unreadable_warehouse()
    if facts.forces.empty and path != "/methodology":
        return empty_warehouse()
    view = build(path, query, facts, request_audience())
    filters = resolve(Filters.from_query(query), facts.forces) if filtered else Filters()
    return render(view, facts, filters, query, before=before, show_filters=filtered)
