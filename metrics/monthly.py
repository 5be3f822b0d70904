"""Monthly (or quarterly) series by UK local month of first contact, complete periods only."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from metrics.retention import horizon_counts

MIN_DENOMINATOR = 5
COLUMNS = ["month", "children", "retention_7d", "retention_7d_at_risk", "retention_7d_retained",
           "median_engagement_hours", "engagement_recorded", "engagement_within_24h", "period"]


def month_end(month: str) -> date:
    year, mon = int(month[:4]), int(month[5:7])
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def label_end(label: str) -> date:
    """The last day of a month ('2017-08') or quarter ('2017-Q3')."""
    if "Q" in label:
        return month_end(f"{label[:4]}-{int(label[-1]) * 3:02d}")
    return month_end(label)


def labels_between(first: str, last: str, grain: str) -> list[str]:
    out, (y, m) = [], (int(first[:4]), int(first[5:7]))
    while f"{y:04d}-{m:02d}" <= last:
        label = f"{y:04d}-{m:02d}" if grain == "month" else quarter_of(f"{y:04d}-{m:02d}")
        if not out or out[-1] != label:
            out.append(label)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def monthly_series(facts: pd.DataFrame, extract_dates: dict[str, date], grain: str = "month") -> pd.DataFrame:
    """One row per complete month (or quarter) of the in-scope cohort.

    Columns: month (its label), children, retention_7d (rate or NaN), retention_7d_at_risk,
    retention_7d_retained, median_engagement_hours (or NaN), engagement_recorded,
    engagement_within_24h, period
    (baseline / pilot / mixed). A period counts for a child only if it ended on or before that
    child's force's extract_date. A measure whose denominator is under 5 has no point (NaN).
    """
    f = facts[facts["period"].isin(["baseline", "pilot"])]
    if f.empty:
        return pd.DataFrame(columns=COLUMNS)
    labels = f["contact_month"] if grain == "month" else f["contact_month"].map(quarter_of)
    complete = [label_end(lab) <= extract_dates[fc] for lab, fc in zip(labels, f["force_code"])]
    f = f.assign(_label=labels)[np.asarray(complete, bool)]
    if f.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows = []
    groups = dict(tuple(f.groupby("_label")))
    for label in labels_between(f["contact_month"].min(), f["contact_month"].max(), grain):
        if label not in groups and label_end(label) > max(extract_dates.values()):
            continue
        g = groups.get(label, f.iloc[0:0])
        counts = horizon_counts(g, 168.0)
        e = g["engagement_hours"].dropna().to_numpy(float)
        periods = set(g["period"])
        rows.append({
            "month": label,
            "children": int(len(g)),
            "retention_7d": counts["retained"] / counts["at_risk"] if counts["at_risk"] >= MIN_DENOMINATOR else np.nan,
            "retention_7d_at_risk": counts["at_risk"],
            "retention_7d_retained": counts["retained"],
            "median_engagement_hours": float(np.median(e)) if e.size >= MIN_DENOMINATOR else np.nan,
            "engagement_recorded": int(e.size),
            "engagement_within_24h": int((e <= 24.0).sum()),
            "period": periods.pop() if len(periods) == 1 else ("mixed" if periods else ""),
        })
    return pd.DataFrame(rows, columns=COLUMNS)
