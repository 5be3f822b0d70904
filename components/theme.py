"""One chart theme for screen, images and slides: colour-blind-safe, large type, shapes as well as colours."""

from __future__ import annotations

import plotly.graph_objects as go

# Okabe-Ito colours; each period also has its own line dash and marker so colour is never the only signal.
PERIOD_STYLE = {
    "baseline": {"color": "#0072B2", "dash": "solid", "symbol": "circle", "label": "Baseline"},
    "pilot": {"color": "#D55E00", "dash": "dash", "symbol": "square", "label": "Pilot"},
}
VARIATION_STYLE = {  # NHS 'Making Data Count': grey common cause, blue improvement, orange concern
    "common": {"color": "#6E6E6E", "symbol": "circle", "label": "Common cause"},
    "improvement": {"color": "#0072B2", "symbol": "triangle-up", "label": "Special cause: improvement"},
    "concern": {"color": "#E69F00", "symbol": "diamond", "label": "Special cause: concern"},
    "neutral high": {"color": "#8E44AD", "symbol": "triangle-up", "label": "Special cause: higher"},
    "neutral low": {"color": "#8E44AD", "symbol": "triangle-down", "label": "Special cause: lower"},
}
FONT = "Arial, Liberation Sans, sans-serif"


def themed(fig: go.Figure, title: str | None = None, height: int = 460, y_title: str | None = None,
           x_title: str | None = None) -> go.Figure:
    fig.update_layout(
        template="simple_white",
        font={"family": FONT, "size": 16, "color": "#1b1b1b"},
        height=height,
        margin={"l": 70, "r": 20, "t": 50 if title else 20, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hoverlabel={"font": {"size": 15}},
        title={"text": title} if title else None,
    )
    fig.update_xaxes(title_text=x_title, showgrid=False, ticks="outside")
    fig.update_yaxes(title_text=y_title, showgrid=True, gridcolor="#e5e5e5", ticks="outside")
    return fig
