"""Overview: the headline figures for the selected force and periods, in plain words."""

import dash

from reports.page import layout_for

dash.register_page(__name__, path="/", name="Overview", title="Overview · Harbour", order=0)


def layout(**query):
    return layout_for("/", query)
