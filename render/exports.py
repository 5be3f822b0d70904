"""Tables as files: CSV, XLSX and ODS, each with its title, scope, notes and the meaning of each symbol.

Numbers are numbers: a rate is the number 0.82 (shown as 82% by the spreadsheet's number format),
a difference is in percentage points (4, shown as +4), and ``c`` is text explained by the notes.
Only text cells pass ``neutralise`` (untrusted.neutralise, OWASP's rule for CSV injection): a text cell that a
spreadsheet
would run as a formula is prefixed with an apostrophe. A number is never changed.
"""

from __future__ import annotations

import csv
import io
import math
import re

from harbour.metrics.disclosure import NULL_TOKENS, SUPPRESSED, symbols_for
from harbour.metrics.summary import STANDARD_VERSION
from harbour.untrusted import neutralise, visible_controls
from harbour.views.format import display
from harbour.views.model import cell_kind

SYNTHETIC_LINE = "SYNTHETIC DEMONSTRATION DATA: every child, force and figure is generated, not real."
UNITS_LINE = (
    "Units: rates are proportions (0.82 is 82%); differences are in percentage points; times in hours; "
    "money in pounds. c is text: see Symbols."
)
# Spreadsheet number formats by column kind, for published (whole-point) and exact figures.
FORMATS = {
    "count": ("#,##0", "#,##0"),
    "rate": ("0%", "0.0%"),
    "points": ("+0;-0;0", "+0.0;-0.0;0.0"),
    "hours": ("0.0", "0.0"),
    "ratio": ("0.0", "0.00"),
    "p": ("0.000", "0.0000"),
    "money": ("£#,##0", "£#,##0"),
    "money2": ("£#,##0.00", "£#,##0.00"),
    "number": ("General", "General"),
    "day": ("0", "0"),
    "signed": ("+#,##0;-#,##0;0", "+#,##0;-#,##0;0"),
}


def number(kind: str, value):
    """The number a cell holds, or None where the cell is text (``c``, blank, or a text column)."""
    if kind == "text" or value is None or isinstance(value, str) or isinstance(value, bool):
        return None
    x = float(value)
    if math.isnan(x) or math.isinf(x):
        return None
    if kind == "points":
        x = round(x * 100, 6)
    if kind in ("count", "signed", "day") or (x.is_integer() and kind in ("number", "money", "points")):
        return int(round(x))
    return x


def sheet_rows(view, panel) -> list[list[tuple]]:
    """The whole sheet, top to bottom, as (value, kind) cells: title block, the table, notes and symbols.
    A cell's kind is ``text`` or the kind of a number; text is already neutralised."""

    def text(value):
        return (neutralise(visible_controls(value)), "text")

    rows = []
    if view.marking:
        rows.append([text(view.marking)])
    rows += [[text(f"Harbour: {view.title}: {panel.table.caption}")], [text(view.scope)]]
    if view.synthetic:
        rows.append([text(SYNTHETIC_LINE)])
    if view.extract_date:
        rows.append([text(f"Records complete to the end of {view.extract_date}.")])
    rows.append([text(UNITS_LINE)])
    rows.append([])
    rows.append([text(c.name) for c in panel.table.columns])
    for row in panel.table.rows:
        out = []
        for column, value in zip(panel.table.columns, row):
            kind, raw = cell_kind(column, value)
            n = number(kind, raw)
            out.append((n, kind) if n is not None else text("" if raw is None else raw))
        rows.append(out)
    rows.append([])
    rows.append([text("Notes")])
    rows.extend([text(n)] for n in panel.notes)
    rows.extend([text(n)] for n in view.notices if "known to the day" in n)  # SSDA903 placements
    rows.append([text(f"Figures follow the Harbour outcome measures, version {STANDARD_VERSION}.")])
    rows.append([text("Symbols")])
    rows.extend([text(f"{symbol}: {meaning}")] for symbol, meaning in symbols_for(view.disclosure).items())
    if view.marking:
        rows.append([text(view.marking)])
    return rows


def _header_index(rows, panel) -> int:
    names = [neutralise(c.name) for c in panel.table.columns]
    return next(i for i, r in enumerate(rows) if [v for v, _ in r] == names)


def to_csv(view, panel) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in sheet_rows(view, panel):
        writer.writerow([repr(v) if isinstance(v, float) else v for v, _ in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # a BOM, so Excel reads UTF-8


def to_xlsx(view, panel) -> bytes:
    from openpyxl import Workbook  # slow import: only when an XLSX file is asked for
    from openpyxl.styles import Font  # slow import: only when an XLSX file is asked for

    exact = bool(view.marking)
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_name(panel.title)
    rows = sheet_rows(view, panel)
    header = _header_index(rows, panel) + 1
    for r, row in enumerate(rows, start=1):
        for c, (value, kind) in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = value
            if kind == "text":
                cell.data_type = "s"  # text, always: never a formula
            else:
                cell.number_format = FORMATS[kind][exact]
        if r in (1, header):
            for c in range(1, len(row) + 1):
                ws.cell(row=r, column=c).font = Font(bold=True, size=14 if r == 1 and r != header else 11)
    for c in range(1, len(panel.table.columns) + 1):
        ws.column_dimensions[ws.cell(row=header, column=c).column_letter].width = 18 if c > 1 else 36
    if view.marking:
        ws.oddHeader.center.text = view.marking
        ws.oddFooter.center.text = view.marking
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _ods_styles(doc, exact: bool) -> dict[str, object]:
    """A cell style for each number kind, with a data style that formats it as the page does."""
    from odf.number import (  # slow import: only when an ODS file is asked for
        CurrencyStyle,
        CurrencySymbol,
        Number,
        NumberStyle,
        PercentageStyle,
        Text,
    )
    from odf.style import Map, Style  # slow import: only when an ODS file is asked for

    def number_style(name, decimals, grouping=False, prefix=None, suffix=None, percentage=False):
        style = (PercentageStyle if percentage else CurrencyStyle if prefix == "£" else NumberStyle)(name=name)
        if prefix == "£":
            style.addElement(CurrencySymbol(language="en", country="GB", text="£"))
        elif prefix:
            style.addElement(Text(text=prefix))
        style.addElement(Number(decimalplaces=str(decimals), minintegerdigits="1", grouping=str(grouping).lower()))
        if suffix:
            style.addElement(Text(text=suffix))
        doc.styles.addElement(style)
        return style

    decimals = {
        "rate": 1 if exact else 0,
        "points": 1 if exact else 0,
        "p": 4 if exact else 3,
        "ratio": 2 if exact else 1,
    }
    made = {
        "count": number_style("N-count", 0, grouping=True),
        "rate": number_style("N-rate", decimals["rate"], suffix="%", percentage=True),
        "hours": number_style("N-hours", 1),
        "ratio": number_style("N-ratio", decimals["ratio"]),
        "p": number_style("N-p", decimals["p"]),
        "money": number_style("N-money", 0, grouping=True, prefix="£"),
        "money2": number_style("N-money2", 2, grouping=True, prefix="£"),
        "number": number_style("N-number", 1),
        "day": number_style("N-day", 0),
        "signed": number_style("N-signed", 0, grouping=True),
    }
    number_style("N-points-positive", decimals["points"], prefix="+")
    points = NumberStyle(name="N-points")
    points.addElement(Number(decimalplaces=str(decimals["points"]), minintegerdigits="1"))
    points.addElement(Map(condition="value()>0", applystylename="N-points-positive"))
    doc.styles.addElement(points)
    made["points"] = points
    cells = {}
    for kind, data_style in made.items():
        cell = Style(name=f"cell-{kind}", family="table-cell", datastylename=data_style.getAttribute("name"))
        doc.automaticstyles.addElement(cell)
        cells[kind] = cell
    return cells


def to_ods(view, panel) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet  # slow import: only when an ODS file is asked for
    from odf.table import Table, TableCell, TableRow  # slow import: only when an ODS file is asked for
    from odf.text import P  # slow import: only when an ODS file is asked for

    doc = OpenDocumentSpreadsheet()
    styles = _ods_styles(doc, bool(view.marking))
    table = Table(name=_sheet_name(panel.title))
    for row in sheet_rows(view, panel):
        tr = TableRow()
        for value, kind in row:
            if kind == "text":
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            else:
                shown = display(kind, value / 100 if kind == "points" else value)
                valuetype = "percentage" if kind == "rate" else "float"
                cell = TableCell(valuetype=valuetype, value=repr(value), stylename=styles[kind])
                cell.addElement(P(text=shown))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    """A sheet's name (31 characters at most, none of []:*?/\\): the title up to its first colon where that names
    it, cut between words, never mid-word with doubled spaces ("Estimated survival  children no")."""
    head = title.split(":")[0].strip() if ":" in title and len(title.split(":")[0].strip()) >= 4 else title
    words, name = re.sub(r"[\[\]:*?/\\]", " ", head).split(), ""
    for word in words:
        if len(name) + len(word) + (1 if name else 0) > 31:
            break
        name = f"{name} {word}" if name else word
    return name or (words[0][:31] if words else "Sheet")


# ---- CSV on the Web (W3C CSVW), as the ONS publishes its local indicators -----------------------------------------

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
# What a higher value means, by panel (the ONS's "polarity"); panels not named here have none.
POLARITY = {
    "chart-headline": "28-day retention: higher is better; hours to first engagement: lower is better",
    "chart-horizons": "Higher is better: more children still in safe accommodation",
    "chart-km": "Higher is better: more children still in safe accommodation",
    "chart-engagement-within24": "Higher is better: more children engaged within 24 hours",
    "chart-engagement-distribution": "Share engaged: higher is better; hours: lower is better",
    "chart-missing-timing": "Lower is better: fewer children going missing",
    "chart-missing-outcomes": "Lower is better: fewer missing episodes",
}


def _status(view, raw) -> str:
    """The status of one published value: c (suppressed), or how the figures were made fit to publish."""
    if raw == "c":
        return "c: suppressed (too few children to publish, or it would give such a count away)"
    return {"perturbation": "perturbed (cell-key)", "suppression": "rounded (suppression)"}.get(
        view.disclosure, "exact (OFFICIAL-SENSITIVE)"
    )


def to_csvw(view, panel, stem: str = "table") -> bytes:
    """The table as CSV on the Web (W3C): a zip of a tidy CSV (a header row, then one row per table row; each
    number column followed by the status of its values, perturbed, c or exact) and its metadata file
    (``{stem}.csv-metadata.json``): the table's definition, each column's title, unit and datatype, the notes, the
    polarity, the source, the licence where one applies, and the protective marking or the synthetic label. The ONS's
    local statistics publish each indicator so; a CSV without its definition does not travel."""
    import json
    import zipfile

    columns, header, rows = [], [], []
    # A column is of numbers where any of its cells is (a table of measures has text columns of typed cells).
    kinds = [
        sorted({cell_kind(column, row[i])[0] for row in panel.table.rows} - {"text"})
        for i, column in enumerate(panel.table.columns)
    ]
    numeric = [bool(k) for k in kinds]
    for i, column in enumerate(panel.table.columns):
        name = f"column{i + 1}"
        description = UNITS_LINE.split(": ", 1)[1] if numeric[i] else "Text"
        columns.append(
            {
                "name": name,
                "titles": column.name,
                "datatype": {"base": "decimal"} if numeric[i] else "string",
                "null": list(NULL_TOKENS) if numeric[i] else [""],
                "dc:description": f"Kind: {', '.join(kinds[i])}. {description}" if numeric[i] else "Text",
            }
        )
        header.append(column.name)
        if numeric[i]:
            columns.append(
                {
                    "name": f"{name}_status",
                    "titles": f"{column.name} (status)",
                    "datatype": "string",
                    "dc:description": "How the value beside it was made fit to publish: perturbed, c or exact",
                }
            )
            header.append(f"{column.name} (status)")
    for row in panel.table.rows:
        out = []
        for column, value, is_number in zip(panel.table.columns, row, numeric):
            kind, raw = cell_kind(column, value)
            n = number(kind, raw)
            if is_number:
                # a c as it was published (a CSVW null of its column), a number as a number, nothing as nothing
                out.append(raw if raw == SUPPRESSED else "" if n is None else repr(n) if isinstance(n, float) else n)
                out.append("" if raw is None else _status(view, raw))
            else:
                out.append(neutralise(visible_controls("" if raw is None else raw)))
        rows.append(out)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    notes = [*panel.notes, *(n for n in view.notices if "known to the day" in n)]
    source = panel.source.replace(" | ", " · ") if panel.source else f"Harbour, outcome measures v{STANDARD_VERSION}"
    metadata = {
        "@context": [CSVW_CONTEXT, {"@language": "en"}],
        "url": f"{stem}.csv",
        "dc:title": f"Harbour: {view.title}: {panel.table.caption}",
        "dc:description": " ".join(
            part
            for part in (view.scope, panel.summary, view.marking, SYNTHETIC_LINE if view.synthetic else None)
            if part
        ),
        "dc:source": source,
        "dc:conformsTo": f"Harbour outcome measures, version {STANDARD_VERSION} (docs/metrics.md)",
        "rdfs:comment": [
            *notes,
            *(f"Symbol {symbol}: {meaning}" for symbol, meaning in symbols_for(view.disclosure).items()),
            *([f"Polarity: {POLARITY[panel.panel_id]}"] if panel.panel_id in POLARITY else []),
        ],
        "tableSchema": {"columns": columns},
    }
    if panel.source and "Open Government Licence" in panel.source:
        metadata["dc:license"] = {"@id": OGL}
    if view.extract_date:
        metadata["dc:temporal"] = f"Records complete to the end of {view.extract_date}"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{stem}.csv", buffer.getvalue().encode("utf-8"))
        z.writestr(f"{stem}.csv-metadata.json", json.dumps(metadata, indent=2, ensure_ascii=False))
    return archive.getvalue()


TABLE_WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "ods": to_ods, "csvw": to_csvw}
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csvw": "application/zip",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
