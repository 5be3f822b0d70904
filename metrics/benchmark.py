"""Per-force figures for benchmarking: 28-day retention and the share engaged within 24 hours,
as published (disclosure-controlled) counts, for the forces in the warehouse and imported peers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.disclosure import SUPPRESSED, count, rate

COLUMNS = ["unit", "name", "imported", "retained", "at_risk", "within", "recorded", "retained_rate", "within_rate"]


def force_counts(children: pd.DataFrame, period: str) -> pd.DataFrame:
    """Exact counts per force for one period: retained and at risk at 28 days, engaged within
    24 hours and recorded (the definitions of docs/metrics.md, grouped in one pass)."""
    f = children[children["period"] == period]
    placed = f["placed"].to_numpy(bool)
    event = f["event"].to_numpy(bool) & placed
    obs, follow = f["obs_hours"].to_numpy(float), f["followup_hours"].to_numpy(float)
    not_retained = event & (obs <= 672.0)
    retained = placed & ~not_retained & (follow >= 672.0)
    e = f["engagement_hours"].to_numpy(float)
    frame = pd.DataFrame({"force_code": f["force_code"].astype(str).to_numpy(), "retained": retained,
                          "at_risk": retained | not_retained, "within": ~np.isnan(e) & (e <= 24.0),
                          "recorded": ~np.isnan(e)})
    return frame.groupby("force_code").sum().astype(int).reset_index()


def published_units(children: pd.DataFrame, forces: pd.DataFrame, period: str, peers: list[dict]) -> pd.DataFrame:
    """One row per force and imported peer, with published counts (c where suppressed) and published
    rates (from exact counts, to whole points: metrics.md version 2).

    Peers' counts and rates are the ones their packs carry, already checked against the pack schema
    (exchange.packs.readable); local forces' are published here.
    """
    counts = force_counts(children, period).set_index("force_code")
    rows = []
    for code, name in zip(forces["force_code"], forces["force_name"]):
        if code in counts.index:
            c = counts.loc[code]
            rows.append({"unit": code, "name": name, "imported": False,
                         **{k: count(int(c[k])) for k in ("retained", "at_risk", "within", "recorded")},
                         "retained_rate": rate(int(c["retained"]), int(c["at_risk"]))["rate"],
                         "within_rate": rate(int(c["within"]), int(c["recorded"]))["rate"]})
    for peer in peers:
        summary = peer["pack"]["summary"]["periods"].get(period) or {}
        if not summary or not summary.get("children"):
            continue
        r28 = summary["retention"]["28d"]
        w = summary["engagement"]["within_24h"]
        mark = "imported" if peer.get("signer") else "imported, unverified"
        rows.append({"unit": f"{peer['force_code']} (imported)", "name": f"{peer['force_name']} ({mark})", "imported": True,
                     "retained": r28["retained"], "at_risk": r28["at_risk"], "within": w["count"], "recorded": w["n"],
                     "retained_rate": r28["rate"], "within_rate": w["rate"]})
    return pd.DataFrame(rows, columns=COLUMNS)


def usable(units: pd.DataFrame, numerator: str, denominator: str) -> pd.DataFrame:
    """Units whose published numerator, denominator and rate are all numbers, with a denominator of 10 or
    more. ``rate`` is the published rate (from exact counts), not the ratio of the rounded counts."""
    published = units[f"{numerator}_rate"]
    ok = units[(units[numerator] != SUPPRESSED) & (units[denominator] != SUPPRESSED)
               & published.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))].copy()
    ok = ok[ok[denominator].astype(int) >= 10]
    ok[numerator] = ok[numerator].astype(int)
    ok[denominator] = ok[denominator].astype(int)
    ok["rate"] = ok[f"{numerator}_rate"].astype(float)
    return ok
