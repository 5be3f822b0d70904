"""The page for any path that is not a page."""

import dash
from dash import dcc, html

dash.register_page(__name__, path="/404", name="Page not found", title="Page not found · Harbour", nav=False)


def layout(**_query):
    return html.Div([
        html.H1("Page not found", id="page-title"),
        html.P("There is no page at this address. It may have moved, or the link may be mistyped."),
        html.P(dcc.Link("Go to the overview", href="/")),
    ], className="page")
