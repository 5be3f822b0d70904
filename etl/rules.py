"""The second step of validation: the rules across rows and tables (E06-E08, E10, W01-W05).

A table that is not there cannot be checked against: its own error says why, and every row of the other
files that refers to it is not reported again.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from harbour.etl.parse import end_of_day_utc
from harbour.etl.periods import contact_periods, resolve_force_periods
from harbour.etl.valid import ValidBundle, add_rows


def check_forces(bundle: ValidBundle, file: str) -> None:
    f = bundle.forces
    dup = f["force_code"].notna() & f.duplicated("force_code", keep="first")
    add_rows(bundle, file, f, dup, "force_code", "E06", "the force_code appears twice in forces")
    bad_order = f["pilot_start"].notna() & f["baseline_start"].notna() & (f["baseline_start"] > f["pilot_start"])
    add_rows(bundle, file, f, bad_order, "baseline_start", "E08", "baseline_start is after pilot_start")
    late = f["pilot_start"].notna() & f["extract_date"].notna() & (f["pilot_start"] > f["extract_date"])
    add_rows(bundle, file, f, late, "pilot_start", "E05", "pilot_start is after extract_date")
    f["cut"] = [end_of_day_utc(d) if isinstance(d, date) else None for d in f["extract_date"]]


def _join_force(bundle: ValidBundle, frame: pd.DataFrame, file: str, forces_known: bool = True) -> pd.Series:
    """Each row's force cut-off (NaT where the force is unknown); reports E07 for unknown forces."""
    known = bundle.forces.dropna(subset=["force_code"]).drop_duplicates("force_code")
    cuts = dict(zip(known["force_code"], known["cut"])) if "cut" in known else {}
    unknown = frame["force_code"].notna() & ~frame["force_code"].isin(cuts.keys())
    if forces_known:
        add_rows(bundle, file, frame, unknown, "force_code", "E07", "the force_code is not in forces")
    return pd.to_datetime(frame["force_code"].map(cuts))


def _after_cut(bundle, file, frame, cut, columns) -> None:
    for column in columns:
        values = pd.to_datetime(frame[column])
        late = values.notna() & cut.notna() & (values > cut)
        add_rows(bundle, file, frame, late, column, "E05", "is after the end of the force's extract_date")


def _duplicates(bundle, file, frame, column, message) -> None:
    dup = frame[column].notna() & frame.duplicated(["force_code", column], keep="first")
    add_rows(bundle, file, frame, dup, column, "E06", message)


def _before(bundle, file, frame, later, earlier, message) -> None:
    a, b = pd.to_datetime(frame[later]), pd.to_datetime(frame[earlier])
    add_rows(bundle, file, frame, a.notna() & b.notna() & (a < b), later, "E08", message)


def check_contacts(bundle: ValidBundle, file: str, forces_known: bool = True) -> None:
    c = bundle.contacts
    cut = _join_force(bundle, c, file, forces_known)
    _after_cut(bundle, file, c, cut, ["first_contact_at", "first_engagement_at", "pack_submitted_at"])
    _duplicates(bundle, file, c, "contact_id", "the contact_id appears twice for this force")
    _duplicates(bundle, file, c, "child_key", "the child_id appears twice for this force (the identifier is not shown)")
    _before(
        bundle, file, c, "first_engagement_at", "first_contact_at", "first_engagement_at is before first_contact_at"
    )
    _before(bundle, file, c, "pack_submitted_at", "first_contact_at", "pack_submitted_at is before first_contact_at")
    no_submit = (c["pack_completed"] == "Y") & c["pack_submitted_at"].isna() & c["_ok"]
    add_rows(
        bundle, file, c, no_submit, "pack_submitted_at", "E10", "pack_completed is Y but pack_submitted_at is blank"
    )
    no_authority = c["la_child_key"].notna() & c["la_code"].isna() & c["_ok"]
    add_rows(bundle, file, c, no_authority, "la_code", "E10", "la_child_id is set but la_code is blank")
    no_engagement = c["first_engagement_at"].isna() & c["_ok"]
    add_rows(bundle, file, c, no_engagement, "first_engagement_at", "W05", "the contact has no first_engagement_at")
    _warn_w04(bundle, file)


def _warn_w04(bundle: ValidBundle, file: str) -> None:
    forces = resolve_force_periods(bundle.forces, bundle.contacts)
    contacts = bundle.contacts[
        bundle.contacts["first_contact_at"].notna() & bundle.contacts["force_code"].isin(forces["force_code"])
    ]
    if contacts.empty:
        return
    periods = contact_periods(contacts, forces)
    add_rows(
        bundle,
        file,
        contacts,
        (periods == "out_of_scope").to_numpy(),
        "first_contact_at",
        "W04",
        "the contact falls outside both the baseline and the pilot period",
    )


def check_spans(
    bundle: ValidBundle,
    table: str,
    frame: pd.DataFrame,
    file: str,
    id_column: str,
    forces_known: bool = True,
    contacts_known: bool = True,
) -> None:
    cut = _join_force(bundle, frame, file, forces_known)
    _after_cut(bundle, file, frame, cut, ["start_at", "end_at"])
    _duplicates(bundle, file, frame, id_column, f"the {id_column} appears twice for this force")
    children = pd.MultiIndex.from_arrays(
        [bundle.contacts["force_code"].astype(object), bundle.contacts["child_key"].astype(object)]
    )
    known = pd.MultiIndex.from_arrays([frame["force_code"].astype(object), frame["child_key"].astype(object)]).isin(
        children
    )
    both = (frame["force_code"].notna() & frame["child_key"].notna()).to_numpy(dtype=bool)
    orphan = both & ~known & contacts_known
    add_rows(
        bundle,
        file,
        frame,
        orphan,
        "child_id",
        "E07",
        "the child_id is not in contacts for this force (the identifier is not shown)",
    )
    _before(bundle, file, frame, "end_at", "start_at", "end_at is before start_at")
    if table == "placements":
        no_reason = frame["end_at"].notna() & frame["end_reason"].isna()
        add_rows(bundle, file, frame, no_reason, "end_reason", "E10", "end_at is set but end_reason is blank")
        _warn_overlaps(bundle, file, frame, "W01", "the child's placements overlap")
    else:
        _warn_overlaps(bundle, file, frame, "W02", "the child's missing episodes overlap")


def _warn_overlaps(bundle, file, frame, rule, message) -> None:
    ok = frame[frame["_ok"]].copy()
    if ok.empty:
        return
    ok["start"] = pd.to_datetime(ok["start_at"])
    ok["end"] = pd.to_datetime(ok["end_at"]).fillna(pd.Timestamp.max)
    ok = ok.sort_values(["force_code", "child_key", "start"])
    group = ok.groupby(["force_code", "child_key"], sort=False).ngroup()
    previous_end = ok["end"].groupby(group).cummax().groupby(group).shift(1)
    overlap = previous_end.notna() & (ok["start"] < previous_end)
    add_rows(bundle, file, ok, overlap, "start_at", rule, message)


def warn_w03(bundle: ValidBundle, file: str) -> None:
    p, e = bundle.placements, bundle.episodes
    ended = p[(p["end_reason"] == "MISSING") & p["end_at"].notna() & p["_ok"]]
    if ended.empty:
        return
    starts = e[(e["episode_type"] == "M") & e["_ok"]][["force_code", "child_key", "start_at"]]
    joined = ended[["_row", "force_code", "child_key", "end_at"]].merge(
        starts, on=["force_code", "child_key"], how="left"
    )
    gap = (pd.to_datetime(joined["start_at"]) - pd.to_datetime(joined["end_at"])).abs()
    matched = set(joined.loc[gap <= pd.Timedelta(hours=24), "_row"])
    lonely = ~ended["_row"].isin(matched)
    add_rows(
        bundle,
        file,
        ended,
        lonely,
        "end_reason",
        "W03",
        "the placement ended MISSING but no missing episode of type M starts within 24 hours of its end",
    )
