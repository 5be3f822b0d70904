"""Per-force figures for benchmarking: 28-day retention and the share engaged within 24 hours,
as published (disclosure-controlled) counts, for the forces in the warehouse and imported peers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from harbour.metrics.disclosure import (
    PERTURBATION,
    SUPPRESSED,
    SUPPRESSION,
    count,
    partings,
    parts,
    perturb_force_row,
    rate,
)
from harbour.metrics.perturbation import KEY_SPACE, Cell

COLUMNS = ["unit", "name", "imported", "retained", "at_risk", "within", "recorded", "retained_rate", "within_rate"]


def force_counts(children: pd.DataFrame, period: str, keyed: bool = False) -> pd.DataFrame:
    """Exact counts per force for one period: retained and at risk at 28 days, engaged within
    24 hours and recorded (the definitions of docs/metrics.md, grouped in one pass)."""
    f = children[children["period"] == period]
    placed = f["placed"].to_numpy(bool)
    event = f["event"].to_numpy(bool) & placed
    obs, follow = f["obs_hours"].to_numpy(float), f["followup_hours"].to_numpy(float)
    not_retained = event & (obs <= 672.0)
    retained = placed & ~not_retained & (follow >= 672.0)
    e = f["engagement_hours"].to_numpy(float)
    frame = pd.DataFrame(
        {
            "force_code": f["force_code"].astype(str).to_numpy(),
            "children": 1,
            "placed": placed,
            "retained": retained,
            "at_risk": retained | not_retained,
            "within": ~np.isnan(e) & (e <= 24.0),
            "recorded": ~np.isnan(e),
        }
    )
    if keyed and "record_key" in f.columns and not f["record_key"].isna().any():
        # The cells that perturbation publishes for each force (docs/metrics.md version 4), as its summary does.
        key = f["record_key"].to_numpy(dtype=np.int64)
        for name, mask in (
            ("children", np.ones(len(f), dtype=bool)),
            ("at_risk", retained | not_retained),
            ("not_retained", not_retained),
            ("not_recorded", np.isnan(e)),
            ("within", ~np.isnan(e) & (e <= 24.0)),
        ):
            frame[f"{name}_key"] = np.where(mask, key, 0)
        frame["not_retained"], frame["not_recorded"] = not_retained, np.isnan(e)
    return frame.groupby("force_code").sum().astype(np.int64).reset_index()


def _perturbed_row(c: dict) -> dict:
    """A force's figures under perturbation, by the summary's own rule (disclosure.perturb_force_row), from its
    counts and their summed record keys."""
    names = ("children", "at_risk", "not_retained", "not_recorded", "within")
    cells = {name: Cell(c[name], c[f"{name}_key"] % KEY_SPACE) for name in names}
    return perturb_force_row(cells, c["retained"], c["recorded"])


def published_units(
    children: pd.DataFrame, forces: pd.DataFrame, period: str, peers: list[dict], method: str = SUPPRESSION
) -> pd.DataFrame:
    """One row per force and imported peer, with published counts and rates by ``method``: perturbed (version 4),
    or suppressed (c where hidden, rates from exact counts to whole points: metrics.md version 2).

    Peers' counts and rates are the ones their packs carry, already checked against the pack schema
    (exchange.packs.readable); local forces' are published here.
    """
    perturbing = method == PERTURBATION
    counts = force_counts(children, period, keyed=perturbing).set_index("force_code")
    rows = []
    for code, name in zip(forces["force_code"], forces["force_name"]):
        if code in counts.index and perturbing:
            c = {k: int(v) for k, v in counts.loc[code].items()}
            rows.append({"unit": code, "name": name, "imported": False, **_perturbed_row(c)})
        elif code in counts.index:
            c = {k: int(v) for k, v in counts.loc[code].items()}
            # As the force's own summary publishes them (one number per measure): at risk and retained are parts,
            # and the recorded are a part of all children, with the share over them c where they are.
            at_risk, retained, _ = parts(c["at_risk"], c["retained"], c["at_risk"] - c["retained"])
            _, (_, recorded, _) = partings(c["children"], c["placed"], c["recorded"])
            rows.append(
                {
                    "unit": code,
                    "name": name,
                    "imported": False,
                    "retained": retained,
                    "at_risk": at_risk,
                    "within": count(c["within"]),
                    "recorded": recorded,
                    "retained_rate": rate(c["retained"], c["at_risk"])["rate"],
                    "within_rate": rate(c["within"], c["recorded"], recorded)["rate"],
                }
            )
    for peer in peers:
        summary = peer["pack"]["summary"]["periods"].get(period) or {}
        if not summary or not summary.get("children"):
            continue
        r28 = summary["retention"]["28d"]
        w = summary["engagement"]["within_24h"]
        mark = "imported" if peer.get("signer") else "imported, unverified"
        rows.append(
            {
                "unit": f"{peer['force_code']} (imported)",
                "name": f"{peer['force_name']} ({mark})",
                "imported": True,
                "retained": r28["retained"],
                "at_risk": r28["at_risk"],
                "within": w["count"],
                "recorded": w["n"],
                "retained_rate": r28["rate"],
                "within_rate": w["rate"],
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def usable(units: pd.DataFrame, numerator: str, denominator: str) -> pd.DataFrame:
    """Units whose published numerator, denominator and rate are all numbers, with a denominator of 10 or
    more. ``rate`` is the published rate (from exact counts), not the ratio of the rounded counts."""
    published = units[f"{numerator}_rate"]
    ok = units[
        (units[numerator] != SUPPRESSED)
        & (units[denominator] != SUPPRESSED)
        & published.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
    ].copy()
    ok = ok[ok[denominator].astype(int) >= 10]
    ok[numerator] = ok[numerator].astype(int)
    ok[denominator] = ok[denominator].astype(int)
    ok["rate"] = ok[f"{numerator}_rate"].astype(float)
    return ok
