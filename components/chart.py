"""A chart with everything that makes it usable: a heading, a text summary, a table alternative,
and a footnote with the definition and the symbols."""

from __future__ import annotations

from dash import html

GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}


def data_table(
    table_id: str,
    caption: str,
    columns: list[str],
    rows: list[list[str]],
    row_headers: bool = True,
    text_columns: frozenset[int] = frozenset(),
):
    """A native table: a caption, column headers with scope, the first cell of a row as its header.

    Every cell is a text child of its element, never Markdown or HTML: names from a bundle or a pack
    are untrusted text, and are shown exactly as they were sent.
    """
    head = html.Thead(
        html.Tr(
            [html.Th(c, scope="col", className="text" if i in text_columns else None) for i, c in enumerate(columns)]
        )
    )
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if i == 0 and row_headers and len(row) > 1:  # a list of one column (the caveats) has no row headers
                cells.append(html.Th(value, scope="row"))
            else:
                cells.append(html.Td(value, className="text" if i in text_columns else None))
        body.append(html.Tr(cells))
    # A wide table scrolls inside its own region, which the keyboard can reach (WCAG 2.1.1).
    return html.Div(
        html.Table([html.Caption(caption), head, html.Tbody(body)], className="data", id=table_id),
        className="table-wrap",
        tabIndex="0",
        role="region",
        **{"aria-label": f"Table: {caption}"},
    )
