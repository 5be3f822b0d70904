"""Small hand-made bundles for tests: a valid base that each test changes in one place."""

from __future__ import annotations

import copy
import csv
import subprocess
import sys
from pathlib import Path

from harbour.etl.spec import SPEC

ROOT = Path(__file__).resolve().parents[1]

BASE = {
    "forces": [
        {
            "force_code": "TESTSHIRE",
            "force_name": "Testshire Police",
            "scheme_name": "Pack pilot",
            "pilot_start": "2017-08-01",
            "baseline_start": "",
            "extract_date": "2018-03-15",
            "synthetic": "N",
        },
    ],
    "contacts": [
        {
            "contact_id": "C-1",
            "child_id": "AB-001",
            "force_code": "TESTSHIRE",
            "first_contact_at": "2017-01-10 10:00",
            "first_engagement_at": "2017-01-11 10:00",
            "pack_completed": "N",
            "pack_submitted_at": "",
            "age_at_contact": "16",
            "age_disputed": "N",
            "sex": "M",
            "nationality": "ERI",
            "contact_route": "VEHICLE",
            "interpreter_used": "Y",
            "trafficking_indicators": "U",
            "nrm_referral": "",
            "missing_risk": "HIGH",
        },
        {
            "contact_id": "C-2",
            "child_id": "AB-002",
            "force_code": "TESTSHIRE",
            "first_contact_at": "2017-09-01 12:00",
            "first_engagement_at": "2017-09-01 14:00",
            "pack_completed": "Y",
            "pack_submitted_at": "2017-09-01 18:00",
            "age_at_contact": "15",
            "age_disputed": "U",
            "sex": "F",
            "nationality": "AFG",
            "contact_route": "PORT",
            "interpreter_used": "",
            "trafficking_indicators": "Y",
            "nrm_referral": "Y",
            "missing_risk": "MEDIUM",
        },
    ],
    "placements": [
        {
            "placement_id": "P-1",
            "child_id": "AB-001",
            "force_code": "TESTSHIRE",
            "start_at": "2017-01-10 16:00",
            "end_at": "2017-01-12 16:00",
            "placement_type": "K2",
            "provider": "PR1",
            "end_reason": "MISSING",
        },
        {
            "placement_id": "P-2",
            "child_id": "AB-002",
            "force_code": "TESTSHIRE",
            "start_at": "2017-09-01 20:00",
            "end_at": "",
            "placement_type": "U1",
            "provider": "",
            "end_reason": "",
        },
    ],
    "missing_episodes": [
        {
            "episode_id": "M-1",
            "child_id": "AB-001",
            "force_code": "TESTSHIRE",
            "episode_type": "M",
            "start_at": "2017-01-12 15:00",
            "end_at": "2017-01-13 09:00",
            "risk_grading": "HIGH",
            "outcome": "SAFE",
            "return_interview_offered": "Y",
            "return_interview_accepted": "N",
        },
    ],
}


def base() -> dict[str, list[dict]]:
    return copy.deepcopy(BASE)


def write(folder: Path, tables: dict[str, list[dict]], extra_columns: dict[str, list[str]] | None = None) -> Path:
    """Write a bundle of CSVs; columns are the standard's plus any extra named."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = [c.name for c in SPEC[name]] + (extra_columns or {}).get(name, [])
        for row in rows:
            for key in row:
                if key not in columns:
                    columns.append(key)
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, restval="")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def real_bundle(folder: Path, seed: int) -> Path:
    """The synthetic generator's output marked as real data (synthetic = N): what a force's extract looks like."""
    out = folder / f"real-{seed}"
    subprocess.run(
        [sys.executable, "-m", "harbour.cli", "demo", "--seed", str(seed), "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    forces = out / "forces.csv"
    rows = list(csv.DictReader(forces.open(newline="", encoding="utf-8")))
    for row in rows:
        row["synthetic"] = "N"
    with forces.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out
