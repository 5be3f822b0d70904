"""Placement outcomes from a local authority's SSDA903 return (shared/data-standard.md, version 2).

A bundle may carry, instead of placements.csv and missing_episodes.csv, each authority's own
children-looked-after return: ``ssda903/<la_code>/`` holding header.csv, episodes.csv, uasc.csv and
missing.csv, or one XML file of the return (``<EXPSSDA903>``); in an XLSX bundle, sheets named
``ssda903 <la_code> episodes`` and so on.

Only the columns the standard names are read. Every other column of the return (UPN, DOB,
HOME_POST, PL_POST, URN, MOTHER, MC_DOB, ...) is dropped as the file is read: it is never held,
stored, logged or echoed, and is not an error here.

Codes are those of the DfE's SSDA903 guidance as the open-source DfE rule validator
(csc-validator-be-903, lac_validator/rules) checks them: rule 149 for REC, 143 for RNE, 388 for
X1 ("episode ceases and a new one begins on the same day").
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from etl.findings import Finding
from etl.parse import is_blank, local_to_utc, parse_date
from etl.spec import PLACEMENT_TYPES, PROVIDERS

TABLES = ("header", "episodes", "uasc", "missing")
# What is read of each table; everything else is dropped as it is read.
COLUMNS = {
    "header": ("CHILD",),
    "episodes": ("CHILD", "DECOM", "RNE", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE"),
    "uasc": ("CHILD",),
    "missing": ("CHILD", "MISSING", "MIS_START", "MIS_END"),
}
REQUIRED = {
    "header": ("CHILD",),
    "episodes": ("CHILD", "DECOM", "RNE", "PLACE", "DEC", "REC"),
    "uasc": ("CHILD",),
    "missing": ("CHILD", "MISSING", "MIS_START"),
}
LA_CODE = re.compile(r"^[EWSN][0-9]{8}$")

# PLACE: the standard's placement types and the adoption placements of the return (A3-A6).
PLACE_CODES = PLACEMENT_TYPES | {"A3", "A4", "A5", "A6"}
RNE_CODES = frozenset({"S", "P", "L", "T", "U", "B"})
MISSING_CODES = frozenset({"M", "A"})

# REC, reason episode ceased (every code of the current return), to the standard's end_reason.
# X1 is not here: it is a new episode the same day (a move, or a change of legal status only).
REC_END_REASONS = {
    "E11": ("OTHER", "adopted: application for an adoption order unopposed"),
    "E12": ("OTHER", "adopted: consent dispensed with by the court"),
    "E13": ("RETURNED_FAMILY", "left care to live with parent(s), relative(s) or other person(s) with no parental responsibility"),
    "E14": ("OTHER", "accommodation on remand ended"),
    "E15": ("AGE_ASSESSED_ADULT", "age assessment determined the child is 18 or over"),
    "E16": ("OTHER", "child moved abroad"),
    "E17": ("REACHED_18", "aged 18 or over and remained with current carers (including staying put)"),
    "E2": ("OTHER", "died"),
    "E3": ("TRANSFERRED_LA", "care taken over by another local authority in the UK"),
    "E41": ("OTHER", "residence order or child arrangement order granted"),
    "E45": ("OTHER", "special guardianship order made to former foster carer(s), relative(s) or friend(s)"),
    "E46": ("OTHER", "special guardianship order made to former foster carer(s), not relatives or friends"),
    "E47": ("OTHER", "special guardianship order made to other carer(s), relative(s) or friend(s)"),
    "E48": ("OTHER", "special guardianship order made to other carer(s), not relatives or friends"),
    "E4A": ("RETURNED_FAMILY", "returned home to parent(s) or others with parental responsibility, as planned"),
    "E4B": ("RETURNED_FAMILY", "returned home to parent(s) or others with parental responsibility, not as planned"),
    "E5": ("OTHER", "moved to independent living with formal advice or support"),
    "E6": ("OTHER", "moved to independent living without formal advice or support"),
    "E7": ("OTHER", "transferred to residential care funded by adult social care"),
    "E8": ("OTHER", "ceased to be looked after for any other reason"),
    "E9": ("OTHER", "sentenced to custody"),
}
REC_CODES = frozenset(REC_END_REASONS) | {"X1"}
# REASON_PLACE_CHANGE, on the episode that begins with a new placement: planned or unplanned move.
PLANNED = {"CARPL": "change to, or carrying out of, the care plan", "PLACE": "change in the placement's status only",
           "LAREQ": "the responsible authority asked for the placement to end", "CUSTOD": "custody arrangement"}
UNPLANNED = {"ALLEG": "allegation (section 47)", "STAND": "concerns about standards of care",
             "APPRR": "the carer's approval was removed", "CLOSE": "the provision closed or the carer resigned",
             "CREQB": "the carer asked for the placement to end: the child's behaviour",
             "CREQO": "the carer asked for the placement to end: other reasons",
             "CHILD": "the child asked for the placement to end", "OTHER": "other reason"}
REASON_CODES = frozenset(PLANNED) | frozenset(UNPLANNED)


def move_reason(reason: str | None) -> str:
    """The end_reason of a placement left for another the same day (X1, the new episode's RNE not L).
    A reason the return does not give is counted unplanned: nobody recorded a plan."""
    return "PLANNED_MOVE" if reason in PLANNED else "UNPLANNED_MOVE"


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


# --- reading --------------------------------------------------------------------------------------------


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
            bundle.findings.append(Finding(label, None, None, "E01", "is not named by a local authority's ONS code "
                                                                     "(a letter E, W, S or N and eight digits, e.g. E10000015)"))
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
    from etl.extract import _encoding_problem, _read_bytes

    data = _read_bytes(path, bundle, label)  # the bundle's size limit, and its checksum
    if data is None:
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bundle.findings.append(Finding(label, None, None, "E01", _encoding_problem(data, exc)))
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        positions = _keep(header, name)
        rows, numbers = [], []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append([row[positions[c]] if c in positions and positions[c] < len(row) else "" for c in COLUMNS[name]])
            numbers.append(reader.line_num)
    except csv.Error:
        bundle.findings.append(Finding(label, reader.line_num, None, "E01", "is not valid CSV or is truncated"))
        return
    _add_table(ret, name, label, positions, rows, numbers, bundle)


def _add_table(ret: Return, name: str, label: str, positions, rows, numbers, bundle) -> None:
    missing = [c for c in REQUIRED[name] if c not in positions]
    for column in missing:
        bundle.findings.append(Finding(label, 1, column, "E02", f"column {column!r} not found: a required column of "
                                                                "the return is missing, so the rows were not checked"))
    if missing:
        return
    ret.tables[name] = ReturnTable(name, label, list(COLUMNS[name]), rows, numbers)


def _read_xml(path: Path, label: str, ret: Return, bundle) -> None:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    from etl.extract import _read_bytes

    data = _read_bytes(path, bundle, label)
    if data is None:
        return
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        bundle.findings.append(Finding(label, None, None, "E01", f"is not a readable SSDA903 XML return ({type(exc).__name__})"))
        return
    if root.tag != "EXPSSDA903":
        bundle.findings.append(Finding(label, None, None, "E01", "is not an SSDA903 return (no <EXPSSDA903>)"))
        return
    tables = {name: ([], []) for name in TABLES}
    text = lambda element, tag: (element.findtext(tag) or "").strip()  # noqa: E731
    for number, child in enumerate(root.findall("CHILD"), start=1):
        head = child.find("HEADER")
        if head is None:
            continue
        ident = text(head, "CHILDID")
        tables["header"][0].append([ident])
        tables["header"][1].append(number)
        if text(head, "UASC") == "1":
            tables["uasc"][0].append([ident])
            tables["uasc"][1].append(number)
        for missing in head.findall("AMISSING"):
            tables["missing"][0].append([ident, text(missing, "MISSING"), text(missing, "MIS_START"), text(missing, "MIS_END")])
            tables["missing"][1].append(len(tables["missing"][1]) + 1)
        for episode in child.findall("EPISODE"):
            tables["episodes"][0].append([ident, text(episode, "DECOM"), text(episode, "RNE"), text(episode, "PL"),
                                          text(episode, "PLACE_PROVIDER"), text(episode, "DEC"), text(episode, "REC"),
                                          text(episode, "REASON_PLACE_CHANGE")])
            tables["episodes"][1].append(len(tables["episodes"][1]) + 1)
    for name, (rows, numbers) in tables.items():
        # In XML, "row n" of return.xml[episodes] is its n-th <EPISODE>, of [missing] its n-th <AMISSING>,
        # and of [header] and [uasc] its n-th <CHILD>.
        ret.tables[name] = ReturnTable(name, f"{label}[{name}]", list(COLUMNS[name]), rows, numbers)


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
            body.append([_cell(row[positions[c]]) if c in positions and positions[c] < len(row) else "" for c in COLUMNS[name]])
            numbers.append(offset)
        _add_table(ret, name, label, positions, body, numbers, bundle)
    for ret in found.values():
        for name in ("uasc", "missing"):
            ret.tables.setdefault(name, ReturnTable(name, f"{workbook_name}[ssda903 {ret.la_code} {name}]",
                                                    list(COLUMNS[name]), [], []))
    return list(found.values())


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


# --- checking and deriving ----------------------------------------------------------------------------------


@dataclass
class Derived:
    """What a return gives the bundle: placements and missing episodes (typed, with the row they came
    from), the CHILD references it holds, and its unaccompanied children with their first DECOM month."""

    placements: list[dict] = field(default_factory=list)
    episodes: list[dict] = field(default_factory=list)
    children: set[str] = field(default_factory=set)  # pseudonymised CHILD of every table
    uasc: dict[str, str | None] = field(default_factory=dict)  # pseudonymised CHILD: first DECOM month


def _checked(table: ReturnTable, findings: list[Finding]) -> list[dict]:
    """The table's rows as dicts of checked values; a row with a bad value is reported and left out."""
    out = []
    for values, number in zip(table.rows, table.row_numbers):
        row = dict(zip(table.columns, values))
        good = True
        for column, value in row.items():
            problem = _problem(table.name, column, value)
            if problem:
                rule, message = problem
                findings.append(Finding(table.file, number, column, rule, message))
                good = False
        if table.name == "episodes" and not is_blank(row.get("DEC")) and is_blank(row.get("REC")):
            findings.append(Finding(table.file, number, "REC", "E10", "DEC is set but REC is blank"))
            good = False
        if good:
            row["_row"] = number
            out.append(row)
    return out


def _problem(table: str, column: str, value: str) -> tuple[str, str] | None:
    blank = is_blank(value)
    if blank:
        # DEC and REC are blank while the episode goes on (checked together in _checked).
        return ("E03", "a required value is blank") if column in REQUIRED[table] and column not in ("DEC", "REC") else None
    text = str(value).strip()
    if column == "CHILD":
        from etl.validate import _IDENT

        return None if _IDENT.match(text) else ("E04", "the value is not an identifier")
    if column in ("DECOM", "DEC", "MIS_START", "MIS_END"):
        try:
            day = parse_date(text)
        except ValueError as exc:
            return "E04", f"{text[:20]!r} {exc}"
        from etl.validate import EARLIEST

        return ("E05", "is before 2000-01-01") if day < EARLIEST else None
    codes = {"RNE": RNE_CODES, "PLACE": PLACE_CODES, "PLACE_PROVIDER": PROVIDERS, "REC": REC_CODES,
             "REASON_PLACE_CHANGE": REASON_CODES, "MISSING": MISSING_CODES}.get(column)
    if codes is not None and text.upper() not in codes:
        return "E04", f"{text[:12]!r} is not one of the return's {column} codes"
    return None


def _moment(value: str) -> datetime:
    """A return's date as the standard takes it: 00:00 UK local time, as naive UTC."""
    day = parse_date(value)
    return local_to_utc(datetime(day.year, day.month, day.day))


def derive(ret: Return, pseudonymise, links: dict[str, tuple[str, str]], findings: list[Finding]) -> Derived:
    """Placements and missing episodes of the return's children that a contact links to.

    ``links``: pseudonymised CHILD -> (force_code, child_key) for this authority.
    """
    out = Derived()
    rows = {name: _checked(table, findings) for name, table in ret.tables.items()}
    for table in ret.tables.values():
        for values in table.rows:
            if values and not is_blank(values[0]):
                out.children.add(pseudonymise(str(values[0]).strip()))
    by_child: dict[str, list[dict]] = {}
    for row in rows.get("episodes", []):
        by_child.setdefault(pseudonymise(row["CHILD"].strip()), []).append(row)
    for key, episodes in by_child.items():
        episodes.sort(key=lambda r: (parse_date(r["DECOM"]), r["_row"]))
    for row in rows.get("uasc", []):
        key = pseudonymise(row["CHILD"].strip())
        first = by_child.get(key)
        out.uasc[key] = parse_date(first[0]["DECOM"]).strftime("%Y-%m") if first else None
    file = ret.tables["episodes"].file if "episodes" in ret.tables else f"ssda903/{ret.la_code}"
    for key, episodes in by_child.items():
        if key not in links:
            continue
        force, child = links[key]
        out.placements += _placements(ret.la_code, force, child, episodes, file)
    missing_file = ret.tables["missing"].file if "missing" in ret.tables else file
    for row in rows.get("missing", []):
        key = pseudonymise(row["CHILD"].strip())
        if key not in links:
            continue
        force, child = links[key]
        out.episodes.append({
            "episode_id": f"{ret.la_code}-M{row['_row']}", "child_key": child, "force_code": force,
            "episode_type": row["MISSING"].strip().upper(), "start_at": _moment(row["MIS_START"]),
            "end_at": None if is_blank(row["MIS_END"]) else _moment(row["MIS_END"]),
            "risk_grading": "U", "outcome": "U", "return_interview_offered": "U", "return_interview_accepted": "U",
            "_row": row["_row"], "_file": missing_file,
        })
    return out


def _placements(la: str, force: str, child: str, episodes: list[dict], file: str) -> list[dict]:
    """One child's episodes as placements: X1 then RNE L (legal status only) goes on; any other
    X1 is a move, its end_reason from the new episode's REASON_PLACE_CHANGE; a last episode with
    another REC ended care, its end_reason from REC."""
    out: list[dict] = []
    current: dict | None = None
    for index, episode in enumerate(episodes):
        following = episodes[index + 1] if index + 1 < len(episodes) else None
        if current is None:
            current = {"placement_id": f"{la}-E{episode['_row']}", "child_key": child, "force_code": force,
                       "start_at": _moment(episode["DECOM"]), "placement_type": episode["PLACE"].strip().upper(),
                       "provider": (episode["PLACE_PROVIDER"] or "").strip().upper() or None,
                       "_row": episode["_row"], "_file": file}
        ended = not is_blank(episode["DEC"])
        rec = (episode["REC"] or "").strip().upper()
        continues = (ended and rec == "X1" and following is not None
                     and parse_date(following["DECOM"]) == parse_date(episode["DEC"]))
        if continues and following["RNE"].strip().upper() == "L":
            continue  # the legal status changed; the child stayed where they were
        current["end_at"] = _moment(episode["DEC"]) if ended else None
        if not ended:
            current["end_reason"] = None
        elif continues:
            current["end_reason"] = move_reason((following["REASON_PLACE_CHANGE"] or "").strip().upper() or None)
        elif rec in REC_END_REASONS:
            current["end_reason"] = REC_END_REASONS[rec][0]
        else:  # X1 with no episode beginning that day (SSDA903 rule 388 broken): the reason is unknown
            current["end_reason"] = "OTHER"
        out.append(current)
        current = None
    return out
