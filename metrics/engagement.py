"""Time to first engagement: E = first_engagement_at - first_contact_at, in hours."""

from __future__ import annotations

import numpy as np
import pandas as pd

from harbour.metrics.intervals import wilson


def engagement_hours(facts: pd.DataFrame) -> np.ndarray:
    return facts["engagement_hours"].dropna().to_numpy(float)


def engagement_summary(facts: pd.DataFrame) -> dict:
    e = engagement_hours(facts)
    recorded = int(e.size)
    within = int((e <= 24.0).sum())
    rate, low, high = wilson(within, recorded)
    if recorded:
        q1, median, q3 = (float(v) for v in np.percentile(e, [25, 50, 75]))
        mean = float(e.mean())
    else:
        q1 = median = q3 = mean = None
    return {
        "recorded": recorded,
        "not_recorded": int(len(facts) - recorded),
        "median_hours": median,
        "q1_hours": q1,
        "q3_hours": q3,
        "mean_hours": mean,
        "within_24h": {"n": recorded, "count": within, "rate": rate, "ci_low": low, "ci_high": high},
    }


CUMULATIVE_POINTS = (1.0, 2.0, 4.0, 6.0, 12.0, 24.0, 48.0, 72.0, 168.0)


def cumulative_counts(facts: pd.DataFrame, points=CUMULATIVE_POINTS) -> pd.DataFrame:
    """The empirical distribution at fixed points: children engaged within each number of hours.

    Columns: hours, engaged (E <= hours), recorded. No step stands for one child.
    """
    e = engagement_hours(facts)
    return pd.DataFrame(
        {
            "hours": list(points),
            "engaged": [int((e <= h).sum()) for h in points],
            "recorded": [int(e.size)] * len(points),
        }
    )


def deciles(facts: pd.DataFrame) -> dict:
    """The 10th and 90th percentiles (linear interpolation), for the whiskers of a box."""
    e = engagement_hours(facts)
    if not e.size:
        return {"p10_hours": None, "p90_hours": None}
    p10, p90 = np.percentile(e, [10, 90])
    return {"p10_hours": float(p10), "p90_hours": float(p90)}
