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


def first_missing_masks(facts: pd.DataFrame, bands=(24, 72, 168, 672, 2160)) -> list[tuple[str, np.ndarray]]:
    """(label, mask over the facts' rows) of the children whose first missing event came within each band of hours
    after placement. Bands are cumulative edges: 0-24h, 24-72h, ... , later; a child in (lo, hi], so that an event
    at exactly 24 h belongs to the first day, as in retention."""
    went = facts["placed"].to_numpy(dtype=bool) & facts["event"].to_numpy(dtype=bool)
    hours = facts["obs_hours"].to_numpy(float)
    edges = [0.0, *[float(b) for b in bands], np.inf]
    out = []
    for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        label = f"{_label(lo)} to {_label(hi)}" if np.isfinite(hi) else f"after {_label(lo)}"
        lower = hours >= lo if i == 0 else hours > lo
        out.append((label, went & lower & (hours <= hi)))
    return out


def first_missing_timing(facts: pd.DataFrame, bands=(24, 72, 168, 672, 2160)) -> pd.DataFrame:
    """Children whose first missing event came within each band of hours after placement.

    Columns: band (label), children (see :func:`first_missing_masks`).
    """
    masks = first_missing_masks(facts, bands)
    return pd.DataFrame({"band": [label for label, _ in masks], "children": [int(m.sum()) for _, m in masks]})


def _label(hours: float) -> str:
    if hours == 0:
        return "0h"
    if hours < 168 or hours % 24:
        return f"{int(hours)}h"
    return f"{int(hours // 24)}d"


def interview_masks(ep: pd.DataFrame) -> dict[str, np.ndarray]:
    """Masks over a cohort's episodes (:func:`cohort_episodes`): ended, and of those, a return interview offered,
    and offered and accepted."""
    ended = ep["duration_hours"].notna().to_numpy()
    offered = ended & (ep["return_interview_offered"] == "Y").to_numpy()
    return {
        "ended": ended,
        "offered": offered,
        "accepted": offered & (ep["return_interview_accepted"] == "Y").to_numpy(),
    }


def return_interviews(facts: pd.DataFrame, episodes: pd.DataFrame) -> dict:
    """Return interviews after the cohort's counted episodes that have ended."""
    return {name: int(mask.sum()) for name, mask in interview_masks(cohort_episodes(facts, episodes)).items()}


GRADES = ("HIGH", "MEDIUM", "LOW", "U")


def grade_masks(ep: pd.DataFrame) -> dict[str, np.ndarray]:
    return {grade: (ep["risk_grading"] == grade).to_numpy() for grade in GRADES}


def risk_gradings(facts: pd.DataFrame, episodes: pd.DataFrame) -> dict[str, int]:
    return {grade: int(mask.sum()) for grade, mask in grade_masks(cohort_episodes(facts, episodes)).items()}
