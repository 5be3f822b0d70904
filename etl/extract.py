"""Read a bundle (a folder of CSVs or one XLSX workbook) into raw tables (etl.raw), defensively; an
authority's SSDA903 return in it is read by its own slice (etl.ssda903.read)."""

from __future__ import annotations

import csv
import io
from itertools import islice
from pathlib import Path

from python_calamine import CalamineWorkbook

from harbour.etl.findings import Finding
from harbour.etl.raw import (
    FROM_RETURNS,
    RawBundle,
    RawTable,
    blank_cell,
    csv_rows,
    delimiter_problem,
    read_bytes,
    scan_csv,
    xlsx_problem,
)
from harbour.etl.spec import TABLES
from harbour.etl.ssda903 import read as return_reader


def read_bundle(paths: list[Path]) -> RawBundle:
    """Read one bundle: a folder of the four CSVs, the four CSV files themselves, or one XLSX."""
    bundle = RawBundle()
    if len(paths) == 1 and paths[0].is_dir():
        csvs = {name: paths[0] / f"{name}.csv" for name in TABLES}
        xlsx = sorted(paths[0].glob("*.xlsx"))
        if not any(p.exists() for p in csvs.values()) and len(xlsx) == 1:
            _read_xlsx(xlsx[0], bundle)
        else:
            bundle.returns = return_reader.read_folder(paths[0], bundle)
            for name, path in csvs.items():
                if name in FROM_RETURNS and bundle.returns and not path.exists():
                    continue  # the authorities' returns stand in for the force's own placement tables
                _read_csv(path, name, bundle)
        return bundle
    if len(paths) == 1 and paths[0].suffix.lower() == ".xlsx":
        _read_xlsx(paths[0], bundle)
        return bundle
    by_name = {p.stem.lower(): p for p in paths}
    for name in TABLES:
        path = by_name.get(name)
        if path is None:
            bundle.findings.append(Finding(f"{name}.csv", None, None, "E01", "the file is missing from the bundle"))
        else:
            _read_csv(path, name, bundle)
    for stem, path in by_name.items():
        if stem not in TABLES:
            bundle.findings.append(
                Finding(
                    path.name,
                    None,
                    None,
                    "E01",
                    "is not a file of the standard (forces, contacts, placements, missing_episodes)",
                )
            )
    return bundle


def _read_csv(path: Path, name: str, bundle: RawBundle) -> None:
    """A CSV as a raw table whose rows are read from the file as they are checked: the file is scanned once here
    for what makes it unreadable as a whole, and parsed once to find a malformed line, holding nothing."""
    problem = scan_csv(path, bundle)
    if problem:
        bundle.findings.append(Finding(path.name, None, None, "E01", problem))
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        wrong = delimiter_problem(handle.readline(), name)
    if wrong:
        bundle.findings.append(Finding(path.name, None, None, "E01", wrong))
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        last = None
        try:
            header = next(reader)
            for row in reader:
                last = row
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                cut = f"is cut short: the file ends inside a quoted field, at line {reader.line_num}; {NOT_WHOLE}"
                bundle.findings.append(Finding(path.name, reader.line_num, None, "E01", cut))
            else:
                bundle.findings.append(
                    Finding(path.name, reader.line_num, None, "E01", f"is not valid CSV or is truncated ({exc})")
                )
            return
    if last is not None and len(last) < len(header) and not _ends_with_line_break(path):
        cut = (
            f"is cut short: its last row, at line {reader.line_num}, has {len(last)} of the header's {len(header)} "
            f"columns and no line break after it; {NOT_WHOLE}"
        )
        bundle.findings.append(Finding(path.name, reader.line_num, None, "E01", cut))
        return

    def rows():
        body = csv_rows(path)
        next(body)  # the header
        return body

    bundle.tables[name] = RawTable(name, path.name, header, rows)


# A cut file is said to be cut, and nothing is checked against it: the rows it lost would otherwise show up as a
# cascade of errors in the other files (children "not in contacts").
NOT_WHOLE = "the file was not copied or saved whole: export it again (nothing else in the bundle is checked against it)"


def _ends_with_line_break(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        if handle.tell() == 0:
            return True
        handle.seek(-1, 2)
        return handle.read(1) in (b"\n", b"\r")


def _read_xlsx(path: Path, bundle: RawBundle) -> None:
    data = read_bytes(path, bundle)
    if data is None:
        return
    problem = xlsx_problem(data)
    if problem:
        bundle.findings.append(Finding(path.name, None, None, "E01", problem))
        return

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own types for every malformed workbook
        bundle.findings.append(
            Finding(path.name, None, None, "E01", f"is not a readable XLSX workbook ({type(exc).__name__})")
        )
        return
    sheets = {s.strip().lower(): s for s in workbook.sheet_names}
    sheets_of_returns = {
        title: workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
        for title in workbook.sheet_names
        if title.strip().lower().startswith("ssda903 ")
    }
    bundle.returns = return_reader.read_xlsx_sheets(
        {t: [list(r) for r in rows] for t, rows in sheets_of_returns.items()}, path.name, bundle
    )
    for name in TABLES:
        label = f"{path.name}[{name}]"
        if name in FROM_RETURNS and bundle.returns and name not in sheets:
            continue
        if name not in sheets:
            bundle.findings.append(Finding(label, None, None, "E01", f"the workbook has no sheet named {name!r}"))
            continue
        try:
            sheet = workbook.get_sheet_by_name(sheets[name])
            header_row = _sheet_header(sheet)
        except Exception as exc:
            bundle.findings.append(
                Finding(label, None, None, "E01", f"the sheet cannot be read ({type(exc).__name__})")
            )
            continue
        if header_row is None:
            bundle.findings.append(Finding(label, None, None, "E01", "the sheet is empty"))
            continue
        header = ["" if blank_cell(c) else str(c) for c in header_row]
        while header and header[-1] == "":
            header.pop()
        bundle.tables[name] = RawTable(name, label, header, _sheet_body(sheet))


def _sheet_rows(sheet):
    """A sheet's rows from its first (A1), read as they are asked for; calamine's own range starts at the first
    filled cell, so a sheet that does not start at A1 is read whole, as the spreadsheet numbers it."""
    start = sheet.start or (0, 0)
    if tuple(start) == (0, 0):
        return sheet.iter_rows()
    return iter(sheet.to_python(skip_empty_area=False))


def _sheet_header(sheet):
    """The sheet's first row (blank, when only later rows are filled), or None when the sheet holds nothing."""
    rows = _sheet_rows(sheet)
    first = next(rows, None)
    if first is None or (all(blank_cell(c) for c in first) and all(all(blank_cell(c) for c in r) for r in rows)):
        return None
    return first


def _sheet_body(sheet):
    return lambda: islice(_sheet_rows(sheet), 1, None)
