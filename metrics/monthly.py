"""Monthly series by UK local month of first contact, complete months only."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from metrics.retention import horizon_counts

MIN_DENOMINATOR = 5
MEASURES = ("children", "retention_7d", "median_engagement_hours")


def month_end(month: str) -> date:
    year, mon = int(month[:4]), int(month[5:7])
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def months_between(first: str, last: str) -> list[str]:
    out, (y, m) = [], (int(first[:4]), int(first[5:7]))
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def monthly_series(facts: pd.DataFrame, extract_dates: dict[str, date]) -> pd.DataFrame:
    """One row per complete month of the in-scope cohort.

    Columns: month, children, retention_7d (rate or NaN), retention_7d_at_risk,
    median_engagement_hours (or NaN), engagement_recorded, period (baseline / pilot / mixed).
    A month counts for a child only if it ended on or before that child's force's extract_date.
    A measure whose denominator is under 5 has no point (NaN).
    """
    f = facts[facts["period"].isin(["baseline", "pilot"])]
    if f.empty:
        return pd.DataFrame(columns=["month", "children", "retention_7d", "retention_7d_at_risk",
                                     "median_engagement_hours", "engagement_recorded", "period"])
    complete = [month_end(m) <= extract_dates[fc] for m, fc in zip(f["contact_month"], f["force_code"])]
    f = f[np.asarray(complete, bool)]
    if f.empty:
        return monthly_series(f, extract_dates)
    rows = []
    groups = dict(tuple(f.groupby("contact_month")))
    for month in months_between(f["contact_month"].min(), f["contact_month"].max()):
        g = groups.get(month, f.iloc[0:0])
        counts = horizon_counts(g, 168.0)
        e = g["engagement_hours"].dropna().to_numpy(float)
        periods = set(g["period"])
        rows.append({
            "month": month,
            "children": int(len(g)),
            "retention_7d": counts["retained"] / counts["at_risk"] if counts["at_risk"] >= MIN_DENOMINATOR else np.nan,
            "retention_7d_at_risk": counts["at_risk"],
            "median_engagement_hours": float(np.median(e)) if e.size >= MIN_DENOMINATOR else np.nan,
            "engagement_recorded": int(e.size),
            "period": periods.pop() if len(periods) == 1 else ("mixed" if periods else ""),
        })
    return pd.DataFrame(rows)
