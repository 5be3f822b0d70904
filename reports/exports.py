"""Tables as files: CSV, XLSX and ODS, each with its title, scope, notes and the meaning of each symbol.

Every cell passes ``neutralise`` first (OWASP's rule for CSV injection): a cell that a spreadsheet
would run as a formula is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import re

from metrics.disclosure import SYMBOLS

SYNTHETIC_LINE = "SYNTHETIC DEMONSTRATION DATA: every child, force and figure is generated, not real."
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?%?$")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def sheet_rows(view, panel) -> list[list[str]]:
    """The whole sheet, top to bottom: title block, the table, notes and symbols."""
    rows = [[f"Harbour: {view.title}: {panel.table.caption}"], [view.scope]]
    if view.synthetic:
        rows.append([SYNTHETIC_LINE])
    if view.extract_date:
        rows.append([f"Records complete to the end of {view.extract_date}."])
    rows.append([])
    rows.append(list(panel.table.columns))
    rows.extend(list(r) for r in panel.table.rows)
    rows.append([])
    rows.append(["Notes"])
    rows.extend([n] for n in panel.notes)
    rows.append(["Symbols"])
    rows.extend([f"{symbol}: {meaning}"] for symbol, meaning in SYMBOLS.items())
    return [[neutralise(c) for c in row] for row in rows]


def to_csv(view, panel) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(sheet_rows(view, panel))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # a BOM, so Excel reads UTF-8


def to_xlsx(view, panel) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_name(panel.title)
    header_row = None
    for r, row in enumerate(sheet_rows(view, panel), start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = value
            cell.data_type = "s"  # text, always: never a formula
        if r == 1:
            ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        if row == [neutralise(c) for c in panel.table.columns] and header_row is None:
            header_row = r
            for c in range(1, len(row) + 1):
                ws.cell(row=r, column=c).font = Font(bold=True)
    for c in range(1, len(panel.table.columns) + 1):
        ws.column_dimensions[ws.cell(row=header_row or 1, column=c).column_letter].width = 18 if c > 1 else 36
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def to_ods(view, panel) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name=_sheet_name(panel.title))
    for row in sheet_rows(view, panel):
        tr = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31]


TABLE_WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "ods": to_ods}
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
