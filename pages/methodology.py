"""Methodology: every definition, the disclosure rule and its symbols, the demo's assumptions."""

import dash

from components.render import render
from metrics.filters import Filters
from reports.registry import build
from warehouse.current import current_facts

dash.register_page(__name__, path="/methodology", name="Methodology", title="Methodology · Harbour", order=8)


def layout(**query):
    facts = current_facts()
    return render(build("/methodology", query, facts), facts, Filters(), query, show_filters=False)
