"""Before and after: monthly XmR charts split at the pilot start (NHS 'Making Data Count' style)."""

import dash

from components.render import render
from components.shell import empty_warehouse
from metrics.filters import Filters, resolve
from reports.registry import build
from warehouse.current import current_facts

dash.register_page(__name__, path="/before-after", name="Before and after", title="Before and after · Harbour", order=3)


def layout(**query):
    facts = current_facts()
    if facts.forces.empty:
        return empty_warehouse()
    view = build("/before-after", query, facts)
    return render(view, facts, resolve(Filters.from_query(query), facts.forces), query)
