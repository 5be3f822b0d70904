"""Each force's periods (baseline and pilot) and each contact's period, by its UK local date
(docs/metrics.md, "Cohorts and periods"): used by the rules (W04) and by derivation."""

from __future__ import annotations

from datetime import date

import pandas as pd

from harbour.etl.parse import end_of_day_utc


def minus_twelve_months(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def local_dates(moments: pd.Series) -> pd.Series:
    """UK local calendar dates of naive-UTC instants."""
    series = pd.to_datetime(moments)
    return series.dt.tz_localize("UTC").dt.tz_convert("Europe/London").dt.date


def resolve_force_periods(forces: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Each force with its periods resolved: ``baseline_start`` defaulted, and ``cut``.

    The frame always has force_code, pilot_start, baseline_start, extract_date and cut.
    """
    f = forces.dropna(subset=["force_code", "extract_date"]).drop_duplicates("force_code").copy()
    earliest = {}
    if not contacts.empty:
        c = contacts.dropna(subset=["force_code", "first_contact_at"])
        if not c.empty:
            days = local_dates(c["first_contact_at"])
            earliest = days.groupby(c["force_code"]).min().to_dict()
    resolved = []
    for row in f.itertuples(index=False):
        if isinstance(row.baseline_start, date):
            resolved.append(row.baseline_start)
        elif isinstance(row.pilot_start, date):
            resolved.append(minus_twelve_months(row.pilot_start))
        else:
            resolved.append(earliest.get(row.force_code, row.extract_date))
    f["baseline_start"] = resolved
    f["pilot_start"] = [p if isinstance(p, date) else None for p in f["pilot_start"]]
    f["cut"] = [end_of_day_utc(d) for d in f["extract_date"]]
    return f.reset_index(drop=True)


def contact_periods(contacts: pd.DataFrame, forces: pd.DataFrame) -> pd.Series:
    """``baseline``, ``pilot`` or ``out_of_scope`` for each contact, by its UK local date."""
    days = local_dates(contacts["first_contact_at"])
    info = forces.set_index("force_code")
    base = contacts["force_code"].map(info["baseline_start"])
    pilot = contacts["force_code"].map(info["pilot_start"])
    extract = contacts["force_code"].map(info["extract_date"])
    out = []
    for d, b, p, e in zip(days, base, pilot, extract):
        if p is not None and isinstance(p, date):
            if b <= d < p:
                out.append("baseline")
            elif p <= d <= e:
                out.append("pilot")
            else:
                out.append("out_of_scope")
        else:
            out.append("baseline" if b <= d <= e else "out_of_scope")
    return pd.Series(out, index=contacts.index, dtype=object)
