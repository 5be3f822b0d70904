"""Data quality: load history, warnings by rule, completeness of optional fields, out-of-scope contacts."""

import dash

from reports.page import layout_for

dash.register_page(__name__, path="/data-quality", name="Data quality", title="Data quality · Harbour", order=7)


def layout(**query):
    return layout_for("/data-quality", query, filtered=False)
