"""What one view is built from: the page's path, the URL's query (untrusted text) and the audience; and the
one parser of a URL's query string. The registry's builders take an ``Ask``; a person's ``Request``
(reports.request) is one, with who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import parse_qsl

from harbour.metrics.disclosure import PUBLICATION, Audience
from harbour.metrics.filters import Filters, resolve


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

    def resolved(self, facts) -> Filters:
        """The filters the view uses: no force named means the lead force (metrics.filters.resolve)."""
        return resolve(self.filters, facts.forces)

    def context(self, facts):
        from harbour.reports.context import Context

        return Context(facts, self.resolved(facts), self.audience)
