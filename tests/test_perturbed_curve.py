"""The survival curve published under perturbation (docs/metrics.md version 4, "Survival curves"), checked against
the standard's words written again here: for each week w = 1 to 13 after placement, the placed children still at
risk at its start and those who first went missing during it, each a cell (its published count from the
perturbation table, read here from docs/perturbation-table.csv); S(w) the product over the weeks up to w of
(1 - missing / at risk), Greenwood's band on the same counts (on the log(-log) scale, as the exact curve's); the
curve stops before the first week with fewer than 10 at risk.

The test's own Greenwood sum is first checked against statsmodels' Kaplan-Meier standard errors on a cohort whose
times all fall at week ends (where the weekly life table is the Kaplan-Meier estimate itself)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.duration.survfunc import SurvfuncRight

from harbour.metrics.cells import weekly_life_table
from harbour.metrics.disclosure import PERTURBATION, Audience
from harbour.metrics.filters import Filters
from harbour.pages import retention
from harbour.views.context import Context

from .support import built_demo
from .test_perturbed_summary import published, whole_points

WEEK = 168.0
Z = norm.ppf(0.975)
PERTURBING = Audience("publication", method=PERTURBATION)


def life_table(cohort: pd.DataFrame, weeks: int = 14) -> list[tuple[pd.Series, pd.Series]]:
    """Per week, the record keys of the placed children at risk at its start (followed past it without going
    missing; all of them in the first week) and of those who first went missing during it."""
    placed = cohort[cohort["placed"].astype(bool)]
    obs, event = placed["obs_hours"].astype(float), placed["event"].astype(bool)
    rows = []
    for w in range(1, weeks + 1):
        start, end = WEEK * (w - 1), WEEK * w
        at_risk = obs >= 0 if w == 1 else obs > start
        rows.append((placed.loc[at_risk, "record_key"], placed.loc[at_risk & event & (obs <= end), "record_key"]))
    return rows


def survival(counts: list[tuple[int, int]]) -> list[tuple[float, float, float, float]]:
    """(S, Greenwood's sum, low, high) at each week's end, until a week with fewer than 10 at risk."""
    out, s, greenwood = [], 1.0, 0.0
    for n, d in counts:
        if n < 10:
            break
        d = min(d, n)
        s *= 1 - d / n
        greenwood += d / (n * (n - d)) if n > d else 0.0
        if 0 < s < 1:
            spread = Z * math.sqrt(greenwood) / abs(math.log(s))
            low, high = s ** math.exp(spread), s ** math.exp(-spread)
        else:
            low = high = s
        out.append((s, greenwood, low, high))
    return out


def test_the_tests_greenwood_is_statsmodels_kaplan_meier_at_week_ends():
    rng = np.random.default_rng(7)
    weeks = rng.integers(1, 16, size=300)
    missing = rng.random(300) < 0.4
    cohort = pd.DataFrame(
        {
            "placed": True,
            "obs_hours": weeks * WEEK,
            "event": missing,
            "record_key": rng.integers(0, 4096, size=300),
        }
    )
    rows = life_table(cohort, 13)
    ours = survival([(len(a), len(m)) for a, m in rows])
    fitted = SurvfuncRight(cohort["obs_hours"], cohort["event"].astype(int))
    for w, (s, greenwood, _, _) in enumerate(ours, start=1):
        at = np.searchsorted(fitted.surv_times, w * WEEK, side="right") - 1
        assert s == pytest.approx(fitted.surv_prob[at])
        assert math.sqrt(greenwood) * s == pytest.approx(fitted.surv_prob_se[at])
    # And the module's own weekly life table holds the same children (the test's cells are not the module's).
    assert [(r["at_risk"].count, r["missing"].count) for r in weekly_life_table(cohort)][:13] == [
        (len(a), len(m)) for a, m in rows
    ]


def test_a_child_who_went_missing_at_a_weeks_very_end_is_not_at_risk_in_the_next():
    cohort = pd.DataFrame(
        {"placed": True, "obs_hours": [WEEK, 2 * WEEK, 3.5 * WEEK], "event": [True, False, True], "record_key": 1}
    )
    counts = [(r["at_risk"].count, r["missing"].count) for r in weekly_life_table(cohort)][:4]
    assert counts == [(3, 1), (2, 0), (1, 0), (1, 1)]  # the child censored at two weeks' end is not at risk after


@pytest.fixture(scope="module")
def demo_facts(tmp_path_factory):
    return built_demo(tmp_path_factory.mktemp("curve"))[1]


def _published_rows(ctx: Context) -> list[list]:
    panel = next(p for p in retention.view(ctx).panels if p.panel_id == "chart-km")
    return [[getattr(v, "value", v) for v in row] for row in panel.table.rows]


def test_every_published_curve_is_the_life_table_of_perturbed_counts(demo_facts):
    checked = 0
    for force in [None, *demo_facts.forces["force_code"]]:
        ctx = Context(demo_facts, Filters(force=(force,) if force else ()), PERTURBING)
        shown = _published_rows(ctx)
        for i, period in enumerate(("baseline", "pilot")):
            rows = life_table(ctx.groups[period])
            counts = [(published(a) if len(a) else 0, published(m) if len(m) else 0) for a, m in rows]
            expected = survival(counts[:13])
            for w, row in enumerate(shown, start=1):
                km, low, high, at_risk = row[1 + 4 * i : 5 + 4 * i]
                if w > len(expected):
                    assert km is None, (force, period, w)
                    continue
                s, _, lo, hi = expected[w - 1]
                where = (force, period, w)
                assert (km, low, high) == (whole_points(s), whole_points(lo), whole_points(hi)), where
                assert at_risk == counts[w][0], where  # still at risk at the week's end: the next week's cell
                checked += 1
    assert checked > 100
