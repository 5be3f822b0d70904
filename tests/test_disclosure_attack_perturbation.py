"""The disclosure attack under perturbation (docs/metrics.md version 4). The attacker knows the perturbation table
(read here from docs/perturbation-table.csv) but not the record keys, and sees every count a publication viewer can
ask for: each view's summary (the counts every page, slide and file of it shows), and the views one and several
filter steps wider. For a count of a view, what its own published value leaves possible is every exact count whose
noise could have given it; against a wider view whose children its siblings share out (all sexes add up to the view
without the sex filter; all forces with a scheme to all forces; the financial years to the whole period), the
exact count must also make the wider view's count and its siblings' fit together. The posterior of each count
(flat prior, the table's noise probabilities, the siblings' sum by convolution) is computed here with numpy.

Over time, each month's and quarter's points are parts of their period; /attribution's quarterly rows are parts of
a force's period too, and for the forces without a scheme, drawn as thin lines beside their pooled rate on every
force with a scheme's page, the rows of all of them and their pooled rate are searched together (pooled_leaves).
The funnel's rows on /benchmark are each force's own summary cells (the same cells, the same numbers:
test_surfaces), searched here as the parts of all forces.

It fails when any true count of 1 to 7 is determined (one value left), and reports how often, for the counts of 2
to 7, the most likely value is the true one, which must be at most half. It can fail: without noise, or with
record keys an attacker can know (all 0), the same search determines the counts, as its own tests show."""

from __future__ import annotations

import csv
import itertools
import math
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from harbour.metrics import perturbation
from harbour.metrics.attribution import quarterly_counts
from harbour.metrics.cells import weekly_life_table
from harbour.metrics.filters import AGE_BANDS, CONTACT_ROUTES, SEXES, Filters, financial_years
from harbour.metrics.missing import cohort_episodes, grade_masks
from harbour.metrics.monthly import monthly_series
from harbour.metrics.perturbation import cell_of
from harbour.metrics.summary import attribution_filters, build_summary, cohorts, compared_forces

from .support import built_demo

ROOT = Path(__file__).resolve().parents[1]
HORIZONS = ("24h", "72h", "7d", "28d", "90d")


def read_table(path: Path = ROOT / "docs" / "perturbation-table.csv") -> dict[int, dict[int, float]]:
    """For each pcv, the probability of each noise: its share of the 4096 cell keys."""
    out: dict[int, dict[int, float]] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            share = (int(row["ckey_to"]) - int(row["ckey_from"]) + 1) / 4096
            noise = out.setdefault(int(row["pcv"]), {})
            noise[int(row["pvalue"])] = noise.get(int(row["pvalue"]), 0.0) + share
    return out


TABLE = read_table()
NO_NOISE = {pcv: {0: 1.0} for pcv in TABLE}


def likelihood(published, table) -> tuple[int, np.ndarray]:
    """(lowest x, P(published | exact x) for x from it): the table moves a count by at most 3, so only x within 3
    of the published count can have given it. ``published`` may be a set: the published counts a figure drawn
    from it (a survival curve to whole points) leaves possible, any of which it may have been. Remembered for each
    table (the same few published counts come up again and again); read only."""
    key = (id(table), published)
    if key not in _LIKELIHOODS:
        _LIKELIHOODS[key] = _likelihood(published, table)
    return _LIKELIHOODS[key]


_LIKELIHOODS: dict = {}


def _likelihood(published, table) -> tuple[int, np.ndarray]:
    if isinstance(published, tuple):  # ("flat", most): not shown, any count from 0 to ``most``
        return 0, np.ones(published[1] + 1)
    values = sorted(published) if isinstance(published, (set, frozenset)) else [published]
    low = max(0, values[0] - 3)
    found = np.array([sum(table[min(x, 4)].get(p - x, 0.0) for p in values) for x in range(low, values[-1] + 4)])
    found.flags.writeable = False
    return low, found


def posteriors(parent, parts: list[int], table, wanted) -> dict[int, dict[int, float]]:
    """For each part ``wanted`` names (by index), its posterior over its exact count given every part's published
    count and the parent's (the sum of the parts' exact counts: one published count, or (lowest x, the likelihood
    of each x) where the parent is itself a sum of cells), with a flat prior. Where the parent constraint
    contradicts (a table that adds up moved a derived count), the part's own count alone."""
    own = [likelihood(p, table) for p in parts]
    summed_already = isinstance(parent, tuple) and isinstance(parent[1], np.ndarray)
    parent_low, parent_lik = parent if summed_already else likelihood(parent, table)
    # The sum of every part but one, for each part wanted: the parts before it and the parts after it, each
    # convolved once (a running convolution from each end), then the two together.
    normal = [(lo, lik / lik.sum() if lik.sum() else lik) for lo, lik in own]
    before, after = [(0, np.array([1.0]))], [(0, np.array([1.0]))]
    for lo, lik in normal:
        before.append((before[-1][0] + lo, np.convolve(before[-1][1], lik)))
    for lo, lik in reversed(normal):
        after.append((after[-1][0] + lo, np.convolve(after[-1][1], lik)))
    after.reverse()  # after[j]: the parts from j on
    out = {}
    for i in wanted:
        low, mine = own[i]
        others_low = before[i][0] + after[i + 1][0]
        others = np.convolve(before[i][1], after[i + 1][1])
        joint = np.zeros(len(mine))
        for k, lik in enumerate(mine):
            if not lik:
                continue
            totals = low + k + others_low + np.arange(len(others))  # the parent's exact count for each sum
            inside = (totals >= parent_low) & (totals < parent_low + len(parent_lik))
            joint[k] = lik * (others[inside] * parent_lik[totals[inside] - parent_low]).sum()
        post = joint if joint.sum() > 0 else mine
        out[i] = {low + k: v / post.sum() for k, v in enumerate(post) if v > 0}
    return out


def cells(period: dict) -> dict[str, int]:
    """The counts a view publishes for one period (the derived ones as the reader derives them)."""
    if period.get("too_few") or not isinstance(period.get("placed"), int):
        return {"children": period["children"]} if isinstance(period["children"], int) else {}
    out = {"children": period["children"], "not_placed": period["not_placed"]}
    for h in HORIZONS:
        r = period["retention"][h]
        out[f"{h} at risk"], out[f"{h} not retained"] = r["at_risk"], r["not_retained"]
    e, m = period["engagement"], period["missing"]
    out.update(not_recorded=e["not_recorded"], within_24h=e["within_24h"]["count"])
    out.update(went_missing=m["children"], later_episodes=m["episodes"] - m["children"], open=m["open"])
    out["harmed"] = m["harmed"]
    # The survival table: the curve stops before the first week with fewer than 10 at risk (published); each week
    # it draws gives its children at risk and, through S, those who went missing in it (the attacker is given the
    # perturbed count itself, more than S to whole points gives).
    for w, (at_risk, missing) in enumerate(period.get("weeks", ()), start=1):
        if w > min(13, period.get("weeks_shown", 13)):
            break
        out[f"week {w} at risk"], out[f"week {w} missing"] = at_risk, period.get("weeks_missing", {}).get(w, missing)
        out[f"week {w + 1} at risk"] = period["weeks"][w][0]  # at risk at its end: the table's column
    return out


def exact_cells(period: dict) -> dict[str, int]:
    return cells({**period, "too_few": False})


def summed(published: list[int], table) -> tuple[int, np.ndarray]:
    """The likelihood of the exact sum of several cells, from each one's published count (a convolution)."""
    low, out = 0, np.array([1.0])
    for value in published:
        their_low, theirs = likelihood(value, table)
        low, out = low + their_low, np.convolve(out, theirs)
    return low, out


GRADES = ("HIGH", "MEDIUM", "LOW", "U")


class Views:
    """Every view's published and exact counts, built once each: its summary (/missing's time bands are differences
    of its counts, disclosure.perturbed_bands, and add nothing to them), the episodes by risk grading, and the
    weekly life table of /retention's survival curve."""

    def __init__(self, facts, method: str = "perturbation"):
        self.facts, self.method, self._seen = facts, method, {}

    def of(self, filters: Filters):
        if filters not in self._seen:
            f = self.facts
            skip = (None, "not searched")  # attribution's refits publish no count
            shown = build_summary(
                f.children, f.episodes, f.forces, filters=filters, method=self.method, attributed=skip
            )
            exact = build_summary(f.children, f.episodes, f.forces, filters=filters, exact=True, attributed=skip)
            # /missing's episodes by risk grading: each a cell of episodes, published cell by cell as the page does.
            groups = cohorts(f.children, compared_forces(filters, f.forces)[0])
            for period, group in groups.items():
                episodes = cohort_episodes(group, f.episodes)
                graded = [cell_of(episodes, mask) for mask in grade_masks(episodes).values()]
                exact["periods"][period]["grades"] = [c.count for c in graded]
                # /retention's survival table: each week's children at risk at its start and those who first went
                # missing in it, two cells a week (the page shows the first and S from both; the attacker is given
                # both counts, more than the page shows).
                weeks = weekly_life_table(group)
                published_weeks = [(r["at_risk"].published, r["missing"].published) for r in weeks]
                drawn = next((w for w, (n, _) in enumerate(published_weeks) if n < 10), 13)  # weeks the curve draws
                exact["periods"][period]["weeks"] = [(r["at_risk"].count, r["missing"].count) for r in weeks]
                exact["periods"][period]["weeks_shown"] = drawn
                if isinstance(shown["periods"][period].get("placed"), int):  # not a view too small to show
                    shown["periods"][period]["grades"] = [c.published for c in graded]
                    shown["periods"][period]["weeks"] = published_weeks
                    shown["periods"][period]["weeks_shown"] = drawn
                    shown["periods"][period]["weeks_missing"] = missing_from_curve(published_weeks[:drawn])
            self._seen[filters] = (shown, exact)
        return self._seen[filters]


def missing_from_curve(weeks: list[tuple[int, int]]) -> dict[int, frozenset]:
    """For each week the curve draws, the published counts of children who went missing in it that the curve
    leaves possible: the table gives the children at risk, and S to whole points, so d of n at risk fits where
    S(w - 1) x (1 - d / n) is S(w) to within both roundings (the earlier S as shown; the first is 1 exactly)."""
    out, s, before = {}, 1.0, 1.0
    for w, (n, d) in enumerate(weeks, start=1):
        s *= 1 - min(d, n) / n
        shown = round(s + 1e-12, 2)
        out[w] = frozenset(k for k in range(n + 1) if abs(before * (1 - k / n) - shown) <= 0.01 + 1e-9)
        before = shown
    return out


def partitions(facts) -> list[tuple[Filters, list[Filters]]]:
    """(a wider view, the views that share its children out): one filter step for every base view (all forces,
    each force, each force and sex), and the forces with a scheme under all forces."""
    children = facts.children
    values = {
        "sex": SEXES,
        "age_band": AGE_BANDS,
        "contact_route": CONTACT_ROUTES,
        "nationality": tuple(sorted(children["nationality"].astype(str).unique())),
    }
    years = financial_years(children["contact_month"].astype(str).unique())
    forces = list(facts.forces["force_code"])
    bases = [Filters()] + [Filters(force=(code,)) for code in forces[:6]]
    bases += [Filters(force=(code,), sex=("M",)) for code in forces[:6]]
    out = []
    for base in bases:
        for name, options in values.items():
            if getattr(base, name):
                continue
            out.append((base, [replace(base, **{name: (v,)}) for v in options]))
        if base.force:
            out.append((base, [replace(base, period=y) for y in years]))
    schemed = [code for code, start in zip(forces, facts.forces["pilot_start"]) if start is not None]
    out.append((Filters(), [Filters(force=(code,)) for code in schemed]))
    return out


def attack(facts, table=TABLE, method: str = "perturbation", limit: int | None = None) -> dict:
    """Every small count's posterior from each partition: how many true counts of 1 to 7 are determined, and how
    often the most likely value of a true 2 to 7 is the true one."""
    views = Views(facts, method)
    determined, right, small = [], 0, 0
    for parent, parts in partitions(facts)[:limit]:
        shown_parent, _ = views.of(parent)
        shown = [views.of(p) for p in parts]
        for period in ("baseline", "pilot"):
            top = cells(shown_parent["periods"][period])
            mine = [cells(s["periods"][period]) for s, _ in shown]
            truth = [exact_cells(e["periods"][period]) for _, e in shown]
            for name, parent_value in top.items():
                if not all(name in m for m in mine):
                    continue
                wanted = [i for i, t in enumerate(truth) if 1 <= t[name] <= 7]
                if not wanted:
                    continue
                found = posteriors(parent_value, [m[name] for m in mine], table, wanted)
                for i in wanted:
                    value, post = truth[i][name], found[i]
                    if len(post) == 1:
                        determined.append(f"{parts[i].describe()}, {period}: {name} is {value}")
                    if value >= 2:
                        small += 1
                        right += int(max(post, key=post.get) == value)
    # Within each view: the episodes by risk grading add up to the episodes, which are the children who went
    # missing and their later episodes (two cells).
    for filters, (shown, exact) in list(views._seen.items()):
        for period in ("baseline", "pilot"):
            mine, true = shown["periods"][period], exact["periods"][period]
            if "grades" not in mine:
                continue
            top = cells(mine)
            wanted = [i for i, v in enumerate(true["grades"]) if 1 <= v <= 7]
            if not wanted:
                continue
            parent = summed([top["went_missing"], top["later_episodes"]], table)
            found = posteriors(parent, mine["grades"], table, wanted)
            for i in wanted:
                value, post = true["grades"][i], found[i]
                if len(post) == 1:
                    determined.append(f"{filters.describe()}, {period}: episodes graded {GRADES[i]} is {value}")
                if value >= 2:
                    small += 1
                    right += int(max(post, key=post.get) == value)
    # Over time: each month's (and quarter's) points are parts of their period's children (the series shows
    # complete months only: the rest of a period, where there is one, is any count); and attribution's rows, each
    # quarter's 28-day at risk and not retained of a force.
    for filters, (shown, exact) in list(views._seen.items()):
        over_time = [(grain, series_points(facts, filters, grain)) for grain in ("month", "quarter")]
        if len(filters.force) == 1:
            over_time.append(("attribution quarter", quarter_rows(facts, filters, shown)))
        for label, by_period in over_time:
            for period, (mine, truth) in by_period.items():
                if shown["periods"][period].get("too_few"):
                    continue  # its points are c: the view shows the period's number alone (disclosure.sparse_points)
                top, whole = cells(shown["periods"][period]), exact_cells(exact["periods"][period])
                for name in {name for point in mine for name in point}:
                    totals = [t[name] for t in truth]
                    if name not in top or sum(totals) > whole[name]:
                        continue
                    wanted = [i for i, v in enumerate(totals) if 1 <= v <= 7]
                    if not wanted or all(isinstance(m[name], tuple) for m in mine):
                        continue  # nothing of it shown at any point
                    parts = [m[name] for m in mine]
                    if sum(totals) < whole[name]:
                        parts.append(("flat", top[name] + 3))  # the rest of the period: not shown
                    found = posteriors(top[name], parts, table, wanted)
                    for i in wanted:
                        value, post = totals[i], found[i]
                        if len(post) == 1:
                            determined.append(
                                f"{filters.describe()}, {label} {i + 1} of the {period}: {name} is {value}"
                            )
                        if value >= 2:
                            small += 1
                            right += int(max(post, key=post.get) == value)
    return {"determined": determined, "small": small, "most_likely_right": right}


# A point's counts (metrics.monthly's columns, and its record keys' columns) by the summary's name for them.
POINT_CELLS = {
    "children": ("children", "children_key"),
    "7d at risk": ("retention_7d_at_risk", "at_risk_key"),
    "7d not retained": (None, "not_retained_key"),
    "not_recorded": ("not_recorded", "not_recorded_key"),
    "within_24h": ("engagement_within_24h", "within_key"),
}


SMALL_C = frozenset(range(0, 10))  # what a c count of a point can have been published as: 0 to 9


def seen_point(published: dict) -> dict:
    """What a viewer learns of each of a point's cells: its children, shown where 10 or more (else c: 0 to 9).
    Its rates (7-day retention, engaged within 24 hours) are shown without their counts under perturbation
    (pages.engagement's trend table), so their numerators and denominators are any counts up to the children
    (``("flat", most)``): a run of months of 1 child not recorded (a 1 is always published as 1), the children
    less those recorded, beside the period's count with its noise at its lowest gave each 1 back (found by this
    search on the national demo, 84 of them)."""
    children = published["children"]
    most = ("flat", children + 3 if children >= 10 else 12)
    return {name: most for name in published} | {"children": children if children >= 10 else SMALL_C}


def quarter_rows(facts, filters: Filters, shown: dict) -> dict[str, tuple[list[dict], list[dict]]]:
    """{period: (what each quarter's row on /attribution leaves possible of its published 28-day not retained, its
    exact counts)} of the one force (its quarters wholly inside the period). Under perturbation a row gives the
    quarter's rate alone: every published not retained of every published at risk from 10 up that gives that rate
    to whole points (of fewer than 10, c: any of 0 to 9)."""
    force = filters.force[0]
    cohort = attribution_filters(filters).apply(facts.children)
    cohort = cohort[cohort["force_code"].astype(str) == force]
    published, exact = quarterly_counts(cohort, perturbed=True), quarterly_counts(cohort)
    out = {}
    for period in ("baseline", "pilot"):
        bounds = shown["periods"][period]
        start, end = str(bounds.get("start")), str(bounds.get("end"))
        inside = [i for i, q in enumerate(exact["quarter"]) if str(q.start) >= start and str(q.end) <= end]
        if not inside:
            continue

        most = cells(bounds).get("28d at risk", 0) + 3
        pooled = pooled_leaves(facts, filters, force, most)
        seen = [
            {
                "28d not retained": pooled.get(
                    exact["quarter"].iloc[i],
                    rate_leaves(int(published["retained"].iloc[i]), int(published["at_risk"].iloc[i]), most),
                )
            }
            for i in inside
        ]
        truth = [{"28d not retained": int(exact["at_risk"].iloc[i] - exact["retained"].iloc[i])} for i in inside]
        out[period] = (seen, truth)
    return out


JOINT = 3  # the most forces without a scheme whose quarters are searched jointly with their pooled rate


def _rate_pairs(retained: int, at_risk: int, most: int) -> list[tuple[int, int]]:
    """Every published (retained, at risk) that gives a published rate (to whole points; c under 10 at risk)."""
    if at_risk < 10:
        return [(r, a) for a in range(0, 10) for r in range(a + 1)]
    shown = round(retained / at_risk + 1e-12, 2)
    return [
        (r, a)
        for a in range(10, max(most, at_risk) + 1)
        for r in range(max(math.ceil((shown - 0.0051) * a), 0), min(math.floor((shown + 0.0051) * a), a) + 1)
        if round(r / a + 1e-12, 2) == shown
    ]


def pooled_leaves(facts, filters: Filters, force: str, most: int) -> dict:
    """{quarter: the published not retained of ``force`` that the forces without a scheme's rows leave possible},
    where ``force`` is one of them: /attribution draws each of them as a thin line (a quarter's rate, from its
    perturbed counts) and their pooled rate (the perturbed counts summed), on the page of every force with a scheme.
    The rates of each and of their sum, searched jointly, can narrow each force's counts further than its own rate.
    Searched jointly for up to JOINT forces (the pilot demo's 2); among more, the pooled rate of many forces' sums
    is taken to narrow no one force's counts, and each is left to its own rate."""
    without = [c for c, start in zip(facts.forces["force_code"], facts.forces["pilot_start"]) if start is None]
    if force not in without or not 2 <= len(without) <= JOINT:
        return {}
    cohort = attribution_filters(filters).apply(facts.children)
    rows = quarterly_counts(cohort[cohort["force_code"].astype(str).isin(without)], perturbed=True)
    out = {}
    for quarter, group in rows.groupby("quarter"):
        by_force = {
            str(c): (int(r), int(a)) for c, r, a in zip(group["force_code"], group["retained"], group["at_risk"])
        }
        if force not in by_force:
            continue
        pooled_r, pooled_a = sum(r for r, _ in by_force.values()), sum(a for _, a in by_force.values())
        if pooled_a < 10:
            continue
        shown_pooled = round(pooled_r / pooled_a + 1e-12, 2)
        codes = list(by_force)
        options = [_rate_pairs(*by_force[c], most) for c in codes]
        mine = codes.index(force)
        possible = set()
        for combo in itertools.product(*options):
            total_r, total_a = sum(r for r, _ in combo), sum(a for _, a in combo)
            if total_a >= 10 and round(total_r / total_a + 1e-12, 2) == shown_pooled:
                possible.add(combo[mine][1] - combo[mine][0])
        out[quarter] = frozenset(possible)
    return out


@cache
def rate_leaves(retained: int, at_risk: int, most: int) -> frozenset:
    """The published not retained that a published rate (perturbed retained of perturbed at risk, to whole points;
    c under 10 at risk) leaves possible, over every at risk it could rest on, up to ``most``."""
    if at_risk < 10:
        return frozenset(range(0, 10))
    shown = round(retained / at_risk + 1e-12, 2)
    out = set()
    for a in range(10, max(most, at_risk) + 1):
        low, high = math.ceil((shown - 0.0051) * a), math.floor((shown + 0.0051) * a)
        out.update(a - r for r in range(max(low, 0), min(high, a) + 1) if round(r / a + 1e-12, 2) == shown)
    return frozenset(out)


def series_points(facts, filters: Filters, grain: str) -> dict[str, tuple[list[dict], list[dict]]]:
    """{period: (each point's published counts, its exact counts)} of the view's series (points wholly inside one
    period), as /engagement and /before-after publish them: each count a cell, perturbed by its points' keys."""
    series = monthly_series(
        compared_forces(filters, facts.forces)[0].apply(facts.children), facts.extract_dates(), grain
    )
    table = perturbation.harbour_table()
    out: dict[str, tuple[list[dict], list[dict]]] = {}
    for period in ("baseline", "pilot"):
        points = series[series["period"] == period]
        if points.empty:
            continue
        exact = {}
        for name, (column, key) in POINT_CELLS.items():
            counts = (
                points["retention_7d_at_risk"] - points["retention_7d_retained"] if column is None else points[column]
            )
            exact[name] = (counts.to_numpy(dtype=int), points[key].to_numpy(dtype=np.int64))
        published = {name: table.published_many(c, k) for name, (c, k) in exact.items()}
        out[period] = (
            [seen_point({name: int(published[name][i]) for name in exact}) for i in range(len(points))],
            [{name: int(exact[name][0][i]) for name in exact} for i in range(len(points))],
        )
    return out


def test_a_period_too_small_to_show_more_shows_no_points(demo_facts_pilot):
    """Found by this search on the pilot demo (Fenwick's Albanian children, baseline): 6 children, published as 3,
    too few to show more, yet /engagement and /before-after showed a quarter of 1 child six times; each 1 is 1 to
    4 alone, and six of them under a total of at most 6 are each 1. Now every point of such a period is c."""
    from harbour.metrics.disclosure import PERTURBATION, Audience
    from harbour.views.context import Context
    from harbour.views.series import series_for

    checked = 0
    for code in demo_facts_pilot.forces["force_code"]:
        for nationality in demo_facts_pilot.children["nationality"].astype(str).unique():
            filters = Filters(force=(code,), nationality=(nationality,))
            ctx = Context(demo_facts_pilot, filters, Audience("publication", method=PERTURBATION))
            sparse = {name for name, p in ctx.doc["periods"].items() if p.get("too_few")}
            if not sparse:
                continue
            for grain in ("month", "quarter"):  # what /engagement's and /before-after's charts and tables draw
                points = series_for(ctx, grain)
                for _, point in points[points["period"].isin([*sparse, "mixed"])].iterrows():
                    checked += 1
                    values = point.drop(labels=["month", "period"], errors="ignore")
                    assert all(v == "c" or v is None or v != v for v in values), (filters, dict(point))
    assert checked > 0


def test_bands_perturbed_cell_by_cell_gave_their_counts_away():
    """Found by this search on the national demo (force F03, nationality AFG, baseline): 7 children went missing,
    4 within 72 hours, 2 between 72 hours and 28 days, 1 after. Perturbed cell by cell, they were published as 4
    (noise -3), 7, 5 (+3 each) and 1: the bands' least possible counts add up to the most the total can be, and
    all three are pinned. Now the bands are differences of the summary's counts (disclosure.perturbed_bands),
    which pin nothing: nested counts of the same children get the same noise."""
    found = posteriors(4, [7, 5, 1], TABLE, [0, 1, 2])
    assert [list(found[i]) for i in range(3)] == [[4], [2], [1]]
    from harbour.metrics.disclosure import perturbed_bands
    from harbour.metrics.perturbation import Cell

    period = {"retention": {"72h": {"not_retained": 7}, "28d": {"not_retained": 9}}, "missing": {"children": 4}}
    bands = perturbed_bands(period, [Cell(4, 0), Cell(2, 0), Cell(1, 0)])
    assert bands == [7, 2, 1]  # what the page shows: from the published 7, 9 and 4, each positive band at least 1


@pytest.fixture(scope="module", params=["pilot", "national"])
def demo_facts(request, tmp_path_factory):
    return built_demo(tmp_path_factory.mktemp("perturbation-attack"), request.param)[1]


@pytest.mark.slow
def test_no_small_count_is_determined_and_most_guesses_are_wrong(demo_facts):
    found = attack(demo_facts)
    share = found["most_likely_right"] / max(found["small"], 1)
    print(f"{found['small']} counts of 2 to 7: the most likely value is the true one for {share:.0%}")
    assert found["small"] > 100  # the search met many small counts
    assert not found["determined"], f"{len(found['determined'])} determined, e.g. " + "; ".join(found["determined"][:5])
    assert share <= 0.5, share


def test_the_search_determines_counts_published_without_noise(demo_facts_pilot_exact):
    """A table without noise (the published counts the exact ones): the same search determines them."""
    found = attack(demo_facts_pilot_exact, NO_NOISE, method="perturbation", limit=8)
    assert found["determined"]


def test_the_search_determines_counts_where_the_record_keys_leak(demo_facts_pilot_zero_keys):
    """Record keys an attacker can know (all 0: every cell's key is 0): the noise is then a function of the count
    alone, which the attacker inverts from the table, and the search determines the counts."""
    zero_key = {pcv: {next(v for low, high, v in rows if low <= 0 <= high): 1.0} for pcv, rows in _ranges().items()}
    found = attack(demo_facts_pilot_zero_keys, zero_key, limit=8)
    assert found["determined"]


def _ranges() -> dict[int, list[tuple[int, int, int]]]:
    out: dict[int, list[tuple[int, int, int]]] = {}
    with (ROOT / "docs" / "perturbation-table.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(int(row["pcv"]), []).append((int(row["ckey_from"]), int(row["ckey_to"]), int(row["pvalue"])))
    return out


@pytest.fixture(scope="module")
def demo_facts_pilot(tmp_path_factory):
    return built_demo(tmp_path_factory.mktemp("sparse-points"), "pilot")[1]


@pytest.fixture
def demo_facts_pilot_zero_keys(tmp_path_factory):
    facts = built_demo(tmp_path_factory.mktemp("zero-keys"), "pilot")[1]
    return replace(
        facts,
        children=facts.children.assign(record_key=0),
        episodes=facts.episodes.assign(record_key=0),
    )


@pytest.fixture
def demo_facts_pilot_exact(tmp_path_factory):
    """The pilot demo, with a table that adds no noise standing in for Harbour's (the published counts exact)."""
    from harbour.metrics import perturbation

    facts = built_demo(tmp_path_factory.mktemp("no-noise"), "pilot")[1]
    table = perturbation.harbour_table()
    flat = perturbation.PerturbationTable({pcv: ((4095,), (0,)) for pcv in table.ranges}, table.pcv)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(perturbation, "harbour_table", lambda: flat)
        yield facts


def test_the_pooled_rate_narrows_each_force_without_a_scheme(demo_facts_pilot):
    """The joint search of /attribution's thin lines and pooled rate has teeth: on the pilot demo (2 forces without
    a scheme) it leaves fewer published counts possible than a force's own quarterly rates do, for some quarters of
    each, and never a count its own rate rules out."""
    facts = demo_facts_pilot
    without = [c for c, start in zip(facts.forces["force_code"], facts.forces["pilot_start"]) if start is None]
    assert len(without) == 2
    for code in without:
        filters = Filters(force=(code,))
        cohort = attribution_filters(filters).apply(facts.children)
        published = quarterly_counts(cohort[cohort["force_code"] == code], perturbed=True).set_index("quarter")
        joint = pooled_leaves(facts, filters, code, 80)
        alone = {q: rate_leaves(int(published.at[q, "retained"]), int(published.at[q, "at_risk"]), 80) for q in joint}
        assert joint and all(joint[q] <= alone[q] for q in joint), code
        assert any(joint[q] < alone[q] for q in joint), code
        assert all(  # the true published count is always among those left
            int(published.at[q, "at_risk"] - published.at[q, "retained"]) in joint[q] for q in joint
        ), code
