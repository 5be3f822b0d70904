"""Validate raw tables against the data standard: every rule E01-E10 and W01-W05, as steps.

1. cells (etl.cells): each table's header and cells, typed, with child_id pseudonymised;
2. the merge of returns (etl.returns): placements and missing episodes from SSDA903 returns, where a bundle
   carries them, joined to the bundle's own so that the rules below check both;
3. rules (etl.rules): across rows and tables.

All findings are collected before anything is decided.
"""

from __future__ import annotations

import pandas as pd

from harbour.etl.cells import TableCheck, empty_frame
from harbour.etl.findings import Finding, Findings
from harbour.etl.pseudonymise import Pseudonymiser
from harbour.etl.raw import RawBundle
from harbour.etl.returns import merge_returns
from harbour.etl.rules import check_contacts, check_forces, check_spans, warn_w03
from harbour.etl.spec import MAY_BE_EMPTY, TABLES
from harbour.etl.valid import ValidBundle

__all__ = ["ValidBundle", "validate"]


def validate(raw: RawBundle, pseudonymise: Pseudonymiser) -> ValidBundle:
    findings = Findings(raw.findings)
    frames: dict[str, pd.DataFrame] = {}
    completeness: dict[str, dict[str, dict[str, int]]] = {}
    broken: set[str] = set()  # tables that could not be read, or lack a required column
    for name in TABLES:
        table = raw.tables.get(name)
        if table is None:
            frames[name] = empty_frame(name)
            broken.add(name)
            continue
        check = TableCheck(table, pseudonymise, findings)
        frames[name], completeness[name] = check.frame()
        empty = (check.rows_read if not check.broken else sum(len(c) for c in table.chunks())) == 0
        if empty and name not in MAY_BE_EMPTY:
            findings.append(Finding(table.file, None, None, "E01", "has a header but no rows (this table needs rows)"))
        if check.broken:
            broken.add(name)
    bundle = ValidBundle(
        frames["forces"],
        frames["contacts"],
        frames["placements"],
        frames["missing_episodes"],
        findings,
        completeness,
    )
    files = {name: (raw.tables[name].file if name in raw.tables else f"{name}.csv") for name in TABLES}
    if raw.returns:
        merge_returns(bundle, raw.returns, pseudonymise, files["contacts"], contacts_known="contacts" not in broken)
        broken -= {"placements", "missing_episodes"} - set(raw.tables)
    # A table that is not there cannot be checked against: its own error says why (etl.rules).
    check_forces(bundle, files["forces"])
    check_contacts(bundle, files["contacts"], forces_known="forces" not in broken)
    for table, frame, id_column in (
        ("placements", bundle.placements, "placement_id"),
        ("missing_episodes", bundle.episodes, "episode_id"),
    ):
        check_spans(
            bundle,
            table,
            frame,
            files[table],
            id_column,
            forces_known="forces" not in broken,
            contacts_known="contacts" not in broken,
        )
    if "missing_episodes" not in broken:
        warn_w03(bundle, files["placements"])
    return bundle
