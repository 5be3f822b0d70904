"""The validated bundle: typed frames, every finding, and what the data-quality page shows of a load."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from harbour.etl.findings import Finding, Findings


# A derived row's problem is named in the return's own terms: its file, row and column.
@dataclass
class ValidBundle:
    forces: pd.DataFrame
    contacts: pd.DataFrame
    placements: pd.DataFrame
    episodes: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    completeness: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # table: column: counts
    day_precision: dict[str, list[str]] = field(default_factory=dict)  # force: authorities whose returns it has
    coverage: list[dict] = field(default_factory=list)  # force, la_code, month, uasc_children, linked, with_pack

    @property
    def error_count(self) -> int:
        """How many errors were found (more than ``errors`` keeps, for a file of junk)."""

        return self.findings.found(errors=True) if isinstance(self.findings, Findings) else len(self.errors)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    def row_counts(self) -> dict[str, int]:
        return {
            "forces": len(self.forces),
            "contacts": len(self.contacts),
            "placements": len(self.placements),
            "missing_episodes": len(self.episodes),
        }


_RETURN_COLUMNS = {
    "start_at": "DECOM",
    "end_at": "DEC",
    "end_reason": "REC",
    "child_id": "CHILD",
    "placement_id": "CHILD",
    "episode_id": "CHILD",
}
_RETURN_MISSING_COLUMNS = {**_RETURN_COLUMNS, "start_at": "MIS_START", "end_at": "MIS_END"}


def add_rows(bundle: ValidBundle, file: str, frame: pd.DataFrame, mask, column, rule, message) -> None:
    chosen = frame.loc[mask]
    files = chosen["_file"].tolist() if "_file" in chosen else [None] * len(chosen)
    for row, source in zip(chosen["_row"].tolist(), files):
        if isinstance(source, str):  # a row derived from an SSDA903 return
            names = _RETURN_MISSING_COLUMNS if "missing" in source.lower() else _RETURN_COLUMNS
            bundle.findings.append(Finding(source, int(row), names.get(column, column), rule, message))
        else:
            bundle.findings.append(Finding(file, int(row), column, rule, message))
