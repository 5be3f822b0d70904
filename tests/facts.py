"""Hand-made child-fact frames: one dict per child, with sensible defaults."""

import pandas as pd

DEFAULTS = {
    "force_code": "T",
    "child_key": None,
    "period": "baseline",
    "contact_month": "2017-01",
    "age_band": "16-17",
    "sex": "M",
    "nationality": "ERI",
    "contact_route": "PORT",
    "pack_completed": False,
    "placed": True,
    "followup_hours": 5000.0,
    "event": False,
    "obs_hours": 5000.0,
    "exit_reason": None,
    "engagement_hours": None,
    "missing_episodes": 0,
}


def child(**values) -> dict:
    row = {**DEFAULTS, **values}
    if "obs_hours" not in values:
        row["obs_hours"] = row["followup_hours"]
    return row


def frame(*children: dict) -> pd.DataFrame:
    rows = []
    for i, c in enumerate(children):
        rows.append({**c, "child_key": c["child_key"] or f"k{i}"})
    df = pd.DataFrame(rows, columns=list(DEFAULTS))
    df["engagement_hours"] = df["engagement_hours"].astype(float)
    return df


def episodes(*rows: dict) -> pd.DataFrame:
    cols = [
        "force_code",
        "child_key",
        "seq",
        "hours_after_placement",
        "duration_hours",
        "harmed",
        "risk_grading",
        "return_interview_offered",
        "return_interview_accepted",
    ]
    base = {
        "force_code": "T",
        "seq": 1,
        "hours_after_placement": 10.0,
        "duration_hours": 5.0,
        "harmed": False,
        "risk_grading": "HIGH",
        "return_interview_offered": "Y",
        "return_interview_accepted": "N",
    }
    return pd.DataFrame([{**base, **r} for r in rows], columns=cols)
