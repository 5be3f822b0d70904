"""Benchmarking: funnel plots and a ranked chart of every force and imported peer."""

from dash import Input, Output, State, callback, dcc, html, no_update

from harbour.components.filter_callbacks import updated_search
from harbour.components.ids import PAGES_LOCATION
from harbour.reports.page import register_page


def before(query: dict, facts) -> list:
    """The peer-group, period and limits controls above the charts."""
    peers = [p for p in str(query.get("peers", "")).split(",") if p]
    options = [{"label": n, "value": c} for c, n in zip(facts.forces["force_code"], facts.forces["force_name"])]
    # Imported peers are in every peer group (the page compares with them because they were imported): listed,
    # ticked and fixed, so that the choices show every force the charts do (#19: an imported peer was missing).
    from harbour.exchange.store import all_peers
    from harbour.warehouse.current import engine

    held = set(facts.forces["force_code"])
    try:
        imported = [p for p in all_peers(engine()) if p["force_code"] not in held]
    except Exception:  # noqa: BLE001 - no exchange tables yet: no imported peer to list
        imported = []
    for peer in imported:
        unit = f"{peer['force_code']} (imported)"
        options.append({"label": f"{peer['force_name']} (imported: always in the peer group)", "value": unit,
                        "disabled": True})
        peers = peers if unit in peers else [*peers, unit]
    controls = html.Section([
        html.H2("Compare with"),
        html.Div([
            html.Fieldset([html.Legend("Peer group (the selected force is the one in the filter bar)"),
                           dcc.Checklist(id="bench-peers", value=peers, className="choices", inputClassName="choice-input",
                                         labelClassName="choice-label", options=options)],
                          className="filter-group"),
            html.Fieldset([html.Legend("Period"),
                           dcc.RadioItems(id="bench-period", value=query.get("bench_period", "pilot"), className="choices",
                                          inputClassName="choice-input", labelClassName="choice-label",
                                          options=[{"label": "Pilot", "value": "pilot"},
                                                   {"label": "Baseline", "value": "baseline"}])], className="filter-group"),
            html.Fieldset([html.Legend("Limits"),
                           dcc.Checklist(id="bench-od", value=["od"] if query.get("od") == "1" else [], className="choices",
                                         inputClassName="choice-input", labelClassName="choice-label",
                                         options=[{"label": "Adjust for over-dispersion", "value": "od"}])],
                          className="filter-group"),
        ], className="filter-grid"),
        html.Button("Apply", id="bench-apply", n_clicks=0, className="button primary", type="button"),
    ], className="chart no-present")
    return [controls]


register_page(__name__, "/benchmark", controls=before)


@callback(
    Output(PAGES_LOCATION, "search", allow_duplicate=True),
    Input("bench-apply", "n_clicks"),
    State("bench-peers", "value"), State("bench-period", "value"), State("bench-od", "value"),
    State(PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def apply(n_clicks, peers, period, od, search):
    if not n_clicks:
        return no_update
    return updated_search(search, {"peers": ",".join(peers) if peers else None,
                                   "bench_period": "baseline" if period == "baseline" else "pilot",
                                   "od": "1" if od else None})
