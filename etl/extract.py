"""Read a bundle (a folder of CSVs or one XLSX workbook) into raw tables (etl.raw), defensively; an
authority's SSDA903 return in it is read by its own slice (etl.ssda903.read)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from etl.findings import Finding
from etl.raw import (
    FROM_RETURNS,
    RawBundle,
    RawTable,
    blank_cell,
    delimiter_problem,
    encoding_problem,
    read_bytes,
    text_problem,
    xlsx_problem,
)
from etl.spec import TABLES
from etl.ssda903 import read as return_reader


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
                Finding(path.name, None, None, "E01", "is not a file of the standard (forces, contacts, placements, missing_episodes)")
            )
    return bundle


def _read_csv(path: Path, name: str, bundle: RawBundle) -> None:
    data = read_bytes(path, bundle)
    if data is None:
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bundle.findings.append(Finding(path.name, None, None, "E01", encoding_problem(data, exc)))
        return
    problem = text_problem(text)
    if problem:
        bundle.findings.append(Finding(path.name, None, None, "E01", problem))
        return
    if not text.strip():
        bundle.findings.append(Finding(path.name, None, None, "E01", "is empty"))
        return
    wrong = delimiter_problem(text, name)
    if wrong:
        bundle.findings.append(Finding(path.name, None, None, "E01", wrong))
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        bundle.findings.append(
            Finding(path.name, reader.line_num, None, "E01", f"is not valid CSV or is truncated ({exc})")
        )
        return
    header, body = rows[0], rows[1:]
    # Blank trailing lines are not rows.
    while body and all(cell.strip() == "" for cell in body[-1]):
        body.pop()
    bundle.tables[name] = RawTable(name, path.name, header, body)


def _read_xlsx(path: Path, bundle: RawBundle) -> None:
    data = read_bytes(path, bundle)
    if data is None:
        return
    problem = xlsx_problem(data)
    if problem:
        bundle.findings.append(Finding(path.name, None, None, "E01", problem))
        return
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own types for every malformed workbook
        bundle.findings.append(Finding(path.name, None, None, "E01", f"is not a readable XLSX workbook ({type(exc).__name__})"))
        return
    sheets = {s.strip().lower(): s for s in workbook.sheet_names}
    sheets_of_returns = {title: workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
               for title in workbook.sheet_names if title.strip().lower().startswith("ssda903 ")}
    bundle.returns = return_reader.read_xlsx_sheets({t: [list(r) for r in rows] for t, rows in sheets_of_returns.items()}, path.name, bundle)
    for name in TABLES:
        label = f"{path.name}[{name}]"
        if name in FROM_RETURNS and bundle.returns and name not in sheets:
            continue
        if name not in sheets:
            bundle.findings.append(Finding(label, None, None, "E01", f"the workbook has no sheet named {name!r}"))
            continue
        try:
            rows = workbook.get_sheet_by_name(sheets[name]).to_python(skip_empty_area=False)
        except Exception as exc:
            bundle.findings.append(Finding(label, None, None, "E01", f"the sheet cannot be read ({type(exc).__name__})"))
            continue
        rows = [list(r) for r in rows]
        while rows and all(blank_cell(c) for c in rows[-1]):
            rows.pop()
        if not rows:
            bundle.findings.append(Finding(label, None, None, "E01", "the sheet is empty"))
            continue
        header = ["" if blank_cell(c) else str(c) for c in rows[0]]
        while header and header[-1] == "":
            header.pop()
        body = [r[: len(header)] + [""] * (len(header) - len(r)) for r in rows[1:]]
        bundle.tables[name] = RawTable(name, label, header, body)
