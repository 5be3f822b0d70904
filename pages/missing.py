"""Missing episodes: how many, how long, how they ended, and how soon after placement."""

import dash

from components.render import render
from components.shell import empty_warehouse
from metrics.filters import Filters, resolve
from reports.registry import build
from warehouse.current import current_facts

dash.register_page(__name__, path="/missing", name="Missing episodes", title="Missing episodes · Harbour", order=4)


def layout(**query):
    facts = current_facts()
    if facts.forces.empty:
        return empty_warehouse()
    view = build("/missing", query, facts)
    return render(view, facts, resolve(Filters.from_query(query), facts.forces), query)
