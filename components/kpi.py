"""KPI cards: one headline figure with its baseline, its change and that change's interval."""

from __future__ import annotations

from dash import html


def kpi(card_id: str, title: str, pilot: str, baseline: str, change: str, sentence: str):
    """A card whose figures are text already formatted (and disclosure-controlled)."""
    return html.Section([
        html.H2(title, className="kpi-title"),
        html.P([html.Span(pilot, className="kpi-value", id=f"{card_id}-pilot"), html.Span(" pilot", className="kpi-unit")]),
        html.Dl([
            html.Dt("Baseline"), html.Dd(baseline, id=f"{card_id}-baseline"),
            html.Dt("Change"), html.Dd(change, id=f"{card_id}-change"),
        ], className="kpi-facts"),
        html.P(sentence, className="kpi-sentence", id=f"{card_id}-sentence"),
    ], className="kpi", id=card_id, **{"aria-labelledby": f"{card_id}-title"})
