"""Findings: the errors and warnings a bundle gets, each naming file, row, column and rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

RULES = {
    "E01": "the file cannot be read",
    "E02": "a required column is missing, a column is unknown, or a column appears twice",
    "E03": "a required value is blank",
    "E04": "a value does not parse as its type or is not in its code list",
    "E05": "a value is out of range",
    "E06": "a key is duplicated",
    "E07": "a reference does not match",
    "E08": "an end or later time is before its start",
    "E09": "a value looks like an identifying detail",
    "E10": "a value required by another is missing",
    "W01": "a child's placements overlap",
    "W02": "a child's missing episodes overlap",
    "W03": "a placement ended MISSING without a missing episode within 24 hours",
    "W04": "a contact falls outside both the baseline and the pilot period",
    "W05": "a contact has no first_engagement_at",
}


@dataclass(frozen=True)
class Finding:
    """One problem. ``row`` is the row as a spreadsheet numbers it (the header is row 1)."""

    file: str
    row: int | None
    column: str | None
    rule: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.rule.startswith("E")

    def line(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        place = ", ".join(where) if where else "whole file"
        return f"  {place}: {self.rule} {self.message}"


def safe_value(value: object, limit: int = 40) -> str:
    """A value fit to echo in a message: printable, short, quoted."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def format_findings(findings: list[Finding], heading: str) -> str:
    """The findings grouped by file, in file then row order, under a heading."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[finding.file].append(finding)
    lines = [heading]
    for file in sorted(by_file):
        items = sorted(by_file[file], key=lambda f: (f.row or 0, f.column or "", f.rule))
        lines.append(f"{file} ({len(items)}):")
        lines.extend(f.line() for f in items)
    return "\n".join(lines)
