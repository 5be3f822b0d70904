"""Read an authority's SSDA903 return: a folder of CSVs, one XML file, or an XLSX bundle's sheets.

Only the columns ``codes.COLUMNS`` names are kept; every other column of the return is dropped as it is read.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from harbour.etl.findings import Finding
from harbour.etl.parse import is_blank
from harbour.etl.raw import encoding_problem, read_bytes, record_file, text_problem
from harbour.etl.ssda903.codes import COLUMNS, LA_CODE, REQUIRED, TABLES


@dataclass
class ReturnTable:
    """One table of a return: only the columns read, with each row's number as its file shows it."""

    name: str
    file: str  # as messages name it: ssda903/E10000015/episodes.csv
    columns: list[str]
    rows: list[list[str]]
    row_numbers: list[int]


@dataclass
class Return:
    la_code: str
    tables: dict[str, ReturnTable] = field(default_factory=dict)


def read_folder(root: Path, bundle) -> list[Return]:
    """Every ``ssda903/<la_code>/`` under a bundle folder (nothing when there is none)."""
    base = root / "ssda903"
    if not base.is_dir():
        return []
    returns = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        la = folder.name.strip().upper()
        label = f"ssda903/{folder.name}"
        if not LA_CODE.match(la):
            bundle.findings.append(
                Finding(
                    label,
                    None,
                    None,
                    "E01",
                    "is not named by a local authority's ONS code "
                    "(a letter E, W, S or N and eight digits, e.g. E10000015)",
                )
            )
            continue
        ret = Return(la)
        xml = sorted(folder.glob("*.xml"))
        csvs = {name: folder / f"{name}.csv" for name in TABLES}
        if xml and not any(p.exists() for p in csvs.values()):
            _read_xml(xml[0], f"{label}/{xml[0].name}", ret, bundle)
        else:
            for name, path in csvs.items():
                if name in ("uasc", "missing") and not path.exists():
                    ret.tables[name] = ReturnTable(name, f"{label}/{name}.csv", list(COLUMNS[name]), [], [])
                    continue  # a return with no unaccompanied or missing child may leave these out
                _read_csv(path, f"{label}/{name}.csv", name, ret, bundle)
        returns.append(ret)
    return returns


def _keep(header: list[str], name: str) -> dict[str, int]:
    """The positions of the columns read; the rest of the header is never looked at again."""
    wanted = set(COLUMNS[name])
    positions = {}
    for index, cell in enumerate(header):
        key = str(cell).strip().upper()
        if key in wanted and key not in positions:
            positions[key] = index
    return positions


def _read_csv(path: Path, label: str, name: str, ret: Return, bundle) -> None:
    data = read_bytes(path, bundle, label)  # the bundle's size limit, and its checksum
    if data is None:
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bundle.findings.append(Finding(label, None, None, "E01", encoding_problem(data, exc)))
        return
    problem = text_problem(text)
    if problem:
        bundle.findings.append(Finding(label, None, None, "E01", problem))
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        positions = _keep(header, name)
        rows, numbers = [], []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append(
                [row[positions[c]] if c in positions and positions[c] < len(row) else "" for c in COLUMNS[name]]
            )
            numbers.append(reader.line_num)
    except csv.Error:
        bundle.findings.append(Finding(label, reader.line_num, None, "E01", "is not valid CSV or is truncated"))
        return
    _add_table(ret, name, label, positions, rows, numbers, bundle)


def _add_table(ret: Return, name: str, label: str, positions, rows, numbers, bundle) -> None:
    missing = [c for c in REQUIRED[name] if c not in positions]
    for column in missing:
        bundle.findings.append(
            Finding(
                label,
                1,
                column,
                "E02",
                f"column {column!r} not found: a required column of "
                "the return is missing, so the rows were not checked",
            )
        )
    if missing:
        return
    ret.tables[name] = ReturnTable(name, label, list(COLUMNS[name]), rows, numbers)


def _read_xml(path: Path, label: str, ret: Return, bundle) -> None:
    """An XML return, streamed: each <CHILD> is read as its end tag arrives and then dropped, so that memory holds
    the rows kept and one child's elements, never the whole document's tree. Entities and external references are
    refused (defusedxml), as is a document whose root is not <EXPSSDA903>."""
    if not record_file(path, bundle, label):
        return
    tables = {name: ([], []) for name in TABLES}
    try:
        events = ElementTree.iterparse(str(path), events=("start", "end"))
        _, root = next(events)
        if root.tag != "EXPSSDA903":
            bundle.findings.append(Finding(label, None, None, "E01", "is not an SSDA903 return (no <EXPSSDA903>)"))
            return
        number = 0
        for event, element in events:
            if event == "end" and element.tag == "CHILD":
                number += 1
                _child_rows(element, number, tables)
                root.clear()  # this child, and any text between children, no longer held
    except (ElementTree.ParseError, DefusedXmlException, StopIteration) as exc:
        bundle.findings.append(
            Finding(label, None, None, "E01", f"is not a readable SSDA903 XML return ({type(exc).__name__})")
        )
        return
    for name, (rows, numbers) in tables.items():
        # In XML, "row n" of return.xml[episodes] is its n-th <EPISODE>, of [missing] its n-th <AMISSING>,
        # and of [header] and [uasc] its n-th <CHILD>.
        ret.tables[name] = ReturnTable(name, f"{label}[{name}]", list(COLUMNS[name]), rows, numbers)


def _text(element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _child_rows(child, number: int, tables: dict) -> None:
    """The rows one <CHILD> gives each table."""
    head = child.find("HEADER")
    if head is None:
        return
    ident = _text(head, "CHILDID")
    tables["header"][0].append([ident])
    tables["header"][1].append(number)
    if _text(head, "UASC") == "1":
        tables["uasc"][0].append([ident])
        tables["uasc"][1].append(number)
    for missing in head.findall("AMISSING"):
        tables["missing"][0].append(
            [ident, _text(missing, "MISSING"), _text(missing, "MIS_START"), _text(missing, "MIS_END")]
        )
        tables["missing"][1].append(len(tables["missing"][1]) + 1)
    for episode in child.findall("EPISODE"):
        columns = ("DECOM", "RNE", "PL", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE")
        tables["episodes"][0].append([ident, *(_text(episode, c) for c in columns)])
        tables["episodes"][1].append(len(tables["episodes"][1]) + 1)


def read_xlsx_sheets(sheets: dict[str, list[list[object]]], workbook_name: str, bundle) -> list[Return]:
    """Sheets named ``ssda903 <la_code> <table>`` of an XLSX bundle (their rows as read)."""
    found: dict[str, Return] = {}
    for title, rows in sheets.items():
        parts = title.strip().split()
        if len(parts) != 3 or parts[0].lower() != "ssda903" or parts[2].lower() not in TABLES:
            continue
        la, name = parts[1].upper(), parts[2].lower()
        label = f"{workbook_name}[{title.strip()}]"
        if not LA_CODE.match(la):
            bundle.findings.append(Finding(label, None, None, "E01", "is not named by a local authority's ONS code"))
            continue
        ret = found.setdefault(la, Return(la))
        header = [str(c) if c is not None else "" for c in (rows[0] if rows else [])]
        positions = _keep(header, name)
        body, numbers = [], []
        for offset, row in enumerate(rows[1:], start=2):
            if all(is_blank(c) for c in row):
                continue
            body.append(
                [_cell(row[positions[c]]) if c in positions and positions[c] < len(row) else "" for c in COLUMNS[name]]
            )
            numbers.append(offset)
        _add_table(ret, name, label, positions, body, numbers, bundle)
    for ret in found.values():
        for name in ("uasc", "missing"):
            ret.tables.setdefault(
                name, ReturnTable(name, f"{workbook_name}[ssda903 {ret.la_code} {name}]", list(COLUMNS[name]), [], [])
            )
    return list(found.values())


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()
