"""Retention in safe accommodation: counts at each horizon and Kaplan-Meier survival.

Input: child facts with ``placed``, ``obs_hours`` (min(T, C)), ``event`` (T <= C) and
``followup_hours`` (C). Children who were never placed are in no denominator.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight

from harbour.metrics import HORIZONS, Z95
from harbour.metrics.intervals import wilson


def placed(facts: pd.DataFrame) -> pd.DataFrame:
    return facts[facts["placed"].astype(bool)]


def _arrays(facts: pd.DataFrame):
    """placed, event, obs and follow-up as numpy arrays (no copy of the frame's other columns)."""
    is_placed = facts["placed"].to_numpy(dtype=bool)
    event = facts["event"].to_numpy(dtype=bool) & is_placed
    return is_placed, event, facts["obs_hours"].to_numpy(dtype=float), facts["followup_hours"].to_numpy(dtype=float)


def horizon_masks(facts: pd.DataFrame, hours: float) -> tuple[np.ndarray, np.ndarray]:
    """(retained, not_retained) at one horizon, as masks over the facts' rows (an event at exactly H counts)."""
    is_placed, event, obs, follow = _arrays(facts)
    not_retained = event & (obs <= hours)
    retained = is_placed & ~not_retained & (follow >= hours)
    return retained, not_retained


def horizon_counts(facts: pd.DataFrame, hours: float) -> dict[str, int]:
    """at_risk, retained and not_retained at one horizon (an event at exactly H counts)."""
    retained, not_retained = horizon_masks(facts, hours)
    n_not, n_ret = int(not_retained.sum()), int(retained.sum())
    return {"at_risk": n_ret + n_not, "retained": n_ret, "not_retained": n_not}


def kaplan_meier(facts: pd.DataFrame) -> SurvfuncRight | None:
    is_placed, event, obs, _ = _arrays(facts)
    if not is_placed.any():
        return None
    return SurvfuncRight(obs[is_placed], event[is_placed].astype(int))


def km_at(fit: SurvfuncRight | None, hours: float) -> tuple[float | None, float | None, float | None]:
    """Survival at ``hours`` (right-continuous) with its 95% log(-log) Greenwood interval.

    The interval is S ** exp(±z·se / (S·|log S|)), as lifelines computes it by default. Where
    S is 1 (no event yet) or 0 the interval collapses to S itself.
    """
    if fit is None:
        return None, None, None
    times = np.asarray(fit.surv_times)
    index = int(np.searchsorted(times, hours, side="right")) - 1
    if index < 0:
        return 1.0, 1.0, 1.0
    s = float(fit.surv_prob[index])
    se = float(fit.surv_prob_se[index])
    if s >= 1.0 or s <= 0.0 or not math.isfinite(se):
        return s, s, s
    spread = Z95 * se / (s * abs(math.log(s)))
    return s, s ** math.exp(spread), s ** math.exp(-spread)


def retention_table(facts: pd.DataFrame) -> dict[str, dict]:
    """Every horizon's counts, Wilson rate and Kaplan-Meier figures, as metrics.md names them."""
    fit = kaplan_meier(facts)
    out = {}
    for label, hours in HORIZONS.items():
        counts = horizon_counts(facts, hours)
        rate, low, high = wilson(counts["retained"], counts["at_risk"])
        km, km_low, km_high = km_at(fit, hours)
        out[label] = {
            **counts,
            "rate": rate,
            "ci_low": low,
            "ci_high": high,
            "km": km,
            "km_ci_low": km_low,
            "km_ci_high": km_high,
        }
    return out


def km_curve(facts: pd.DataFrame, step_hours: float = 24.0, until_hours: float = 2160.0) -> pd.DataFrame:
    """Survival with its interval and the number still at risk at fixed points (0, 24, 48 … h).

    Columns: hours, km, km_ci_low, km_ci_high, n_at_risk (children with obs_hours >= hours), n_missing (children
    who went missing by then: an event at or before the point, the not-retained count of a horizon there).
    """
    fit = kaplan_meier(facts)
    is_placed, event, obs_all, _ = _arrays(facts)
    rows = []
    points = np.arange(0.0, until_hours + step_hours / 2, step_hours)
    obs = obs_all[is_placed]
    event_times = obs_all[event]
    for hours in points:
        km, low, high = km_at(fit, float(hours))
        rows.append(
            {
                "hours": float(hours),
                "km": km,
                "km_ci_low": low,
                "km_ci_high": high,
                "n_at_risk": int((obs >= hours).sum()),
                "n_missing": int((event_times <= hours).sum()),
            }
        )
    return pd.DataFrame(rows)
