"""Value for money: the model for the PCC's office, every input editable and printed beside it."""

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from components.filter_callbacks import updated_search
from components.ids import PAGES_LOCATION
from components.render import render
from components.shell import empty_warehouse
from metrics.filters import Filters, resolve
from reports.registry import build
from reports.value import FIELDS, inputs_from
from warehouse.current import current_facts

dash.register_page(__name__, path="/value", name="Value for money", title="Value for money · Harbour", order=5)


def layout(**query):
    facts = current_facts()
    if facts.forces.empty:
        return empty_warehouse()
    inputs = inputs_from(query)
    form = html.Section([
        html.H2("Inputs you can change"),
        html.Div([html.Label([label, dcc.Input(id=f"value-{key}", type="number", min=0, step="any",
                                               value=getattr(inputs, field))]) for key, field, label in FIELDS],
                 className="form-grid"),
        html.Button("Recalculate", id="value-apply", n_clicks=0, className="button primary", type="button"),
    ], className="chart no-present")
    view = build("/value", query, facts)
    return render(view, facts, resolve(Filters.from_query(query), facts.forces), query, before=[form])


@callback(
    Output(PAGES_LOCATION, "search", allow_duplicate=True),
    Input("value-apply", "n_clicks"),
    State("value-cost", "value"), State("value-cost_low", "value"), State("value-uplift", "value"),
    State(PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def recalculate(n_clicks, cost, cost_low, uplift, search):
    if not n_clicks:
        return no_update
    values = {"cost": cost, "cost_low": cost_low, "uplift": uplift}
    return updated_search(search, {k: f"{float(v):g}" for k, v in values.items() if v is not None})
