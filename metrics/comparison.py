"""Pilot against baseline, on exact counts: differences with Newcombe intervals, Fisher,
log-rank and Mann-Whitney p-values (docs/metrics.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact, mannwhitneyu
from statsmodels.duration.survfunc import survdiff

from harbour.metrics import HORIZONS
from harbour.metrics.engagement import engagement_hours
from harbour.metrics.intervals import newcombe
from harbour.metrics.retention import horizon_counts, placed


def retention_difference(baseline: pd.DataFrame, pilot: pd.DataFrame, hours: float) -> dict:
    b, p = horizon_counts(baseline, hours), horizon_counts(pilot, hours)
    diff, low, high = newcombe(p["retained"], p["at_risk"], b["retained"], b["at_risk"])
    p_value = None
    if p["at_risk"] and b["at_risk"]:
        table = [[p["retained"], p["not_retained"]], [b["retained"], b["not_retained"]]]
        p_value = float(fisher_exact(table, alternative="two-sided").pvalue)
    return {"difference": diff, "ci_low": low, "ci_high": high, "p_value": p_value}


def logrank_p(baseline: pd.DataFrame, pilot: pd.DataFrame) -> float | None:
    b, p = placed(baseline), placed(pilot)
    if b.empty or p.empty:
        return None
    time = np.concatenate([b["obs_hours"].to_numpy(float), p["obs_hours"].to_numpy(float)])
    status = np.concatenate([b["event"].astype(bool).to_numpy(int), p["event"].astype(bool).to_numpy(int)])
    if status.sum() == 0:
        return None  # no event in either group: the test is undefined
    group = np.concatenate([np.zeros(len(b), int), np.ones(len(p), int)])
    try:
        _, p_value = survdiff(time, status, group)
    except np.linalg.LinAlgError:
        return None  # zero variance (e.g. one child at risk at every event time): undefined
    return float(p_value) if np.isfinite(p_value) else None


def compare(baseline: pd.DataFrame, pilot: pd.DataFrame) -> dict | None:
    """The document's ``comparison``; None where either period has no placed child."""
    if placed(baseline).empty or placed(pilot).empty:
        return None
    eb, ep = engagement_hours(baseline), engagement_hours(pilot)
    median_diff = engagement_p = None
    within = {"difference": None, "ci_low": None, "ci_high": None}
    if eb.size and ep.size:
        median_diff = float(np.median(ep) - np.median(eb))
        engagement_p = float(mannwhitneyu(ep, eb, alternative="two-sided").pvalue)
        d, lo, hi = newcombe(int((ep <= 24).sum()), int(ep.size), int((eb <= 24).sum()), int(eb.size))
        within = {"difference": d, "ci_low": lo, "ci_high": hi}
    return {
        "retention": {label: retention_difference(baseline, pilot, h) for label, h in HORIZONS.items()},
        "logrank_p": logrank_p(baseline, pilot),
        "engagement_median_difference_hours": median_diff,
        "engagement_p_value": engagement_p,
        "within_24h_difference": within,
    }
