"""Which records each published count counts: the cells of cell-key perturbation (docs/metrics.md version 4).

Every count of a period's summary that perturbation publishes is a cell here, made from the same masks as the exact
count: the children, those never placed, those not retained and those at risk at each horizon, those without an
engagement recorded and those engaged within 24 hours, those who went missing, the later episodes, the episodes
still open and those in which a child was harmed, the children behind the median duration, and the life tables
(children at risk at the start of each interval after placement, and those who first went missing in it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from harbour.metrics import HORIZONS
from harbour.metrics.missing import cohort_episodes
from harbour.metrics.perturbation import Cell, cell, keys_of
from harbour.metrics.retention import horizon_masks

WEEK = 168.0
WEEKS = 13  # the survival curve's life table: weeks 1 to 13 after placement


def life_table(cohort: pd.DataFrame, edges: list[float]) -> list[dict]:
    """For each interval (edges[i], edges[i + 1]] after placement: the cells of the placed children still at risk at
    its start (followed past it without going missing) and of those who first went missing in it (the first
    interval includes 0)."""
    keys = keys_of(cohort)
    placed = cohort["placed"].to_numpy(dtype=bool)
    event = cohort["event"].to_numpy(dtype=bool) & placed
    obs = cohort["obs_hours"].to_numpy(dtype=float)
    rows = []
    for i, (start, end) in enumerate(zip(edges[:-1], edges[1:])):
        # Followed past the interval's start without going missing (every placed child in the first): a child who
        # went missing, or whose follow-up ended, at an interval's very end is not at risk in the next.
        at_risk = placed & (obs >= start if i == 0 else obs > start)
        missing = event & at_risk & (obs <= end)
        rows.append({"start": start, "end": end, "at_risk": cell(keys, at_risk), "missing": cell(keys, missing)})
    return rows


def weekly_life_table(cohort: pd.DataFrame) -> list[dict]:
    """Weeks 1 to 13, and a 14th whose at-risk cell gives those still at risk at the 13th week's end."""
    return life_table(cohort, [WEEK * w for w in range(WEEKS + 2)])


def horizon_life_table(cohort: pd.DataFrame) -> list[dict]:
    """The life table over the horizons' own intervals (0 to 24 h, 24 to 72 h, ...): survival at each horizon."""
    return life_table(cohort, [0.0, *HORIZONS.values()])


def period_cells(cohort: pd.DataFrame, episodes: pd.DataFrame) -> dict:
    """The cells of one period's summary (see the module's docstring); raises MissingRecordKeys without keys."""
    keys = keys_of(cohort)
    placed = cohort["placed"].to_numpy(dtype=bool)
    hours = cohort["engagement_hours"].to_numpy(dtype=float)
    recorded = ~np.isnan(hours)
    retention = {}
    for label, h in HORIZONS.items():
        retained, not_retained = horizon_masks(cohort, h)
        retention[label] = {"at_risk": cell(keys, retained | not_retained), "not_retained": cell(keys, not_retained)}
    ep = cohort_episodes(cohort, episodes)
    episode_keys = keys_of(ep)
    went_missing = placed & (cohort["missing_episodes"].fillna(0).to_numpy(dtype=float) > 0)
    ended = ep["duration_hours"].notna().to_numpy()
    if "child_row" in ep.columns:  # each episode knows its child's row (warehouse.queries.read_facts)
        behind_median = cohort.index.isin(ep.loc[ended, "child_row"])
    else:
        ended_children = pd.MultiIndex.from_arrays(
            [ep.loc[ended, "force_code"].astype(str), ep.loc[ended, "child_key"]]
        )
        behind_median = pd.MultiIndex.from_arrays([cohort["force_code"].astype(str), cohort["child_key"]]).isin(
            ended_children
        )
    return {
        "children": cell(keys),
        "not_placed": cell(keys, ~placed),
        "retention": retention,
        "not_recorded": cell(keys, ~recorded),
        "within_24h": cell(keys, recorded & (np.nan_to_num(hours, nan=np.inf) <= 24.0)),
        "went_missing": cell(keys, went_missing),
        "later_episodes": cell(episode_keys, ep["seq"].to_numpy() > 1),
        "open": cell(episode_keys, ~ended),
        "harmed": cell(episode_keys, ep["harmed"].astype(bool).to_numpy()),
        "duration_children": cell(keys, behind_median),
        "horizon_life_table": horizon_life_table(cohort),
    }


def is_cell(value) -> bool:
    return isinstance(value, Cell)
