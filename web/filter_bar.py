"""The filter bar's one callback: its controls become the URL query string.

Changing the query makes Dash pages render the page's layout again with the new filters, so every
figure on a page comes from one computation over the facts, never from child-level rows in the browser.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, no_update

from harbour.components.ids import PAGES_LOCATION, FilterId
from harbour.metrics.filters import FILTER_NAMES, Filters
from harbour.views.ask import parse_search


def query_string(filters: Filters, keep: dict[str, str] | None = None) -> str:
    query = {**(keep or {}), **filters.to_query()}
    return ("?" + urlencode(query, safe=",")) if query else ""


@callback(
    Output(PAGES_LOCATION, "search", allow_duplicate=True),
    Output("filter-message", "children"),
    Input(FilterId.APPLY, "n_clicks"),
    Input(FilterId.CLEAR, "n_clicks"),
    State(FilterId.FORCE, "value"),
    State(FilterId.AGE_BAND, "value"),
    State(FilterId.SEX, "value"),
    State(FilterId.ROUTE, "value"),
    State(FilterId.NATIONALITY, "value"),
    State(FilterId.MONTH_FROM, "value"),
    State(FilterId.MONTH_TO, "value"),
    State(FilterId.PERIOD, "value"),
    State(PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def apply_filters(_apply, _clear, force, age_band, sex, route, nationality, month_from, month_to, period, search):
    # Page settings that are not filters (the grain, the peer group, the value model's inputs) stay.
    keep = {k: v for k, v in parse_search(search).items() if k not in FILTER_NAMES}
    if ctx.triggered_id == FilterId.CLEAR:
        new = query_string(Filters(), keep) or "?"
        return (no_update if new.lstrip("?") == (search or "").lstrip("?") else new), ""
    if ctx.triggered_id != FilterId.APPLY:
        return no_update, no_update
    months = {"month_from": (month_from or "").strip(), "month_to": (month_to or "").strip()}
    problems = Filters.problems(months)
    if not problems and all(months.values()) and months["month_from"] > months["month_to"]:
        problems = ["the first month is after the last"]
    if problems:  # nothing changes until the months are right
        return no_update, "Not applied: " + "; ".join(problems) + "."
    filters = Filters.from_query(
        {
            "force": force or "",
            "age_band": age_band or "",
            "sex": sex or "",
            "contact_route": route or "",
            "nationality": nationality or "",
            "month_from": (month_from or "").strip(),
            "month_to": (month_to or "").strip(),
            "period": period or "",
        }
    )
    if not force:
        filters = Filters.from_query({**filters.to_query(), "force": "ALL"})
    new = query_string(filters, keep) or "?"
    # Applying what is already applied sends nothing back, so the page is not drawn again for nothing.
    return (no_update if new.lstrip("?") == (search or "").lstrip("?") else new), ""


FILTER_KEYS = FILTER_NAMES + ("present", "audience")  # what the navigation carries from page to page


@callback(
    Output({"type": "nav-link", "index": ALL}, "href"),
    Output({"type": "nav-link", "index": ALL}, "active"),
    Input(PAGES_LOCATION, "search"),
    Input(PAGES_LOCATION, "pathname"),
    State({"type": "nav-link", "index": ALL}, "id"),
)
def carry_filters(search, pathname, ids):
    """Moving between pages keeps the filters: each nav link carries the filter part of the query."""
    kept = [(k, v) for k, v in parse_search(search).items() if k in FILTER_KEYS]
    suffix = ("?" + urlencode(kept, safe=",")) if kept else ""
    hrefs = [i["index"] + suffix for i in ids]
    active = [i["index"] == (pathname or "/") for i in ids]
    return hrefs, active


# The navbar's Menu button (below 992 px) opens and closes the page list, in the browser; moving to
# another page closes it. A function in assets/harbour.js, so that no inline script is needed (CSP).
clientside_callback(
    ClientsideFunction(namespace="harbour", function_name="toggleNav"),
    Output("nav-collapse", "is_open"),
    Output("nav-toggle", "aria-expanded"),
    Input("nav-toggle", "n_clicks"),
    Input(PAGES_LOCATION, "pathname"),
    State("nav-collapse", "is_open"),
)
