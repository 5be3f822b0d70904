"""Each request read once, at its edge: who asks, with what role, for which audience, with which filters
and settings, and whether they may. The page, the download callback and the slides all take this value.

``Ask`` (views.ask) is what a view is built from (the page, the URL's query, the audience); ``Request`` adds
the person asking, the page's record and, where they may not have what they asked for, why, in words. Nothing below the
edge reads the
person, the role or the audience from anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from harbour import access
from harbour.metrics.disclosure import INTERNAL, publication
from harbour.pages.registry import Report, report_for
from harbour.views.ask import Ask, parse_search  # noqa: F401  (parse_search: the edge parses the URL with it)

AUDIENCE_CONFIG = "HARBOUR_AUDIENCE"


@dataclass(frozen=True)
class Request(Ask):
    """One request of a person: an ``Ask`` with who is asking, and ``refusal``, why they may not have it (None
    when they may)."""

    person: object = None  # access.Person
    report: Report | None = None  # the page's record (pages.registry), None for a path that is no page
    refusal: str | None = None
    started_internal: bool = False  # this server serves one analyst exact figures (harbour serve --audience internal)


def started_internal() -> bool:
    try:
        return current_app.config.get(AUDIENCE_CONFIG) == INTERNAL.name
    except RuntimeError:  # outside a request (tests, the CLI)
        return False


def read(path: str | None, query: dict, need: str = "viewer") -> Request:
    """The request for ``path`` with ``query`` made by whoever is signed in. ``need``: the least role the request
    itself needs (a table download needs an analyst), besides the page's own."""

    path = path or "/"
    person = access.current_person()
    report = report_for(path)
    page_role = report.role if report is not None else "viewer"
    internal = started_internal()
    audience, refusal = publication(), None
    if person.role is None:
        refusal = (
            "You are signed in, but your account has no Harbour role. Ask whoever runs Harbour here to give you "
            "the viewer, analyst or admin role."
        )
    elif not person.may(page_role):
        refusal = f"This page is for the {page_role} role; you are signed in as a {person.role}."
    elif not person.may(need):
        refusal = f"This is for the {need} role; you are signed in as a {person.role}."
    elif internal:
        audience = INTERNAL
    elif query.get("audience") == INTERNAL.name:
        if person.may("analyst"):
            audience = INTERNAL
        else:
            refusal = (
                "Exact figures are for analysts; you are signed in as a viewer. The pages show publication figures."
            )
    return Request(path, query, audience, person=person, report=report, refusal=refusal, started_internal=internal)
