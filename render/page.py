"""A view (views.model.View) as Dash components: the page, its panels, their download controls,
and the presentation mode that projects one panel at a time."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from harbour.components.chart import GRAPH_CONFIG, data_table
from harbour.components.kpi import kpi, kpi_grid
from harbour.components.shell import footnote, marking_banner, page_for, synthetic_banner
from harbour.metrics.filters import Filters
from harbour.metrics.summary import STANDARD_VERSION
from harbour.views import theme

IMAGE_FORMATS = ("png", "svg")
TABLE_FORMATS = ("csv", "xlsx", "ods", "csvw")


def table_for(table):
    """A view's table as a native table: text columns aligned left, numbers right."""
    text_columns = frozenset(i for i, c in enumerate(table.columns) if c.kind == "text")
    return data_table(table.table_id, table.caption, table.names, table.display_rows(), text_columns=text_columns)


def download_id(panel_id: str, fmt: str) -> dict:
    return {"type": "download", "panel": panel_id, "format": fmt}


def downloads(panel) -> html.Div:
    formats = (IMAGE_FORMATS if panel.figure is not None else ()) + TABLE_FORMATS
    labels = {
        "png": "Image (PNG)",
        "svg": "Image (SVG)",
        "csv": "Table (CSV)",
        "xlsx": "Table (Excel)",
        "ods": "Table (ODS)",
        "csvw": "Table and its definition (CSVW)",
    }
    return html.Div(
        [html.Span("Download: ", className="download-label")]
        + [
            html.Button(
                labels[f],
                id=download_id(panel.panel_id, f),
                n_clicks=0,
                type="button",
                className="button small",
                **{"aria-label": f"Download {panel.title} as {labels[f]}"},
            )
            for f in formats
        ],
        className="downloads no-present",
    )


def panel_section(panel, show_downloads: bool = True):
    figure = None
    if panel.figure is not None:
        figure = html.Div(
            dcc.Graph(id=f"{panel.panel_id}-graph", figure=panel.figure, config=GRAPH_CONFIG),
            role="img",
            **{"aria-label": f"Chart: {panel.title}. {panel.summary} The table below gives the figures."},
        )
    return dbc.Card(
        dbc.CardBody(
            html.Section(
                [
                    html.H2(panel.title, id=f"{panel.panel_id}-title"),
                    html.P(panel.summary, className="chart-summary", id=f"{panel.panel_id}-summary"),
                    figure,
                    html.Details(
                        [html.Summary(f"Table: {panel.table.caption}"), table_for(panel.table)],
                        className="table-alt",
                        open=panel.open_table,
                    ),
                    downloads(panel) if show_downloads else None,
                    footnote(*panel.notes),
                ],
                id=panel.panel_id,
                **{"aria-labelledby": f"{panel.panel_id}-title"},
            )
        ),
        class_name="chart",
    )


def slides_button():
    return html.Div(
        [
            html.Button(
                "Download slides (PowerPoint)", id="download-slides", n_clicks=0, type="button", className="button"
            ),
            dcc.Link("Present this page", href="", id="present-link", className="present-link"),
        ],
        className="page-actions no-present",
    )


def grain_switch(query: dict, current: str):
    def href(grain):
        return "?" + urlencode({**{k: v for k, v in query.items() if k != "grain"}, "grain": grain}, safe=",")

    chosen = query.get("grain", "auto")
    links = []
    for grain, words in (("auto", "automatic"), ("month", "month"), ("quarter", "quarter")):
        if links:
            links.append(" · ")
        links.append(
            html.Strong(words) if grain == chosen else dcc.Link(words, href=href(grain), className="grain-link")
        )
    return html.P([f"Points by {current}. Choose: ", *links], className="grain-switch no-present")


def render(view, facts, filters, query: dict, before=(), show_filters: bool = True):
    if query.get("present"):
        return present(view, query)
    present_query = urlencode({**query, "present": "1", "slide": "1"}, safe=",")
    actions = slides_button()
    actions.children[1].href = "?" + present_query
    ignored = Filters.problems(query) if show_filters else []
    if ignored:  # a URL's filter that was not understood is said, never silently dropped
        view_notices = [
            *view.notices,
            "Some filters in this page's address were not understood and are not applied: " + "; ".join(ignored) + ".",
        ]
    else:
        view_notices = view.notices
    body = [actions, *[html.P(n, className="notice") for n in view_notices], *before]
    # The month/quarter switch where it changes something: a chart over time is drawn, or a grain was chosen (so that
    # it can be changed back). /engagement and /before-after offered it above tables of nothing to chart.
    over_time = any(
        p.figure is not None and p.panel_id.startswith(("chart-spc", "chart-engagement-trend")) for p in view.panels
    )
    if view.grain and (over_time or query.get("grain", "auto") != "auto"):
        body.append(grain_switch(query, view.grain))
    if view.kpis:
        body.append(
            kpi_grid(
                [kpi(k["id"], k["title"], k["pilot"], k["baseline"], k["change"], k["sentence"]) for k in view.kpis]
            )
        )
    body += [panel_section(p) for p in view.panels]
    return page_for(facts, filters, view.title, view.lead, *body, show_filters=show_filters, marking=view.marking)


def present(view, query: dict):
    """One panel at a time, large, with no controls but Previous, Next and Leave; a page with headline cards (the
    overview) opens on them, the talk's first slide."""
    panels = [p for p in view.panels if p.figure is not None] or view.panels
    if view.kpis:
        panels = ["cards", *panels]
    try:
        index = min(max(int(query.get("slide", 1)), 1), len(panels)) - 1
    except (TypeError, ValueError):
        index = 0
    panel = panels[index]
    base = {k: v for k, v in query.items() if k not in ("present", "slide")}

    def link(text, n, link_id):
        return dcc.Link(
            text,
            href="?" + urlencode({**base, "present": "1", "slide": str(n)}, safe=","),
            id=link_id,
            className="button",
        )

    nav = html.Nav(
        [
            link("Previous", index, "present-previous") if index > 0 else None,
            html.Span(f"{index + 1} of {len(panels)}", className="present-count"),
            link("Next", index + 2, "present-next") if index + 1 < len(panels) else None,
            dcc.Link(
                "Leave presentation", href="?" + urlencode(base, safe=","), id="present-leave", className="button"
            ),
            html.Span("Keys: → or Page Down next, ← or Page Up previous, Esc leaves", className="present-keys"),
        ],
        className="present-nav",
        **{"aria-label": "Presentation"},
    )
    if panel == "cards":
        cards = kpi_grid(
            [kpi(k["id"], k["title"], k["pilot"], k["baseline"], k["change"], None) for k in view.kpis], presenting=True
        )
        return html.Div(
            [
                marking_banner(view.marking),
                synthetic_banner(view.synthetic),
                html.H1("Headline figures: the pilot against the period before it", id="page-title"),
                html.P(view.scope, className="lead"),
                cards,
                footnote(_present_source(view)),
                nav,
            ],
            className="page presenting",
            id="presentation",
        )
    figure = None
    if panel.figure is not None:
        layout = {k: v for k, v in panel.figure["layout"].items() if k != "height"}
        fig = {**panel.figure, "layout": {**layout, "autosize": True, "font": {**layout["font"], "size": 22}}}
        # A long y-axis title does not fit along a projector's short axis: it goes above the chart, level.
        yaxis = dict(layout.get("yaxis") or {})
        title = yaxis.get("title")
        words = title.get("text") if isinstance(title, dict) else title
        if words:
            yaxis["title"] = {"text": ""}
            margin = dict(layout.get("margin") or {})
            margin["t"] = max(int(margin.get("t", 30)), 100)
            margin["l"] = min(int(margin.get("l", 70)), 80) if margin.get("l", 70) <= 90 else margin["l"]
            fig["layout"] = {
                **fig["layout"],
                "yaxis": yaxis,
                "margin": margin,
                "annotations": [
                    *(layout.get("annotations") or []),
                    {
                        "text": words,
                        "xref": "paper",
                        "yref": "paper",
                        "x": 0,
                        "y": 1,
                        "xanchor": "left",
                        "yanchor": "bottom",
                        "yshift": 52,
                        "showarrow": False,
                        "font": {"size": 18},
                    },
                ],
            }
        fig = theme.labels_at_least(fig, 18)
        # The chart takes what the screen leaves after the title and the controls, not a fixed height.
        figure = html.Div(
            dcc.Graph(
                figure=fig, config=GRAPH_CONFIG, id="present-graph", className="present-graph", style={"height": "100%"}
            ),
            role="img",
            className="present-figure",
            **{"aria-label": f"Chart: {panel.title}. {panel.summary}"},
        )
    return html.Div(
        [
            marking_banner(view.marking),
            synthetic_banner(view.synthetic),
            html.H1(panel.finding, id="page-title"),
            html.P(view.scope, className="lead"),
            figure if figure is not None else table_for(panel.table),
            html.P(panel.summary, className="chart-summary"),
            # One line of source on the screen; the disclosure rule and definitions are in the page and the notes.
            footnote(_present_source(view)),
            nav,
        ],
        className="page presenting",
        id="presentation",
    )


def _present_source(view) -> str:
    """One line of source on the screen; the disclosure rule and definitions are in the page and the notes."""
    return f"Source: Harbour, outcome measures v{STANDARD_VERSION}; {view.scope}. " + (
        "Exact figures (OFFICIAL-SENSITIVE)."
        if view.marking
        else "Published figures: counts perturbed by up to 3, as the ONS does (see Methodology)."
        if view.disclosure == "perturbation"
        else "Published figures: small counts suppressed, others rounded (see Methodology)."
    )
