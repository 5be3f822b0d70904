"""The summary document of docs/metrics.md, built from child and episode facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd

from harbour.metrics.attribution import attribution
from harbour.metrics.cells import period_cells
from harbour.metrics.comparison import compare
from harbour.metrics.disclosure import (
    PERTURBATION,
    SUPPRESSION,
    disclose_summary,
    perturb_summary,
    shield_filters,
    small_step,
    strip_private,
)
from harbour.metrics.engagement import engagement_summary
from harbour.metrics.filters import Filters
from harbour.metrics.missing import missing_summary
from harbour.metrics.precision import precision
from harbour.metrics.retention import placed, retention_table

STANDARD_VERSION = 4  # docs/metrics.md: the outcome measures' version


def period_summary(cohort: pd.DataFrame, episodes: pd.DataFrame, start, end) -> dict:
    n_placed = int(len(placed(cohort)))
    return {
        "start": start.isoformat() if isinstance(start, date) else None,
        "end": end.isoformat() if isinstance(end, date) else None,
        "children": int(len(cohort)),
        "placed": n_placed,
        "not_placed": int(len(cohort) - n_placed),
        "retention": retention_table(cohort),
        "engagement": engagement_summary(cohort),
        "missing": missing_summary(cohort, episodes),
    }


def compared_forces(filters: Filters, forces: pd.DataFrame) -> tuple[Filters, tuple[str, ...]]:
    """The filters a pilot-against-baseline comparison of several forces uses, and the forces it leaves out.

    Version 3: a comparison of several forces pools only the forces that have a pilot_start. A force without a
    scheme has no pilot period, and its children would weigh on one side only ("children first contacted 460 ->
    165" compared five schemes and one force without any). One force, or forces that all have a scheme (or none
    has), are compared as they are."""
    chosen = forces[forces["force_code"].isin(filters.force)] if filters.force else forces
    if len(chosen) < 2:
        return filters, ()
    schemed = chosen[chosen["pilot_start"].notna()]
    if schemed.empty or len(schemed) == len(chosen):
        return filters, ()
    left_out = tuple(code for code in chosen["force_code"] if code not in set(schemed["force_code"]))
    return replace(filters, force=tuple(schemed["force_code"])), left_out


def period_bounds(force: pd.Series | None) -> dict[str, tuple]:
    if force is None:
        return {"baseline": (None, None), "pilot": (None, None)}
    pilot = force["pilot_start"] if isinstance(force["pilot_start"], date) else None
    if pilot is None:
        return {"baseline": (force["baseline_start"], force["extract_date"]), "pilot": (None, None)}
    return {"baseline": (force["baseline_start"], pilot - timedelta(days=1)), "pilot": (pilot, force["extract_date"])}


def cohorts(facts: pd.DataFrame, filters: Filters) -> dict[str, pd.DataFrame]:
    f = filters.apply(facts)
    return {name: f[f["period"] == name] for name in ("baseline", "pilot")}


ATTRIBUTION_IGNORES = (
    "month_from",
    "month_to",
    "period",
)  # attribution is by whole quarters of every force's own periods


def attribution_filters(filters: Filters) -> Filters:
    """The filters attribution honours: the cohort's (age band, sex, nationality, route) on every force's children;
    not the force (it is the treated one) nor the months (the model compares whole quarters)."""
    return replace(filters, force=(), month_from=None, month_to=None, period=None)


def scheme_effect(
    facts: pd.DataFrame,
    forces: pd.DataFrame,
    force: str,
    filters: Filters = Filters(),
    perturbed: bool = False,
    packs=None,
):
    """(attribution, reason): docs/metrics.md's attribution of ``force``'s change on the filtered cohort, exact or
    (``perturbed``) on the quarterly counts as perturbation publishes them, against the warehouse's forces without a
    scheme and (``packs``) the comparison forces of verified packs. A pack holds a whole force's counts: with a
    cohort filter its forces are not used (never filtered and unfiltered counts mixed), and the result says so
    (``packs_unused``: how many, and why)."""
    cohort = attribution_filters(filters)
    unused = None
    if packs is not None and len(packs.forces) and cohort != Filters():
        unused = {"forces": len(packs.forces), "why": "cohort filter"}
        packs = None
    found, reason = attribution(cohort.apply(facts), forces, force, perturbed, packs)
    if found is not None:
        found["packs_unused"] = unused
    return found, reason


def build_summary(
    facts: pd.DataFrame,
    episodes: pd.DataFrame,
    forces: pd.DataFrame,
    force: str | None = None,
    filters: Filters = Filters(),
    exact: bool = False,
    attributed=None,
    method: str = SUPPRESSION,
    packs=None,
) -> dict:
    """The summary document (exact figures when ``exact``; otherwise after disclosure control by ``method``,
    perturbation or suppression: docs/metrics.md version 4).

    ``forces`` has force_code, pilot_start, baseline_start, extract_date, synthetic.
    ``force`` None pools every force in ``facts`` (or those the filters name). With one force, ``attribution`` and
    ``precision`` are computed for it (``attributed``: its (attribution, reason) already computed, for a caller
    that keeps it, as the views' cache does).
    """
    if force is not None:
        filters = filters.with_force(force)
    asked = filters
    filters, left_out = compared_forces(filters, forces)
    chosen = forces[forces["force_code"].isin(filters.force)] if filters.force else forces
    single = chosen.iloc[0] if len(chosen) == 1 and not left_out else None
    bounds = period_bounds(single)
    groups = cohorts(facts, filters)
    periods = {name: period_summary(groups[name], episodes, *bounds[name]) for name in ("baseline", "pilot")}
    doc = {
        "standard_version": STANDARD_VERSION,
        "exact": True,
        "disclosure": "none",
        "force": single["force_code"] if single is not None else None,
        "synthetic": bool(chosen["synthetic"].astype(bool).any()) if len(chosen) else False,
        "extract_date": single["extract_date"].isoformat() if single is not None else None,
        "periods": periods,
        "comparison": compare(groups["baseline"], groups["pilot"]),
    }
    if left_out:  # version 3: the view names the forces each figure rests on
        doc["compared_forces"], doc["forces_without_a_scheme"] = list(filters.force), list(left_out)
    perturbing = not exact and method == PERTURBATION
    doc.update(_effect_keys(facts, forces, single, filters, periods, attributed, perturbing, packs))
    if perturbing:
        for name in ("baseline", "pilot"):
            periods[name]["_cells"] = period_cells(groups[name], episodes)
        pilot_start = single["pilot_start"] if single is not None and isinstance(single["pilot_start"], date) else None
        bounds = (pilot_start, single["extract_date"]) if single is not None else None
        effect = (doc["attribution"], doc["attribution_reason"]) if single is not None else None
        doc = perturb_summary(doc, effect, bounds)
    elif not exact:
        published = {**disclose_summary(doc), "disclosure": SUPPRESSION}
        # The filters the user chose (not the forces left out for having no scheme), each removed in turn.
        wider = [_wider_periods(facts, episodes, filters, name, bounds) for name in _ACTIVE if getattr(asked, name)]
        doc = shield_filters(published, doc, wider) if wider else published
    return strip_private(doc)


_ACTIVE = ("force", "age_band", "sex", "nationality", "contact_route")


def withheld_by(facts: pd.DataFrame, asked: Filters, compared: Filters | None = None) -> str | None:
    """The filter whose removal adds only 1 to 7 children to a view, in either period, so that the view is c
    throughout for publication (version 3, as :func:`metrics.disclosure.shield_filters` decides for the summary);
    None when there is none. ``asked``: the filters as the user chose them; ``compared``: as the comparison uses
    them (:func:`compared_forces`)."""

    compared = compared or asked
    mine = cohorts(facts, compared)
    for name in _ACTIVE:
        if not getattr(asked, name):
            continue
        wider = cohorts(facts, replace(compared, **{name: ()}))
        if any(small_step((len(mine[p]),), (len(wider[p]),)) for p in ("baseline", "pilot")):
            return name
    return None


def wider_cohorts(facts: pd.DataFrame, asked: Filters, compared: Filters | None = None) -> list[dict]:
    """The cohorts ({"baseline", "pilot"}) of the view with each filter the user chose removed in turn, as
    :func:`withheld_by` and the summary's shield compare them (filters that cannot be subtracted): a page's own
    figures are checked against them the same way."""
    compared = compared or asked
    return [cohorts(facts, replace(compared, **{name: ()})) for name in _ACTIVE if getattr(asked, name)]


def _wider_periods(facts, episodes, filters: Filters, name: str, bounds) -> dict:
    """The exact periods of the view with filter ``name`` removed (for filters that cannot be subtracted)."""
    groups = cohorts(facts, replace(filters, **{name: ()}))
    return {
        "periods": {
            period: period_summary(groups[period], episodes, *bounds[period]) for period in ("baseline", "pilot")
        }
    }


def _effect_keys(facts, forces, single, filters, periods, attributed, perturbed: bool = False, packs=None) -> dict:
    """Version 3's attribution and precision, with their reasons where they cannot be computed (``perturbed``: the
    attribution on perturbed quarterly counts, and ``attributed`` is that one)."""
    if single is None:
        why = "computed for one force only"
        return {"attribution": None, "attribution_reason": why, "precision": None, "precision_reason": why}
    found, reason = (
        attributed
        if attributed is not None
        else scheme_effect(facts, forces, single["force_code"], filters, perturbed, packs)
    )
    b28, p28 = periods["baseline"]["retention"]["28d"], periods["pilot"]["retention"]["28d"]
    pilot_start = single["pilot_start"] if isinstance(single["pilot_start"], date) else None
    power, power_reason = precision(
        b28["at_risk"], b28["retained"], p28["at_risk"], pilot_start, single["extract_date"]
    )
    return {"attribution": found, "attribution_reason": reason, "precision": power, "precision_reason": power_reason}
