"""Overview: the headline figures for the selected force and periods, in plain words."""

import dash

from components.render import render
from components.shell import empty_warehouse
from metrics.filters import Filters, resolve
from reports.registry import build
from warehouse.current import current_facts

dash.register_page(__name__, path="/", name="Overview", title="Overview · Harbour", order=0)


def layout(**query):
    facts = current_facts()
    if facts.forces.empty:
        return empty_warehouse()
    view = build("/", query, facts)
    return render(view, facts, resolve(Filters.from_query(query), facts.forces), query)
