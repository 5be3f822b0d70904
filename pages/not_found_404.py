"""The page for any path that is not a page (Dash shows the page whose module is named not_found_404)."""

from dash import dcc, html

PATH = "/404"


def layout(**_query):
    return html.Div(
        [
            html.H1("Page not found", id="page-title"),
            html.P("There is no page at this address. It may have moved, or the link may be mistyped."),
            html.P(dcc.Link("Go to the overview", href="/")),
        ],
        className="page",
    )
