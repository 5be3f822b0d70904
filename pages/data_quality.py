"""Data quality: load history, warnings by rule, completeness of optional fields, out-of-scope contacts."""

import dash

from components.render import render
from components.shell import empty_warehouse
from metrics.filters import Filters
from reports.registry import build
from warehouse.current import current_facts

dash.register_page(__name__, path="/data-quality", name="Data quality", title="Data quality · Harbour", order=7)


def layout(**query):
    facts = current_facts()
    if facts.forces.empty:
        return empty_warehouse()
    return render(build("/data-quality", query, facts), facts, Filters(), query, show_filters=False)
