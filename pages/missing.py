"""Missing episodes: how many, how long, how they ended, and how soon after placement."""

import dash

from reports.page import layout_for

dash.register_page(__name__, path="/missing", name="Missing episodes", title="Missing episodes · Harbour", order=4)


def layout(**query):
    return layout_for("/missing", query)
