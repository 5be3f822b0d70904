"""Figures built from published (disclosure-controlled) aggregates. No child-level row is ever drawn."""

from __future__ import annotations

import plotly.graph_objects as go

from components.format import SUPPRESSED
from components.theme import PERIOD_STYLE, VARIATION_STYLE, themed


def _hex_to_rgba(colour: str, alpha: float) -> str:
    r, g, b = int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
    return f"rgba({r},{g},{b},{alpha})"


def km_figure(curves: dict) -> go.Figure:
    """Survival curves with their 95% bands; ``curves`` maps period to a published curve frame."""
    fig = go.Figure()
    for period, curve in curves.items():
        if curve is None or curve.empty:
            continue
        style = PERIOD_STYLE[period]
        days = curve["hours"] / 24
        fig.add_trace(go.Scatter(x=days, y=curve["km_ci_high"] * 100, mode="lines", line={"width": 0, "shape": "hv"},
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=days, y=curve["km_ci_low"] * 100, mode="lines", line={"width": 0, "shape": "hv"},
                                 fill="tonexty", fillcolor=_hex_to_rgba(style["color"], 0.18), showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=days, y=curve["km"] * 100, mode="lines+markers", name=style["label"],
            line={"color": style["color"], "dash": style["dash"], "width": 3, "shape": "hv"},
            marker={"symbol": style["symbol"], "size": 7, "color": style["color"], "maxdisplayed": 16},
            customdata=list(zip(curve["km_ci_low"] * 100, curve["km_ci_high"] * 100, curve["n_at_risk"])),
            hovertemplate=(f"{style['label']}<br>Day %{{x:.0f}}: %{{y:.0f}}% still in placement"
                           "<br>95% interval %{customdata[0]:.0f}% to %{customdata[1]:.0f}%"
                           "<br>At risk: %{customdata[2]}<extra></extra>"),
        ))
    themed(fig, y_title="Children not yet missing (%)", x_title="Days since first placement")
    fig.update_yaxes(range=[0, 101])
    fig.update_xaxes(range=[0, 90], dtick=7)
    return fig


def horizon_figure(rows: list[dict]) -> go.Figure:
    """Retention at each horizon, dots with 95% interval bars, baseline and pilot side by side.
    ``rows``: dicts with period, horizon, rate, ci_low, ci_high (published values)."""
    fig = go.Figure()
    for period, style in PERIOD_STYLE.items():
        mine = [r for r in rows if r["period"] == period and r["rate"] not in (None, SUPPRESSED)]
        if not mine:
            continue
        fig.add_trace(go.Scatter(
            x=[r["horizon"] for r in mine], y=[r["rate"] * 100 for r in mine], mode="markers", name=style["label"],
            marker={"symbol": style["symbol"], "size": 14, "color": style["color"]},
            error_y={"type": "data", "symmetric": False, "thickness": 2, "width": 6,
                     "array": [(r["ci_high"] - r["rate"]) * 100 for r in mine],
                     "arrayminus": [(r["rate"] - r["ci_low"]) * 100 for r in mine]},
            offsetgroup=period,
            hovertemplate=f"{style['label']} %{{x}}: %{{y:.0f}}% retained<extra></extra>",
        ))
    themed(fig, y_title="Retained (%)", x_title="Time since first placement")
    fig.update_layout(scattermode="group")
    fig.update_yaxes(range=[0, 101])
    return fig


def grouped_bars(categories: list[str], series: dict[str, list], y_title: str, value_format: str = "%{y}") -> go.Figure:
    """Bars for baseline and pilot per category; suppressed values are left out and marked 'c'."""
    fig = go.Figure()
    for period, values in series.items():
        style = PERIOD_STYLE[period]
        shown = [v if v not in (None, SUPPRESSED) else None for v in values]
        fig.add_trace(go.Bar(
            x=categories, y=shown, name=style["label"], marker={"color": style["color"],
                                                                "pattern": {"shape": "" if period == "baseline" else "/"}},
            text=["c" if v == SUPPRESSED else "" for v in values], textposition="outside",
            hovertemplate=f"{style['label']} %{{x}}: {value_format}<extra></extra>",
        ))
    themed(fig, y_title=y_title)
    fig.update_layout(barmode="group")
    return fig


def xmr_figure(frame, y_title: str, value_format: str = ".1f", split_at: int | None = None) -> go.Figure:
    """An XmR chart: points coloured and shaped by variation, mean and limits per segment."""
    fig = go.Figure()
    for segment, part in frame.groupby("segment"):
        for column, name, dash in (("mean", "Mean", "solid"), ("upper", "Process limits", "dash"),
                                   ("lower", "Process limits", "dash")):
            fig.add_trace(go.Scatter(x=part["label"], y=part[column], mode="lines", name=name,
                                     line={"color": "#3d3d3d" if column == "mean" else "#767676", "dash": dash, "width": 2},
                                     showlegend=bool(segment == 1 and column != "lower"), legendgroup=name,
                                     hovertemplate=f"{name}: %{{y:{value_format}}}<extra></extra>"))
    fig.add_trace(go.Scatter(x=frame["label"], y=frame["value"], mode="lines", line={"color": "#a0a0a0", "width": 1},
                             showlegend=False, hoverinfo="skip"))
    for variation, style in VARIATION_STYLE.items():
        part = frame[frame["variation"] == variation]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["label"], y=part["value"], mode="markers", name=style["label"],
            marker={"symbol": style["symbol"], "size": 12 if variation != "common" else 9, "color": style["color"],
                    "line": {"width": 1, "color": "#1b1b1b"}},
            customdata=[[r or "no rule fired"] for r in part["rules"]],
            hovertemplate=f"%{{x}}: %{{y:{value_format}}}<br>{style['label']}<br>%{{customdata[0]}}<extra></extra>",
        ))
    if split_at is not None:
        # On a category axis, position i - 0.5 falls between the last baseline and first pilot point.
        fig.add_vline(x=split_at - 0.5, line={"color": "#1b1b1b", "width": 2, "dash": "dot"})
        fig.add_annotation(x=split_at - 0.5, y=1.0, yref="paper", text="Pilot starts", showarrow=False,
                           xanchor="left", yanchor="bottom", font={"size": 14})
    themed(fig, y_title=y_title, height=430)
    fig.update_xaxes(type="category")
    return fig
