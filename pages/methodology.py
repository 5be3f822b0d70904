"""Methodology: every definition, the disclosure rule and its symbols, the demo's assumptions."""

import dash

from reports.page import layout_for

dash.register_page(__name__, path="/methodology", name="Methodology", title="Methodology · Harbour", order=8)


def layout(**query):
    return layout_for("/methodology", query, filtered=False)
