"""Each request read once, at its edge: who asks, with what role, for which audience, with which filters
and settings, and whether they may. The page, the download callback and the slides all take this value.

``Ask`` is what a view is built from (the page, the URL's query, the audience); ``Request`` adds the person
asking and, where they may not have what they asked for, why, in words. Nothing below the edge reads the
person, the role or the audience from anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import parse_qsl

from metrics.disclosure import INTERNAL, PUBLICATION, Audience
from metrics.filters import Filters, resolve

AUDIENCE_CONFIG = "HARBOUR_AUDIENCE"


def parse_search(search: str | None) -> dict[str, str]:
    """A URL's query string (``?force=A&sex=F``, or without the ``?``) as a dict: the one parser of it."""
    return dict(parse_qsl((search or "").lstrip("?")))


@dataclass(frozen=True)
class Ask:
    """What one view is built from: the page's path, the URL's query (untrusted text), the audience."""

    path: str
    query: dict
    audience: Audience = PUBLICATION

    @cached_property
    def filters(self) -> Filters:
        """The URL's filters as given (anything malformed dropped), before a warehouse resolves them."""
        return Filters.from_query(self.query)

    @cached_property
    def problems(self) -> list[str]:
        """What in the URL's filters was not understood, in words ([] when all is well)."""
        return Filters.problems(self.query)

    @property
    def report(self):
        from reports.registry import report_for

        return report_for(self.path)

    def resolved(self, facts) -> Filters:
        """The filters the view uses: no force named means the lead force (metrics.filters.resolve)."""
        return resolve(self.filters, facts.forces)

    def context(self, facts):
        from reports.context import Context

        return Context(facts, self.resolved(facts), self.audience)


@dataclass(frozen=True)
class Request(Ask):
    """One request of a person: an ``Ask`` with who is asking, and ``refusal``, why they may not have it (None
    when they may)."""

    person: object = None  # access.Person
    refusal: str | None = None
    started_internal: bool = False  # this server serves one analyst exact figures (harbour serve --audience internal)


def started_internal() -> bool:
    try:
        from flask import current_app

        return current_app.config.get(AUDIENCE_CONFIG) == INTERNAL.name
    except RuntimeError:  # outside a request (tests, the CLI)
        return False


def read(path: str | None, query: dict, need: str = "viewer") -> Request:
    """The request for ``path`` with ``query`` made by whoever is signed in. ``need``: the least role the request
    itself needs (a table download needs an analyst), besides the page's own."""
    import access

    path = path or "/"
    person = access.current_person()
    from reports.registry import report_for

    report = report_for(path)
    page_role = report.role if report is not None else "viewer"
    internal = started_internal()
    audience, refusal = PUBLICATION, None
    if person.role is None:
        refusal = ("You are signed in, but your account has no Harbour role. Ask whoever runs Harbour here to give you "
                   "the viewer, analyst or admin role.")
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
            refusal = ("Exact figures are for analysts; you are signed in as a viewer. The pages show publication "
                       "figures.")
    return Request(path, query, audience, person=person, refusal=refusal, started_internal=internal)

