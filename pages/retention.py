"""Retention: Kaplan-Meier curves, retention at each horizon, the pilot-baseline differences."""

import dash

from components.render import render
from components.shell import empty_warehouse
from metrics.filters import Filters, resolve
from reports.registry import build
from warehouse.current import current_facts

dash.register_page(__name__, path="/retention", name="Retention", title="Retention · Harbour", order=1)


def layout(**query):
    facts = current_facts()
    if facts.forces.empty:
        return empty_warehouse()
    view = build("/retention", query, facts)
    return render(view, facts, resolve(Filters.from_query(query), facts.forces), query)
