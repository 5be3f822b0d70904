"""Check each value of a return against its column's codes and the standard's cell rules."""

from __future__ import annotations

from harbour.etl.cells import EARLIEST, IDENT
from harbour.etl.findings import Finding
from harbour.etl.parse import is_blank, parse_date
from harbour.etl.spec import PROVIDERS
from harbour.etl.ssda903.codes import MISSING_CODES, PLACE_CODES, REASON_CODES, REC_CODES, REQUIRED, RNE_CODES
from harbour.etl.ssda903.read import ReturnTable


def checked_rows(table: ReturnTable, findings: list[Finding]) -> list[dict]:
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
        # DEC and REC are blank while the episode goes on (checked together in checked_rows).
        return (
            ("E03", "a required value is blank") if column in REQUIRED[table] and column not in ("DEC", "REC") else None
        )
    text = str(value).strip()
    if column == "CHILD":
        return None if IDENT.match(text) else ("E04", "the value is not an identifier")
    if column in ("DECOM", "DEC", "MIS_START", "MIS_END"):
        try:
            day = parse_date(text)
        except ValueError as exc:
            return "E04", f"{text[:20]!r} {exc}"
        return ("E05", "is before 2000-01-01") if day < EARLIEST else None
    codes = {
        "RNE": RNE_CODES,
        "PLACE": PLACE_CODES,
        "PLACE_PROVIDER": PROVIDERS,
        "REC": REC_CODES,
        "REASON_PLACE_CHANGE": REASON_CODES,
        "MISSING": MISSING_CODES,
    }.get(column)
    if codes is not None and text.upper() not in codes:
        return "E04", f"{text[:12]!r} is not one of the return's {column} codes"
    return None
