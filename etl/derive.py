"""Per-child and per-episode facts, derived once at load (docs/metrics.md).

Pages and the summary export aggregate these facts; nothing recomputes them from raw rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from harbour.etl.periods import contact_periods, local_dates, resolve_force_periods
from harbour.etl.spec import EXIT_REASONS
from harbour.warehouse.derivation import derivation_version  # noqa: F401 (the pipeline's own name for it)

HOUR = pd.Timedelta(hours=1)


def age_band(age: float | None) -> str:
    if age is None or pd.isna(age):
        return "unknown"
    if age <= 12:
        return "0-12"
    if age <= 15:
        return "13-15"
    return "16-17"


def _to_the_day(moments: pd.Series) -> pd.Series:
    """Instants as their UK calendar day, each day exactly 24 hours long (clock changes ignored)."""
    out = pd.Series(pd.NaT, index=moments.index, dtype="datetime64[us]")
    known = moments.notna()
    if known.any():
        out[known] = pd.to_datetime(local_dates(moments[known]).astype(str)).astype("datetime64[us]").to_numpy()
    return out


def _keys(record_key, kind: str, forces: pd.Series, identifiers: pd.Series) -> pd.Series:
    """Each record's key, or nulls without a key maker."""
    if record_key is None:
        return pd.Series([None] * len(identifiers), index=identifiers.index, dtype="Int64")
    keys = [record_key(kind, str(f), str(i)) for f, i in zip(forces, identifiers)]
    return pd.Series(keys, index=identifiers.index, dtype="Int64")


def derive_facts(
    forces: pd.DataFrame,
    contacts: pd.DataFrame,
    placements: pd.DataFrame,
    episodes: pd.DataFrame,
    day_forces: set[str] = frozenset(),
    record_key: Callable[[str, str, str], int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(resolved forces, child_facts, episode_facts) for a validated bundle.

    ``day_forces``: forces whose placements and missing episodes are known to the day only (from an
    SSDA903 return). Their horizons count calendar days: every time is taken as its UK day, each day
    24 hours, and follow-up ends at the start of extract_date, so an episode on the day of placement
    or the day after counts within 24 hours, as the standard says.

    ``record_key``: (kind, force_code, identifier) -> the record's key (etl.pseudonymise.Pseudonymiser.record_key),
    kept with each child's and each counted episode's facts for cell-key perturbation (docs/metrics.md version 4);
    without it the keys are null, and nothing can be published under perturbation until `harbour upgrade` makes
    them.
    """
    forces = resolve_force_periods(forces, contacts)
    keys = ["force_code", "child_key"]
    c = contacts.copy()
    c["period"] = contact_periods(c, forces)
    first_contact = pd.to_datetime(c["first_contact_at"])
    local = first_contact.dt.tz_localize("UTC").dt.tz_convert("Europe/London")
    c["contact_month"] = local.dt.strftime("%Y-%m")
    c["age_band"] = [age_band(a) for a in c["age_at_contact"]]
    c["engagement_hours"] = (pd.to_datetime(c["first_engagement_at"]) - first_contact) / HOUR
    c["cut"] = pd.to_datetime(c["force_code"].map(forces.set_index("force_code")["cut"]))

    p = placements.copy()
    p["start_at"] = pd.to_datetime(p["start_at"])
    p["end_at"] = pd.to_datetime(p["end_at"])
    e = episodes.copy()
    e["start_at"] = pd.to_datetime(e["start_at"])
    e["end_at"] = pd.to_datetime(e["end_at"])
    if day_forces:
        for frame in (p, e):
            day = frame["force_code"].isin(day_forces)
            for column in ("start_at", "end_at"):
                frame[column] = frame[column].astype("datetime64[us]")
                frame.loc[day, column] = _to_the_day(frame.loc[day, column])
        day = c["force_code"].isin(day_forces)
        extract = pd.to_datetime(c["force_code"].map(forces.set_index("force_code")["extract_date"]).astype(str))
        c["cut"] = c["cut"].astype("datetime64[us]").where(~day, extract.astype("datetime64[us]"))
    t0 = p.groupby(keys)["start_at"].min().rename("t0")
    # The placement that ends last: an ongoing one (no end) ends last of all, so no exit.
    p["_end_rank"] = p["end_at"].fillna(pd.Timestamp.max)
    last_end = p.groupby(keys)["_end_rank"].transform("max")
    last = p[p["_end_rank"] == last_end].copy()
    last["_exit"] = last["end_reason"].isin(EXIT_REASONS) & last["end_at"].notna()
    exits = last[last["_exit"]].groupby(keys).agg(exit_at=("end_at", "max"), exit_reason=("end_reason", "first"))

    c = c.join(t0, on=keys).join(exits, on=keys)
    c["placed"] = c["t0"].notna()
    end = c["cut"].where(c["exit_at"].isna() | (c["cut"] <= c["exit_at"]), c["exit_at"])
    c["followup_hours"] = ((end - c["t0"]) / HOUR).where(c["placed"])
    c.loc[c["exit_at"].notna() & (c["exit_at"] > c["cut"]), "exit_reason"] = None

    m = e[e["episode_type"] == "M"].join(c.set_index(keys)[["t0", "followup_hours"]], on=keys)
    m = m[m["t0"].notna() & (m["start_at"] >= m["t0"])].copy()
    m["hours_after_placement"] = (m["start_at"] - m["t0"]) / HOUR
    first_t = m.groupby(keys)["hours_after_placement"].min().rename("first_missing_hours")
    c = c.join(first_t, on=keys)
    c["event"] = (c["first_missing_hours"].notna() & (c["first_missing_hours"] <= c["followup_hours"])).where(
        c["placed"]
    )
    c["obs_hours"] = np.fmin(c["first_missing_hours"], c["followup_hours"]).where(c["placed"])

    window = m[m["hours_after_placement"] <= m["followup_hours"]].copy()
    window = window.sort_values(keys + ["start_at"])
    window["seq"] = window.groupby(keys).cumcount() + 1
    window["duration_hours"] = (window["end_at"] - window["start_at"]) / HOUR
    window["harmed"] = window["outcome"] == "HARMED"
    counts = window.groupby(keys).size().rename("missing_episodes")
    c = c.join(counts, on=keys)
    c["missing_episodes"] = c["missing_episodes"].fillna(0).astype(int).where(c["placed"])

    child_facts = pd.DataFrame(
        {
            "force_code": c["force_code"],
            "child_key": c["child_key"],
            "period": c["period"],
            "contact_month": c["contact_month"],
            "age_band": c["age_band"],
            "sex": c["sex"],
            "nationality": c["nationality"],
            "contact_route": c["contact_route"],
            "pack_completed": c["pack_completed"] == "Y",
            "placed": c["placed"],
            "followup_hours": c["followup_hours"],
            "event": c["event"],
            "obs_hours": c["obs_hours"],
            "exit_reason": c["exit_reason"],
            "engagement_hours": c["engagement_hours"],
            "missing_episodes": c["missing_episodes"],
            "record_key": _keys(record_key, "child", c["force_code"], c["child_key"]),
        }
    )
    episode_facts = window[
        [
            "force_code",
            "child_key",
            "seq",
            "hours_after_placement",
            "duration_hours",
            "harmed",
            "risk_grading",
            "return_interview_offered",
            "return_interview_accepted",
        ]
    ].reset_index(drop=True)
    episode_facts["record_key"] = _keys(record_key, "episode", window["force_code"], window["episode_id"]).to_numpy()
    return forces, child_facts.reset_index(drop=True), episode_facts
