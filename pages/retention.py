"""Retention: Kaplan-Meier curves, retention at each horizon, the pilot-baseline differences."""

import dash

from reports.page import layout_for

dash.register_page(__name__, path="/retention", name="Retention", title="Retention · Harbour", order=1)


def layout(**query):
    return layout_for("/retention", query)
