"""Figures built from published (disclosure-controlled) aggregates. No child-level row is ever drawn."""

from __future__ import annotations

from harbour.metrics.monthly import label_date
from harbour.views import theme
from harbour.views.format import SUPPRESSED, period_label
from harbour.views.theme import PERIOD_STYLE, VARIATION_STYLE, figure, layout


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
    return f"rgba({r},{g},{b},{alpha})"


def _shown(value):
    return None if value in (None, SUPPRESSED) else value


def _label(value) -> str:
    """A bar's label: the c of a figure disclosure control hid (it has no bar), nothing otherwise."""
    return SUPPRESSED if value == SUPPRESSED else ""


def _percent(values) -> list:
    """Fractions as percentages; a point that is c (1 to 7 children gone missing by then) is a gap in the line."""
    return [None if isinstance(v, str) or v is None else v * 100 for v in values]


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v


def drawable(figure: dict | None) -> bool:
    """Whether a figure draws at least one value: a chart of nothing but c (an empty plot with a -1 to 6 axis, seen
    for ?sex=F&age_band=16-17), or of bars mostly c, is no chart, and its panel gives its table and words instead."""
    bars_shown = bars_hidden = lines_shown = lines_total = 0
    for trace in (figure or {}).get("data", []):
        if trace.get("type") == "bar":  # bars: counted, so that a chart of mostly c bars is a table instead
            bars_shown += sum(1 for v in trace.get("y") or [] if _number(v))
            bars_hidden += sum(1 for t in trace.get("text") or [] if t == SUPPRESSED)
            continue
        if trace.get("type") == "box":
            if any(_number(v) for key in ("median", "q1", "q3") for v in trace.get(key) or []):
                return True
            continue
        if trace.get("hoverinfo") == "skip":  # a band or a guide, drawn around values, never a value itself
            continue
        values = trace.get("y") or []
        if trace.get("orientation") == "h" or all(isinstance(v, str) for v in values if v is not None):
            values = list(values) + list(trace.get("x") or [])
        if "lines" in str(trace.get("mode", "")) and trace.get("orientation") != "h":
            # A line: counted, so that two dots at 0% of nine points (Fenwick's men, /engagement) are no chart.
            lines_shown += sum(1 for v in values if _number(v))
            lines_total += len(values)
            continue
        if any(_number(v) for v in values):
            return True
    if lines_shown and (lines_shown >= 3 or 2 * lines_shown >= lines_total):
        return True
    # Bars: a chart when at least as many can be drawn as are c (/missing's first chart was five c bars of six).
    return bars_shown > 0 and bars_shown >= bars_hidden


def _runs(shown: list[bool]) -> list[list[int]]:
    """The index runs of consecutive True values: [T, T, F, T] -> [[0, 1], [3]]."""
    runs, current = [], []
    for i, ok in enumerate(shown):
        if ok:
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    return runs + ([current] if current else [])


def km_figure(curves: dict) -> dict:
    """Survival curves with their 95% bands; ``curves`` maps period to a published curve frame."""
    data = []
    for period, curve in curves.items():
        if curve is None or curve.empty:
            continue
        style = PERIOD_STYLE[period]
        days = [h / 24 for h in curve["hours"]]
        highs, lows = _percent(curve["km_ci_high"]), _percent(curve["km_ci_low"])
        # The 95% band drawn run by run between the gaps of c points: a fill across a gap would draw a shape that
        # no published figure holds.
        for run in _runs([v is not None for v in highs]):
            data.append(
                {
                    "type": "scatter",
                    "x": [days[i] for i in run],
                    "y": [highs[i] for i in run],
                    "mode": "lines",
                    "line": {"width": 0, "shape": "hv"},
                    "showlegend": False,
                    "hoverinfo": "skip",
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "x": [days[i] for i in run],
                    "y": [lows[i] for i in run],
                    "mode": "lines",
                    "line": {"width": 0, "shape": "hv"},
                    "fill": "tonexty",
                    "fillcolor": _rgba(style["color"], 0.18),
                    "showlegend": False,
                    "hoverinfo": "skip",
                }
            )
        data.append(
            {
                "type": "scatter",
                "x": days,
                "y": _percent(curve["km"]),
                "mode": "lines+markers",
                "name": style["label"],
                "line": {"color": style["color"], "dash": style["dash"], "width": 3, "shape": "hv"},
                # No marker at placement itself (day 0, where every curve is 100%): both periods' markers piled up
                # there, a stray symbol at (0, 100) on the projector.
                "marker": {
                    "symbol": style["symbol"],
                    "size": [0 if d == 0 else 7 for d in days],
                    "color": style["color"],
                    "maxdisplayed": 16,
                },
                "customdata": [
                    [lo, hi, str(n)]
                    for lo, hi, n in zip(
                        _percent(curve["km_ci_low"]), _percent(curve["km_ci_high"]), curve["n_at_risk"]
                    )
                ],
                "hovertemplate": (
                    f"{style['label']}<br>Day %{{x:.0f}}: %{{y:.0f}}% still in safe accommodation"
                    "<br>95% interval %{customdata[0]:.0f}% to %{customdata[1]:.0f}%"
                    "<br>At risk: %{customdata[2]}<extra></extra>"
                ),
            }
        )
    return figure(
        data,
        layout(
            y_title="Still in safe accommodation (%)",
            x_title="Days since first placement",
            yaxis={"range": [0, 101]},
            xaxis={"range": [0, 90], "dtick": 7},
        ),
    )


def horizon_figure(rows: list[dict]) -> dict:
    """Retention at each horizon, dots with 95% interval bars, baseline and pilot side by side.
    ``rows``: dicts with period, horizon, rate, ci_low, ci_high (published values)."""
    data = []
    for period, style in PERIOD_STYLE.items():
        mine = [r for r in rows if r["period"] == period and _shown(r["rate"]) is not None]
        data += (
            []
            if not mine
            else [
                {
                    "type": "scatter",
                    "x": [r["horizon"] for r in mine],
                    "y": [r["rate"] * 100 for r in mine],
                    "mode": "markers",
                    "name": style["label"],
                    "offsetgroup": period,
                    "marker": {"symbol": style["symbol"], "size": 14, "color": style["color"]},
                    "error_y": {
                        "type": "data",
                        "symmetric": False,
                        "thickness": 2,
                        "width": 6,
                        "color": style["color"],
                        "array": [(r["ci_high"] - r["rate"]) * 100 for r in mine],
                        "arrayminus": [(r["rate"] - r["ci_low"]) * 100 for r in mine],
                    },
                    "hovertemplate": f"{style['label']} %{{x}}: %{{y:.0f}}% retained<extra></extra>",
                }
            ]
        )
        # Version 3's band: a rate that is c only because 1 to 7 went missing, drawn as what it says, "at least L%":
        # an open marker at L with a line up to 100%, labelled, never a dot at a value nobody may know.
        banded = [r for r in rows if r["period"] == period and r["rate"] == SUPPRESSED and r.get("band") is not None]
        if banded:
            data.append(
                {
                    "type": "scatter",
                    "x": [r["horizon"] for r in banded],
                    "y": [r["band"] * 100 for r in banded],
                    "mode": "markers+text",
                    "name": f"{style['label']}: at least",
                    "offsetgroup": period,
                    "text": [f"≥{r['band'] * 100:.0f}%" for r in banded],
                    "textposition": "bottom center",
                    "marker": {
                        "symbol": f"{style['symbol']}-open",
                        "size": 14,
                        "color": style["color"],
                        "line": {"width": 2},
                    },
                    "error_y": {
                        "type": "data",
                        "symmetric": False,
                        "thickness": 2,
                        "width": 0,
                        "color": style["color"],
                        "array": [100 - r["band"] * 100 for r in banded],
                        "arrayminus": [0] * len(banded),
                    },
                    "hovertemplate": f"{style['label']} %{{x}}: at least %{{y:.0f}}% retained<extra></extra>",
                }
            )
        # A rate that is c with no band: a "c" where its dot would be, named in the legend, never a silent gap (the
        # national overview drew the baseline's engagement alone, without a word).
        hidden = [r for r in rows if r["period"] == period and r["rate"] == SUPPRESSED and r.get("band") is None]
        if hidden:
            data.append(
                {
                    "type": "scatter",
                    "x": [r["horizon"] for r in hidden],
                    "y": [6] * len(hidden),
                    "mode": "text",
                    "name": f"{style['label']}: c (too few to show)",
                    "offsetgroup": period,
                    "text": [r["rate"] for r in hidden],  # the c each stands for
                    "textfont": {"color": style["color"], "size": 18},
                    "hoverinfo": "skip",
                }
            )
    horizons = list(dict.fromkeys(r["horizon"] for r in rows))  # in the rows' order, whichever period shows each
    # The legend even for one period's points: which period a lone dot is, is never left to its colour.
    return figure(
        data,
        layout(
            y_title="Retained (%)",
            x_title="Time since first placement",
            scattermode="group",
            yaxis={"range": [0, 101]},
            showlegend=True,
            xaxis={"type": "category", "categoryorder": "array", "categoryarray": horizons},
        ),
    )


def grouped_bars(
    categories: list[str],
    series: dict[str, list],
    y_title: str,
    value_format: str = "%{y}",
    names: dict[str, str] | None = None,
) -> dict:
    """Bars for baseline and pilot per category; suppressed values are left out and marked 'c'."""
    data = []
    for period, values in series.items():
        style = PERIOD_STYLE[period]
        name = (names or {}).get(period, style["label"])
        data.append(
            {
                "type": "bar",
                "x": categories,
                "y": [_shown(v) for v in values],
                "name": name,
                "marker": {"color": style["color"], "pattern": {"shape": "" if period == "baseline" else "/"}},
                "text": [_label(v) for v in values],
                "textposition": "outside",
                "hovertemplate": f"{name} %{{x}}: {value_format}<extra></extra>",
            }
        )
    return figure(
        data, layout(y_title=y_title, barmode="group", yaxis={"rangemode": "tozero"}, xaxis={"type": "category"})
    )


def lines(categories: list[str], series: dict[str, list], y_title: str, x_title: str, hover: str) -> dict:
    """One line per period over ordered categories (fixed points of a distribution)."""
    data = []
    for period, values in series.items():
        style = PERIOD_STYLE[period]
        data.append(
            {
                "type": "scatter",
                "x": categories,
                "y": [_shown(v) for v in values],
                "mode": "lines+markers",
                "name": style["label"],
                "line": {"color": style["color"], "dash": style["dash"], "width": 3},
                "marker": {"symbol": style["symbol"], "size": 11, "color": style["color"]},
                "hovertemplate": f"{style['label']}: {hover}<extra></extra>",
            }
        )
    return figure(data, layout(y_title=y_title, x_title=x_title, yaxis={"range": [0, 101]}, xaxis={"type": "category"}))


def series_figure(points: list, y_title: str, name: str, hover: str, split_date: str | None = None) -> dict:
    """One measure over months or quarters on a date axis; a point that cannot be shown leaves a gap; a dotted
    line where the pilot starts (``split_date``, ISO), labelled."""
    style = PERIOD_STYLE["baseline"]
    data = [
        {
            "type": "scatter",
            "x": [label_date(m) for m, _ in points],
            "y": [_shown(v) for _, v in points],
            "mode": "lines+markers",
            "connectgaps": False,
            "name": name,
            "line": {"color": style["color"], "width": 3},
            "marker": {"symbol": style["symbol"], "size": 9},
            "customdata": [period_label(m) for m, _ in points],
            "hovertemplate": f"%{{customdata}}: {hover}<extra></extra>",
        }
    ]
    extra = {}
    if split_date:
        extra["shapes"] = [theme.rule(x=split_date, width=2)]
        extra["annotations"] = [
            {
                "x": split_date,
                "y": 1.0,
                "yref": "paper",
                "text": "Pilot starts",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "xshift": 4,
            }
        ]
    return figure(
        data,
        layout(
            y_title=y_title,
            yaxis={"range": [0, 101]},
            xaxis={"type": "date", "tickformat": "%b %Y"},
            showlegend=False,
            **extra,
        ),
    )


def quartile_boxes(rows: list[dict], x_title: str) -> dict:
    """Boxes drawn from published percentiles: rows of period, p10, q1, median, q3, p90."""
    data = []
    for r in rows:
        style = PERIOD_STYLE[r["period"]]
        data.append(
            {
                "type": "box",
                "y": [style["label"]],
                "orientation": "h",
                "name": style["label"],
                "lowerfence": [r["p10"]],
                "q1": [r["q1"]],
                "median": [r["median"]],
                "q3": [r["q3"]],
                "upperfence": [r["p90"]],
                "marker": {"color": style["color"]},
                "line": {"width": 3},
                "fillcolor": "rgba(255,255,255,0)",
                "hoverinfo": "skip",
            }
        )
    return figure(data, layout(height=300, x_title=x_title, showlegend=False))


def xmr_figure(
    frame,
    y_title: str,
    value_format: str,
    points: list,
    split_date: str | None = None,
    floor: float | None = None,
    ceiling: float | None = None,
    apart: list | None = None,
) -> dict:
    """An XmR chart on a date axis: points coloured and shaped by variation, mean and limits per segment.
    ``apart``: (label, value) of points in no segment (a quarter that straddles the pilot's start), drawn as open
    markers of their own, named in the legend.

    ``points`` is every (label, value) of the series, a value that cannot be shown left as it is
    (``c`` or None): the line breaks there rather than join across it. Limits are drawn within
    ``floor`` and ``ceiling`` (no negative children, no rate above 100%); the table keeps the values.
    """
    data = []
    for segment, part in frame.groupby("segment"):
        x = [label_date(v) for v in part["label"]]
        for column, name, dash in (
            ("mean", "Mean", "solid"),
            ("upper", "Usual range", "dash"),
            ("lower", "Usual range", "dash"),
        ):
            ys = list(part[column])
            if floor is not None:
                ys = [max(y, floor) for y in ys]
            if ceiling is not None:
                ys = [min(y, ceiling) for y in ys]
            data.append(
                {
                    "type": "scatter",
                    "x": x,
                    "y": ys,
                    "mode": "lines",
                    "name": name,
                    "legendgroup": name,
                    "line": {"color": "#3d3d3d" if column == "mean" else "#767676", "dash": dash, "width": 2},
                    "showlegend": bool(segment == 1 and column != "lower"),
                    "hovertemplate": f"{name}: %{{y:{value_format}}}<extra></extra>",
                }
            )
    data.append(
        {
            "type": "scatter",
            "x": [label_date(m) for m, _ in points],
            "y": [_shown(v) for _, v in points],
            "mode": "lines",
            "connectgaps": False,
            "line": {"color": "#a0a0a0", "width": 1},
            "showlegend": False,
            "hoverinfo": "skip",
        }
    )
    for variation, style in VARIATION_STYLE.items():
        part = frame[frame["variation"] == variation]
        if part.empty:
            continue
        data.append(
            {
                "type": "scatter",
                "x": [label_date(v) for v in part["label"]],
                "y": list(part["value"]),
                "mode": "markers",
                "name": style["label"],
                "marker": {
                    "symbol": style["symbol"],
                    "size": 12 if variation != "common" else 9,
                    "color": style["color"],
                    "line": {"width": 1, "color": theme.INK},
                },
                "customdata": [
                    [period_label(lab), r or "no rule fired"] for lab, r in zip(part["label"], part["rules"])
                ],
                "hovertemplate": (
                    f"%{{customdata[0]}}: %{{y:{value_format}}}<br>{style['label']}"
                    "<br>%{customdata[1]}<extra></extra>"
                ),
            }
        )
    if apart:
        data.append(
            {
                "type": "scatter",
                "x": [label_date(m) for m, _ in apart],
                "y": [v for _, v in apart],
                "mode": "markers",
                "name": "Straddles the pilot's start (in neither period)",
                "marker": {"symbol": "circle-open", "size": 12, "color": theme.INK, "line": {"width": 2}},
                "customdata": [period_label(m) for m, _ in apart],
                "hovertemplate": f"%{{customdata}}: %{{y:{value_format}}}<br>in neither period's limits<extra></extra>",
            }
        )
    fig_layout = layout(height=430, y_title=y_title, xaxis={"type": "date", "tickformat": "%b %Y"})
    if split_date is not None:
        fig_layout["shapes"] = [theme.rule(x=split_date, width=2)]
        fig_layout["annotations"] = [
            {
                "x": split_date,
                "y": 1.0,
                "yref": "paper",
                "text": "Pilot starts",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 14},
            }
        ]
    return figure(data, fig_layout)


def headline_figure(rows: list[dict]) -> dict:
    """Headline rates with 95% intervals, baseline and pilot side by side.
    ``rows``: dicts with label and, for each period, a published {rate, ci_low, ci_high}."""
    points = []
    for r in rows:
        for period in ("baseline", "pilot"):
            points.append(
                {
                    "period": period,
                    "horizon": r["label"],
                    "band": (r.get("bands") or {}).get(period),
                    **{k: r[period][k] for k in ("rate", "ci_low", "ci_high")},
                }
            )
    fig = horizon_figure(points)
    fig["layout"]["xaxis"]["title"]["text"] = ""
    fig["layout"]["yaxis"]["title"]["text"] = "Children (%)"
    return fig
