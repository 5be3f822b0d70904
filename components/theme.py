"""One chart theme for screen, images and slides: colour-blind-safe, large type, shapes as well as colours.

Figures are plain dicts ({"data": [...], "layout": {...}}), which dcc.Graph draws as they are:
building plotly's validated objects costs more than a page's whole computation.
"""

from __future__ import annotations

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
INK = "#1b1b1b"


def _axis(title: str | None, grid: bool) -> dict:
    return {"title": {"text": title or ""}, "showline": True, "linecolor": INK, "linewidth": 1, "ticks": "outside",
            "tickcolor": INK, "zeroline": False, "showgrid": grid, "gridcolor": "#e5e5e5", "automargin": True}


def layout(height: int = 460, x_title: str | None = None, y_title: str | None = None, xaxis: dict | None = None,
           yaxis: dict | None = None, **extra) -> dict:
    out = {
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
        "font": {"family": FONT, "size": 16, "color": INK},
        "height": height,
        "margin": {"l": 70, "r": 20, "t": 30, "b": 60},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        "hoverlabel": {"font": {"size": 15}},
        "xaxis": {**_axis(x_title, False), **(xaxis or {})},
        "yaxis": {**_axis(y_title, True), **(yaxis or {})},
    }
    out.update(extra)
    return out


def figure(data: list[dict], fig_layout: dict) -> dict:
    return {"data": data, "layout": fig_layout}
