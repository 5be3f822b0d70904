"""A form of number fields above a page's figures, whose values go into the page's URL (value for money's inputs,
planning's numbers): each field labelled with its unit and help (dcc.Input takes no aria-describedby, so the help
sits inside the label and is read with the field), one button under them."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html, no_update

from harbour.views.ask import updated_search


def number_field(input_id: str, label: str, unit: str, help_text: str, value, low=0, high=None, step="any"):
    return html.Div(
        [
            html.Label(
                [
                    html.Span(label),
                    html.Span(f" ({unit})", className="unit"),
                    html.Span(help_text, className="field-help"),
                ],
                htmlFor=input_id,
            ),
            dcc.Input(id=input_id, type="number", min=low, max=high, step=step, value=value, className="value-input"),
        ],
        className="form-field",
    )


def number_form(title_id: str, title: str, fields: list, button_id: str, button: str) -> list:
    """A card holding the labelled fields in a grid and the button under them."""
    return [
        dbc.Card(
            dbc.CardBody(
                html.Section(
                    [
                        html.H2(title, id=title_id),
                        dbc.Row([dbc.Col(f, xs=12, md=6, xl=3) for f in fields], class_name="g-3 value-form"),
                        html.Button(
                            button, id=button_id, n_clicks=0, className="button primary value-apply", type="button"
                        ),
                    ],
                    **{"aria-labelledby": title_id},
                )
            ),
            class_name="chart no-present",
        )
    ]


def search_with(n_clicks, keys, values, search):
    """The URL's search with each key set to its field's number (None, and so dropped, where blank or not a
    number); nothing sent back before the button is pressed."""
    if not n_clicks:
        return no_update
    updates = {}
    for key, value in zip(keys, values):
        try:
            updates[key] = None if value in (None, "") else f"{float(value):g}"
        except (TypeError, ValueError):
            updates[key] = None
    return updated_search(search, updates)
