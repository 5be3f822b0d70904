"""Findings: the errors and warnings a bundle gets, each naming file, row, column and rule."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass

from harbour.untrusted import neutralise

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
    "W06": "a contact's la_child_id is not in its authority's SSDA903 return",
}
# The order a report follows: the files as the standard lists them, then anything else.
FILE_ORDER = ("forces", "contacts", "placements", "missing_episodes", "ssda903")


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


KEPT_PER_RULE = 1000  # findings kept of each rule in each file; the rest are counted (a junk file cannot fill memory)


class Findings(list):
    """The findings of a bundle, keeping the first KEPT_PER_RULE of each rule in each file and counting the rest:
    2 million bad rows cost a count, not 2 million objects."""

    def __init__(self, items=()):
        super().__init__()
        self.counts: dict[tuple[str, str], int] = defaultdict(int)
        self.extend(items)

    def append(self, finding: Finding) -> None:
        key = (finding.file, finding.rule)
        self.counts[key] += 1
        if self.counts[key] <= KEPT_PER_RULE:
            super().append(finding)

    def extend(self, items) -> None:
        for finding in items:
            self.append(finding)

    def room(self, file: str, rule: str) -> int:
        """How many more findings of ``rule`` in ``file`` are kept; the rest are only counted."""
        return max(0, KEPT_PER_RULE - self.counts[(file, rule)])

    def count_more(self, file: str, rule: str, n: int) -> None:
        """Count ``n`` findings beyond those kept, without making them."""
        self.counts[(file, rule)] += n

    def __iadd__(self, items):
        self.extend(items)
        return self

    def found(self, errors: bool) -> int:
        """How many errors (or warnings) were found, kept or not."""
        return sum(n for (_, rule), n in self.counts.items() if rule.startswith("E") == errors)


def totals(findings) -> dict[tuple[str, str], int]:
    """(file, rule) -> how many were found: from a Findings' counts, or by counting a plain list."""
    if isinstance(findings, Findings):
        return dict(findings.counts)
    out: dict[tuple[str, str], int] = defaultdict(int)
    for f in findings:
        out[(f.file, f.rule)] += 1
    return dict(out)


def safe_value(value: object, limit: int = 40) -> str:
    """A value fit to echo in a message: printable, short, quoted."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def file_rank(file: str) -> tuple[int, str]:
    """Where a file comes in a report: forces, contacts, placements, missing_episodes, SSDA903, others."""
    name = file.lower()
    for rank, table in enumerate(FILE_ORDER):
        if name.startswith(table) or f"[{table}" in name or f"[{table} " in name:
            return rank, name
    return len(FILE_ORDER), name


def ordered(findings: list[Finding]) -> list[Finding]:
    """By file (the standard's order), and within a file: the whole file first, then the header, then rows."""
    return sorted(findings, key=lambda f: (file_rank(f.file), f.row is not None, f.row or 0, f.column or "", f.rule))


SHOWN_PER_RULE = 100  # a report prints the first hundred of each rule in a file, then a count of the rest


def format_findings(findings: list[Finding], heading: str, found: dict | None = None) -> str:
    """The findings grouped by file (forces, contacts, placements, missing_episodes, SSDA903), each file's
    problems with the whole file first, under a heading, ending with a count of each rule."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in ordered(findings):
        by_file[finding.file].append(finding)
    lines = [heading]
    for file, items in by_file.items():
        in_file = sum(n for (name, _), n in (found or {}).items() if name == file) or len(items)
        lines.append(f"{file} ({max(in_file, len(items)):,}):")
        shown: dict[str, int] = defaultdict(int)
        for f in items:
            shown[f.rule] += 1
            if shown[f.rule] <= SHOWN_PER_RULE:
                lines.append(f.line())
        for rule, n in sorted(shown.items()):
            n = max(n, (found or {}).get((file, rule), 0))
            if n > SHOWN_PER_RULE:
                lines.append(
                    f"  … and {n - SHOWN_PER_RULE:,} more {rule} in {file} (the first "
                    f"{min(n, KEPT_PER_RULE):,} are in the --report CSV)"
                )
    counts: dict[str, int] = defaultdict(int)
    if found:
        for (_, rule), n in found.items():
            counts[rule] += n
    else:
        for finding in findings:
            counts[finding.rule] += 1
    if counts:
        lines.append(
            "By rule: " + "; ".join(f"{rule} {n} ({RULES.get(rule, '')})" for rule, n in sorted(counts.items()))
        )
    return "\n".join(lines)


REPORT_COLUMNS = ("file", "row", "column", "rule", "kind", "message")


def write_report(findings: list[Finding], path) -> int:
    """Every finding as a CSV an analyst can filter: file, row, column, rule, kind, message. Messages
    never hold an identifier (see validate); text that a spreadsheet would run as a formula is neutralised."""

    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_COLUMNS)
        for f in ordered(findings):
            writer.writerow(
                [
                    neutralise(f.file),
                    "" if f.row is None else f.row,
                    neutralise(f.column or ""),
                    f.rule,
                    "error" if f.is_error else "warning",
                    neutralise(f.message),
                ]
            )
    return len(findings)
