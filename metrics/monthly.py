"""Monthly (or quarterly) series by UK local month of first contact, complete periods only."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

MIN_DENOMINATOR = 5
COLUMNS = [
    "month",
    "children",
    "retention_7d",
    "retention_7d_at_risk",
    "retention_7d_retained",
    "median_engagement_hours",
    "engagement_recorded",
    "engagement_within_24h",
    "period",
]


# The cells of each point (docs/metrics.md version 4): which of a point's children each perturbed count counts.
KEYED = {
    "children": lambda c: np.ones(len(c), dtype=bool),
    "at_risk": lambda c: (c["retained"] | c["not_retained"]).to_numpy(),
    "not_retained": lambda c: c["not_retained"].to_numpy(),
    "not_recorded": lambda c: ~c["recorded"].to_numpy(dtype=bool),
    "within": lambda c: c["within"].to_numpy(dtype=bool),
}


def month_end(month: str) -> date:
    year, mon = int(month[:4]), int(month[5:7])
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def label_date(label: str) -> str:
    """A label as the middle of its month or quarter, for a date axis: '2017-08' -> '2017-08-15', '2017-Q3' ->
    '2017-08-15'. A point stands in the middle of the time it covers, so a quarter that the pilot start falls
    in is drawn on the side of the line where most of it lies."""
    if "Q" in label:
        return f"{label[:4]}-{(int(label[-1]) - 1) * 3 + 2:02d}-15"
    return f"{label}-15"


def label_end(label: str) -> date:
    """The last day of a month ('2017-08') or quarter ('2017-Q3')."""
    if "Q" in label:
        return month_end(f"{label[:4]}-{int(label[-1]) * 3:02d}")
    return month_end(label)


def last_complete_label(extract_date: date, grain: str) -> str:
    """The last month (or quarter) that ended on or before ``extract_date``."""
    month = f"{extract_date.year:04d}-{extract_date.month:02d}"
    label = month if grain == "month" else quarter_of(month)
    if label_end(label) <= extract_date:
        return label
    if grain == "month":
        y, m = extract_date.year, extract_date.month
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        return f"{y:04d}-{m:02d}"
    y, q = int(label[:4]), int(label[-1])
    return f"{y - 1}-Q4" if q == 1 else f"{y}-Q{q - 1}"


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
    months = f["contact_month"].astype(str)
    labels = months if grain == "month" else months.map({m: quarter_of(m) for m in months.unique()})
    # A period is complete for a child when it ended by its force's extract date. Labels sort as
    # text, so that is one comparison with the force's last complete label.
    cutoffs = {fc: last_complete_label(d, grain) for fc, d in extract_dates.items()}
    complete = labels.to_numpy(dtype=object) <= f["force_code"].astype(str).map(cutoffs).to_numpy(dtype=object)
    f = f.assign(_label=labels, contact_month=months)[complete]
    if f.empty:
        return pd.DataFrame(columns=COLUMNS)
    # Per-child flags once, then one grouped aggregation (no per-month filtering).
    placed = f["placed"].astype(bool)
    not_retained = placed & f["event"].astype(bool) & (f["obs_hours"] <= 168.0)
    retained = placed & ~not_retained & (f["followup_hours"] >= 168.0)
    e = f["engagement_hours"]
    per_child = pd.DataFrame(
        {
            "_label": f["_label"].to_numpy(),
            "retained": retained.to_numpy(),
            "not_retained": not_retained.to_numpy(),
            "recorded": e.notna().to_numpy(),
            "within": (e.notna() & (e <= 24.0)).to_numpy(),
            "e": e.to_numpy(),
            "pilot": (f["period"] == "pilot").to_numpy(),
            "children": 1,
        }
    )
    keyed = "record_key" in f.columns and not f["record_key"].isna().any()
    if keyed:  # the cells of cell-key perturbation: each point's records' keys, summed
        key = f["record_key"].to_numpy(dtype=np.int64)
        for name, mask in KEYED.items():
            per_child[f"{name}_key"] = np.where(mask(per_child), key, 0)
    sums = {f"{name}_key": (f"{name}_key", "sum") for name in KEYED} if keyed else {}
    grouped = per_child.groupby("_label")
    summed = ["retained", "not_retained", "recorded", "within", "pilot", "children", *sums]
    agg = grouped[summed].sum()  # one grouped sum of every count, then the median beside it
    agg.insert(4, "median", grouped["e"].median())
    last_extract = max(extract_dates.values())
    wanted = [
        lab
        for lab in labels_between(f["contact_month"].min(), f["contact_month"].max(), grain)
        if lab in agg.index or label_end(lab) <= last_extract
    ]
    agg = agg.reindex(wanted)
    counts = agg[["retained", "not_retained", "recorded", "within", "pilot", "children"]].fillna(0).astype(int)
    at_risk = counts["retained"] + counts["not_retained"]
    period = np.where(
        counts["children"] == 0,
        "",
        np.where(counts["pilot"] == 0, "baseline", np.where(counts["pilot"] == counts["children"], "pilot", "mixed")),
    )
    out = pd.DataFrame(
        {
            "month": wanted,
            "children": counts["children"].to_numpy(),
            "retention_7d": np.where(
                at_risk >= MIN_DENOMINATOR, counts["retained"] / at_risk.where(at_risk > 0, 1), np.nan
            ),
            "retention_7d_at_risk": at_risk.to_numpy(),
            "retention_7d_retained": counts["retained"].to_numpy(),
            "median_engagement_hours": np.where(counts["recorded"] >= MIN_DENOMINATOR, agg["median"], np.nan),
            "engagement_recorded": counts["recorded"].to_numpy(),
            "engagement_within_24h": counts["within"].to_numpy(),
            "period": period,
        }
    )
    columns = COLUMNS
    if keyed:
        keys = agg[[f"{name}_key" for name in KEYED]].fillna(0).astype(np.int64) % 4096
        for name in KEYED:
            out[f"{name}_key"] = keys[f"{name}_key"].to_numpy()
        out["not_recorded"] = (counts["children"] - counts["recorded"]).to_numpy()
        columns = COLUMNS + ["not_recorded"] + [f"{name}_key" for name in KEYED]
    return out[columns].reset_index(drop=True)
