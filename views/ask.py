"""What one view is built from: the page's path, the URL's query (untrusted text) and the audience; and the
one parser of a URL's query string. The registry's builders take an ``Ask``; a person's ``Request``
(web.request) is one, with who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from harbour.metrics.disclosure import PUBLICATION, Audience
from harbour.metrics.filters import WHOLE_PERIODS_RULE, Filters, resolve
from harbour.untrusted import parse_search
from harbour.views.context import context_for


def updated_search(search: str | None, updates: dict[str, str | None], drop=()) -> str:
    """The query string ``search`` with ``drop`` removed and ``updates`` set (None removes a key).
    Page controls that live in the URL (the value model's inputs, the benchmark's peer group) use it."""
    query = {k: v for k, v in parse_search(search).items() if k not in drop}
    for key, value in updates.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + urlencode(query, safe=",")


@dataclass(frozen=True)
class Ask:
    """What one view is built from: the page's path, the URL's query (untrusted text), the audience."""

    path: str
    query: dict
    audience: Audience = PUBLICATION

    @cached_property
    def filters(self) -> Filters:
        """The URL's filters as given (anything malformed dropped), before a warehouse resolves them; for the
        publication audience, months in whole periods only (a range of quarters is left out: version 4)."""
        given = Filters.from_query(self.query)
        return given if self.audience.exact else given.whole_periods()

    @cached_property
    def problems(self) -> list[str]:
        """What in the URL's filters was not understood or not applied, in words ([] when all is well)."""
        found = Filters.problems(self.query)
        if not self.audience.exact and any(self.query.get(k) for k in ("month_from", "month_to")):
            found.append(f"the range of months is not applied: {WHOLE_PERIODS_RULE}")
        return found

    def resolved(self, facts) -> Filters:
        """The filters the view uses: no force named means the lead force (metrics.filters.resolve)."""
        return resolve(self.filters, facts.forces)

    def context(self, facts, attribution: bool = True):
        """The view's Context, shared by every page of the same view (views.context.context_for). ``attribution``
        False: for a page that does not show it (its refits are not made for that page)."""
        return context_for(facts, self.resolved(facts), self.audience, attribution)
