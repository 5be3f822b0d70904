"""Missing episodes of placed cohort children: type M, within t0 <= start <= t0 + C.

``episode_facts`` rows are already restricted to that window at load; this module counts them
for the children of a (filtered) cohort.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["force_code", "child_key"]


def cohort_episodes(facts: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    """The episodes of the cohort's placed children.

    Where episodes carry ``child_row`` (the row label of their child in the full child-facts frame,
    set when the facts are read), the cohort is selected by integer label; otherwise by key.
    """
    is_placed = facts["placed"].to_numpy(dtype=bool)
    if "child_row" in episodes.columns:
        return episodes[episodes["child_row"].isin(facts.index[is_placed])]
    return episodes.merge(facts.loc[is_placed, KEYS], on=KEYS, how="inner")


def missing_summary(facts: pd.DataFrame, episodes: pd.DataFrame) -> dict:
    ep = cohort_episodes(facts, episodes)
    children = int(ep[KEYS].drop_duplicates().shape[0])
    count = int(len(ep))
    ended = ep[ep["duration_hours"].notna()]
    return {
        "children": children,
        "episodes": count,
        "episodes_per_child": (count / children) if children else None,
        "median_duration_hours": float(np.median(ended["duration_hours"])) if len(ended) else None,
        "open": int(ep["duration_hours"].isna().sum()),
        "harmed": int(ep["harmed"].astype(bool).sum()),
        # Not in the export, but needed by disclosure control: children behind the median.
        "_duration_children": int(ended[KEYS].drop_duplicates().shape[0]),
    }


def first_missing_timing(facts: pd.DataFrame, bands=(24, 72, 168, 672, 2160)) -> pd.DataFrame:
    """Children whose first missing event came within each band of hours after placement.

    Columns: band (label), children. Bands are cumulative edges: 0-24h, 24-72h, ... , later.
    """
    p = facts[facts["placed"].astype(bool) & facts["event"].astype(bool)]
    hours = p["obs_hours"].to_numpy(float)
    edges = [0.0, *[float(b) for b in bands], np.inf]
    labels = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        labels.append(f"{_label(lo)} to {_label(hi)}" if np.isfinite(hi) else f"after {_label(lo)}")
    # Children in (lo, hi]: an event at exactly 24 h belongs to the first day, as in retention.
    counts = []
    for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        lower = hours >= lo if i == 0 else hours > lo
        counts.append(int((lower & (hours <= hi)).sum()))
    return pd.DataFrame({"band": labels, "children": counts})


def _label(hours: float) -> str:
    if hours == 0:
        return "0h"
    if hours < 168 or hours % 24:
        return f"{int(hours)}h"
    return f"{int(hours // 24)}d"


def return_interviews(facts: pd.DataFrame, episodes: pd.DataFrame) -> dict:
    """Return interviews after the cohort's counted episodes that have ended."""
    ep = cohort_episodes(facts, episodes)
    ended = ep[ep["duration_hours"].notna()]
    offered = ended["return_interview_offered"] == "Y"
    return {
        "ended": int(len(ended)),
        "offered": int(offered.sum()),
        "accepted": int((offered & (ended["return_interview_accepted"] == "Y")).sum()),
    }


def risk_gradings(facts: pd.DataFrame, episodes: pd.DataFrame) -> dict[str, int]:
    ep = cohort_episodes(facts, episodes)
    return {grade: int((ep["risk_grading"] == grade).sum()) for grade in ("HIGH", "MEDIUM", "LOW", "U")}
