"""The access log: every view and download, for admins only (enforced on the server)."""

import dash

from reports.page import layout_for

dash.register_page(__name__, path="/access-log", name="Access log", title="Access log · Harbour", order=9,
                   nav=False)  # for admins: linked from the data-quality page, not from every page


def layout(**query):
    return layout_for("/access-log", query, filtered=False)
