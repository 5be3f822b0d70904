"""Before and after: monthly XmR charts split at the pilot start (NHS 'Making Data Count' style)."""

import dash

from reports.page import layout_for

dash.register_page(__name__, path="/before-after", name="Before and after", title="Before and after · Harbour", order=3)


def layout(**query):
    return layout_for("/before-after", query)
