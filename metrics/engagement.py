"""Time to first engagement: E = first_engagement_at - first_contact_at, in hours."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.intervals import wilson


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
        "median_hours": median, "q1_hours": q1, "q3_hours": q3, "mean_hours": mean,
        "within_24h": {"n": recorded, "count": within, "rate": rate, "ci_low": low, "ci_high": high},
    }
