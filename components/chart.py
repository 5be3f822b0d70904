"""A chart with everything that makes it usable: a heading, a text summary, a table alternative,
and a footnote with the definition and the symbols."""

from __future__ import annotations

import re

from dash import dcc, html


GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}


LONG_TABLE_ROWS = 24
_NUMERIC = re.compile(r"^[-+–£c]?[\d.,]*\s?(%|h|points)?$|^(c|–)$")


def _md_cell(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def data_table(table_id: str, caption: str, columns: list[str], rows: list[list[str]], row_headers: bool = True,
               text_columns: frozenset[int] = frozenset()):
    """A native table: a caption, column headers with scope, the first cell of a row as its header.

    A long table (a monthly series over years) is sent as one Markdown component, which the browser
    renders as the same <table>: thousands of cell components cost more than the page's figures.
    """
    if len(rows) > LONG_TABLE_ROWS:
        numeric = [i > 0 and all(_NUMERIC.match(str(r[i])) for r in rows if i < len(r)) for i in range(len(columns))]
        lines = ["| " + " | ".join(_md_cell(c) for c in columns) + " |",
                 "|" + "|".join("--:" if numeric[i] else ":--" for i in range(len(columns))) + "|"]
        lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
        return html.Div([html.P(caption, className="table-caption"),
                         dcc.Markdown("\n".join(lines), className="data md-table", id=table_id)],
                        className="table-wrap")
    head = html.Thead(html.Tr([html.Th(c, scope="col", className="text" if i in text_columns else None)
                               for i, c in enumerate(columns)]))
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if i == 0 and row_headers:
                cells.append(html.Th(value, scope="row"))
            else:
                cells.append(html.Td(value, className="text" if i in text_columns else None))
        body.append(html.Tr(cells))
    return html.Div(html.Table([html.Caption(caption), head, html.Tbody(body)], className="data", id=table_id),
                    className="table-wrap")
