"""One chart theme for screen, images and slides: colour-blind-safe, large type, shapes as well as colours.

Figures are plain dicts ({"data": [...], "layout": {...}}), which dcc.Graph draws as they are:
building plotly's validated objects costs more than a page's whole computation.
"""

from __future__ import annotations

from harbour.views.vocabulary import VARIATION_WORDS

# The one theme: the pages (assets/harbour.css, whose :root repeats these values and a test holds
# them equal), the Plotly template below, the chart images and the slides (render.slides) all take
# their colours, type and spacing from here. GOV.UK-like plainness; every text colour on its
# background passes WCAG 2.2 AA (4.5:1), which a test checks.
COLOURS = {
    "ink": "#1b1b1b",  # text
    "muted": "#434343",  # secondary text
    "paper": "#ffffff",  # background
    "soft": "#f3f2f1",  # bands, the filter bar
    "line": "#767676",  # borders that must be seen (3:1 for UI components)
    "accent": "#005ea5",  # links, the headline cards' rule
    "accent-dark": "#003078",  # primary buttons
    "header": "#0b0c0c",  # the site header and a table's header row
    "focus": "#ffdd00",  # focus ring
    "warn-bg": "#fff4d6",  # the synthetic-data notice
    "warn-line": "#b35c00",
    "alert": "#b00020",  # the OFFICIAL-SENSITIVE marking
    "grid": "#e5e5e5",  # chart gridlines
}
# Data colours (Okabe-Ito, safe for colour-blind readers); shapes and words always go with them.
SERIES = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "orange": "#E69F00",
    "purple": "#8E44AD",
    "grey": "#6E6E6E",
}
# Type: one family everywhere. Arial on Windows and macOS; Liberation Sans, metric-compatible with
# Arial, where Kaleido draws the charts on Linux.
FONT_FAMILY = "Arial"
FONT = "Arial, Liberation Sans, sans-serif"
TYPE_SCALE = {"base_px": 18, "h1_rem": 2.0, "h2_rem": 1.4, "h3_rem": 1.2, "small_rem": 0.9}
# Spacing, in rem, for the pages' grid and cards (Bootstrap's gutters take the same step).
SPACING = {"gutter_rem": 1.0, "card_padding_rem": 0.9}


def rgb(name: str) -> tuple[int, int, int]:
    """A theme colour as (r, g, b), for python-pptx and anything else that wants numbers."""
    value = COLOURS[name].lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


# Okabe-Ito colours; each period also has its own line dash and marker so colour is never the only signal.
PERIOD_STYLE = {
    "baseline": {"color": SERIES["blue"], "dash": "solid", "symbol": "circle", "label": "Baseline"},
    "pilot": {"color": SERIES["vermillion"], "dash": "dash", "symbol": "square", "label": "Pilot"},
}
VARIATION_STYLE = {  # NHS 'Making Data Count': grey common cause, blue improvement, orange concern
    "common": {"color": SERIES["grey"], "symbol": "circle", "label": VARIATION_WORDS["common"]},
    "improvement": {"color": SERIES["blue"], "symbol": "triangle-up", "label": VARIATION_WORDS["improvement"]},
    "concern": {"color": SERIES["orange"], "symbol": "diamond", "label": VARIATION_WORDS["concern"]},
    "neutral high": {"color": SERIES["purple"], "symbol": "triangle-up", "label": VARIATION_WORDS["neutral high"]},
    "neutral low": {"color": SERIES["purple"], "symbol": "triangle-down", "label": VARIATION_WORDS["neutral low"]},
}
INK = COLOURS["ink"]


def _axis(title: str | None, grid: bool) -> dict:
    return {
        "title": {"text": title or ""},
        "showline": True,
        "linecolor": INK,
        "linewidth": 1,
        "ticks": "outside",
        "tickcolor": INK,
        "zeroline": False,
        "showgrid": grid,
        "gridcolor": COLOURS["grid"],
        "automargin": True,
    }


def layout(
    height: int = 460,
    x_title: str | None = None,
    y_title: str | None = None,
    xaxis: dict | None = None,
    yaxis: dict | None = None,
    **extra,
) -> dict:
    out = {
        "plot_bgcolor": COLOURS["paper"],
        "paper_bgcolor": COLOURS["paper"],
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


def rule(*, x=None, y=None, dash: str = "dot", width: float | None = None) -> dict:
    """A line across the whole plot, in ink: upright at ``x`` (from the plot's foot to its top), or level at
    ``y`` (from its left edge to its right); ``dash`` "dot", "dash" or "solid"."""
    line = {"color": INK, "dash": dash, **({"width": width} if width is not None else {})}
    if x is not None:
        return {"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "yref": "paper", "line": line}
    return {"type": "line", "x0": 0, "x1": 1, "xref": "paper", "y0": y, "y1": y, "line": line}


def figure(data: list[dict], fig_layout: dict) -> dict:
    return {"data": data, "layout": fig_layout}


def labels_at_least(fig: dict, size: int) -> dict:
    """``fig`` with its point labels and its annotations (average lines' names, say) at least ``size`` px:
    drawn for a page's 16 px type, they are too small on a projector or a slide."""

    def bigger(font):
        return {**(font or {}), "size": max((font or {}).get("size", 0), size)}

    data = [
        {**trace, "textfont": bigger(trace["textfont"])} if isinstance(trace.get("textfont"), dict) else trace
        for trace in fig["data"]
    ]
    annotations = [{**a, "font": bigger(a.get("font"))} for a in fig["layout"].get("annotations") or []]
    return {**fig, "data": data, "layout": {**fig["layout"], "annotations": annotations}}
