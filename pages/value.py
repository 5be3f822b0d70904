"""Value for money: the model for the PCC's office, every input editable and printed beside it."""

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from harbour.components.filter_callbacks import updated_search
from harbour.components.ids import PAGES_LOCATION
from harbour.reports.page import register_page
from harbour.reports.value import FIELDS, inputs_from


def _field(f, value):
    # dcc.Input takes no aria-describedby, so the help text sits inside the label: it is read with the field.
    input_id = f"value-{f.key}"
    return html.Div([
        html.Label([html.Span(f.label), html.Span(f" ({f.unit})", className="unit"),
                    html.Span(f.help, className="field-help")], htmlFor=input_id),
        dcc.Input(id=input_id, type="number", min=0, step="any", value=value, className="value-input"),
    ], className="form-field")


def before(query: dict, facts=None) -> list:
    """The form above the figures, drawn from the URL's inputs."""
    inputs, _ = inputs_from(query)
    # A card holding a form: labelled fields with their units and help in a grid, one button under them.
    return [dbc.Card(dbc.CardBody(html.Section([
        html.H2("Inputs you can change", id="value-form-title"),
        dbc.Row([dbc.Col(_field(f, getattr(inputs, f.attribute)), xs=12, md=6, xl=3) for f in FIELDS],
                class_name="g-3 value-form"),
        html.Button("Recalculate", id="value-apply", n_clicks=0, className="button primary value-apply", type="button"),
    ], **{"aria-labelledby": "value-form-title"})), class_name="chart no-present")]


register_page(__name__, "/value", controls=before)


@callback(
    Output(PAGES_LOCATION, "search", allow_duplicate=True),
    Input("value-apply", "n_clicks"),
    [State(f"value-{f.key}", "value") for f in FIELDS],
    State(PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def recalculate(n_clicks, *values):
    if not n_clicks:
        return no_update
    *inputs, search = values
    updates = {}
    for f, v in zip(FIELDS, inputs):
        try:
            updates[f.key] = None if v in (None, "") else f"{float(v):g}"
        except (TypeError, ValueError):
            updates[f.key] = None
    return updated_search(search, updates)
