"""KPI cards: one headline figure with its baseline, its change and that change's interval."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def kpi(card_id: str, title: str, pilot: str, baseline: str, change: str, sentence: str | None):
    """A Bootstrap card whose figures are text already formatted (and disclosure-controlled); ``sentence`` None for
    presentation mode, where the figures stand alone and large."""
    return dbc.Card(
        dbc.CardBody(
            html.Section(
                [
                    html.H2(title, className="kpi-title", id=f"{card_id}-title"),
                    html.P(
                        [
                            html.Span(pilot, className="kpi-value", id=f"{card_id}-pilot"),
                            html.Span(" pilot", className="kpi-unit"),
                        ]
                    ),
                    html.Dl(
                        [
                            html.Dt("Baseline"),
                            html.Dd(baseline, id=f"{card_id}-baseline"),
                            html.Dt("Change"),
                            html.Dd(change, id=f"{card_id}-change"),
                        ],
                        className="kpi-facts",
                    ),
                    html.P(sentence, className="kpi-sentence", id=f"{card_id}-sentence") if sentence else None,
                ],
                id=card_id,
                **{"aria-labelledby": f"{card_id}-title"},
            )
        ),
        class_name="kpi h-100",
    )


def kpi_grid(cards: list, presenting: bool = False) -> dbc.Row:
    """Headline cards in a grid: one column on a phone, two from 768 px, four from 1200 px (two by two when
    presenting, large)."""
    if presenting:
        return dbc.Row([dbc.Col(card, xs=6) for card in cards], class_name="kpi-grid kpi-present g-3")
    return dbc.Row([dbc.Col(card, xs=12, md=6, xl=3) for card in cards], class_name="kpi-grid g-3")
