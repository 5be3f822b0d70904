"""Engagement: how soon after first contact a child had a welfare conversation."""

import dash

from reports.page import layout_for

dash.register_page(__name__, path="/engagement", name="Engagement", title="Engagement · Harbour", order=2)


def layout(**query):
    return layout_for("/engagement", query)
