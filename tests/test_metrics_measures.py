"""Engagement, missing episodes, comparisons and value for money against hand calculations."""

import math

import pytest
from scipy.stats import norm

from harbour.metrics.comparison import compare, logrank_p, retention_difference
from harbour.metrics.engagement import engagement_summary
from harbour.metrics.intervals import newcombe, wilson
from harbour.metrics.missing import first_missing_timing, missing_summary
from harbour.metrics.value import ValueInputs, value_for_money

from .facts import child, episodes, frame


def test_engagement_percentiles_interpolate_linearly_and_count_within_24h_inclusive():
    f = frame(*[child(engagement_hours=h) for h in (1.0, 2.0, 4.0, 10.0, 24.0, 30.0)], child(engagement_hours=None))
    e = engagement_summary(f)
    assert (e["recorded"], e["not_recorded"]) == (6, 1)
    assert e["median_hours"] == pytest.approx(7.0)  # (4 + 10) / 2
    assert e["q1_hours"] == pytest.approx(2.5)  # rank 1.25 between 2 and 4
    assert e["q3_hours"] == pytest.approx(20.5)  # rank 3.75 between 10 and 24
    assert e["mean_hours"] == pytest.approx(71 / 6)
    assert e["within_24h"]["count"] == 5 and e["within_24h"]["n"] == 6


def test_engagement_of_a_period_with_no_children_is_null():
    e = engagement_summary(frame())
    assert e["recorded"] == 0 and e["median_hours"] is None and e["within_24h"]["rate"] is None


def test_missing_summary_counts_episodes_of_placed_cohort_children():
    f = frame(child(child_key="a"), child(child_key="b"), child(child_key="c", placed=False))
    ep = episodes(
        {"child_key": "a", "seq": 1, "duration_hours": 10.0},
        {"child_key": "a", "seq": 2, "duration_hours": None},
        {"child_key": "b", "seq": 1, "duration_hours": 30.0, "harmed": True},
        {"child_key": "c", "seq": 1, "duration_hours": 99.0},  # not placed: not counted
        {"child_key": "z", "seq": 1, "duration_hours": 99.0},  # not in the cohort
    )
    m = missing_summary(f, ep)
    assert (m["children"], m["episodes"], m["open"], m["harmed"]) == (2, 3, 1, 1)
    assert m["episodes_per_child"] == pytest.approx(1.5)
    assert m["median_duration_hours"] == pytest.approx(20.0)


def test_first_missing_timing_puts_an_event_at_exactly_24h_in_the_first_day():
    f = frame(
        child(event=True, obs_hours=24.0),
        child(event=True, obs_hours=24.5),
        child(event=True, obs_hours=3000.0),
        child(),
    )
    bands = first_missing_timing(f)
    assert bands["children"].tolist() == [1, 1, 0, 0, 0, 1]
    assert bands["band"].tolist()[0] == "0h to 24h"


def test_wilson_and_newcombe_match_the_formulas_written_out():
    z = norm.ppf(0.975)

    def wilson_by_hand(x, n):
        p = x / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return centre - half, centre + half

    assert wilson(0, 10)[1] == pytest.approx(0.0, abs=1e-12)
    for x, n in ((3, 10), (45, 50), (0, 12)):
        assert wilson(x, n)[1:] == pytest.approx(wilson_by_hand(x, n), abs=1e-6)
    # Newcombe (1998) method 10, the hybrid score interval, from the two Wilson intervals.
    x1, n1, x2, n2 = 40, 50, 30, 50
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_by_hand(x1, n1)
    l2, u2 = wilson_by_hand(x2, n2)
    low = (p1 - p2) - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = (p1 - p2) + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    d, lo, hi = newcombe(x1, n1, x2, n2)
    assert d == pytest.approx(0.2) and lo == pytest.approx(low, abs=1e-6) and hi == pytest.approx(high, abs=1e-6)
    # Newcombe's own worked example 1998 (56/70 vs 48/80): 0.0524 to 0.3339.
    _, lo, hi = newcombe(56, 70, 48, 80)
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)


def _cohort(retained, not_retained, early=5.0):
    return frame(
        *[child() for _ in range(retained)], *[child(event=True, obs_hours=early) for _ in range(not_retained)]
    )


def test_retention_difference_uses_fishers_exact_test_on_the_2x2_table():
    # Fisher's tea-tasting table [[3, 1], [1, 3]]: two-sided p = 34/70.
    diff = retention_difference(_cohort(1, 3), _cohort(3, 1), 24.0)
    assert diff["p_value"] == pytest.approx(34 / 70)
    assert diff["difference"] == pytest.approx(0.5)


def test_logrank_matches_the_test_statistic_computed_by_hand():
    baseline = frame(child(event=True, obs_hours=1.0), child(event=True, obs_hours=2.0), child(obs_hours=4.0))
    pilot = frame(child(event=True, obs_hours=3.0), child(obs_hours=5.0), child(obs_hours=6.0))
    # Event times 1, 2, 3. At each: n (total), n1 (baseline), d (events), d1 (baseline events).
    table = [(6, 3, 1, 1), (5, 2, 1, 1), (4, 1, 1, 0)]
    observed = sum(d1 for _, _, _, d1 in table)
    expected = sum(d * n1 / n for n, n1, d, _ in table)
    variance = sum(d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1) for n, n1, d, _ in table)
    chi2 = (observed - expected) ** 2 / variance
    from scipy.stats import chi2 as chi2_dist

    assert logrank_p(baseline, pilot) == pytest.approx(chi2_dist.sf(chi2, 1), rel=1e-9)


def test_engagement_comparison_uses_the_exact_mann_whitney_test():
    baseline = frame(*[child(engagement_hours=h) for h in (40.0, 50.0, 60.0)])
    pilot = frame(*[child(engagement_hours=h) for h in (1.0, 2.0, 3.0)])
    c = compare(baseline, pilot)
    # U = 0: of the 20 equally likely orderings, 1 at each extreme, two-sided p = 2/20.
    assert c["engagement_p_value"] == pytest.approx(0.1)
    assert c["engagement_median_difference_hours"] == pytest.approx(-48.0)
    assert c["within_24h_difference"]["difference"] == pytest.approx(1.0)


def test_comparison_is_null_where_a_period_has_no_placed_child():
    assert compare(frame(child(placed=False)), _cohort(3, 1)) is None
    assert compare(frame(), _cohort(3, 1)) is None


def test_value_for_money_worked_example():
    # Baseline not retained 30%, pilot 20%: difference in retention +0.10 (interval 0.02 to 0.18),
    # 100 pilot children at risk, 2 episodes per child in the baseline.
    # The scheme cost £50,000.
    result = value_for_money(
        {"difference": 0.10, "ci_low": 0.02, "ci_high": 0.18}, 100, 2.0, ValueInputs(price_uplift=1.5), 50_000.0
    )
    assert result["avoided_children"] == {"low": 2, "central": 10, "high": 18}
    assert result["avoided_episodes"] == pytest.approx({"low": 4.0, "central": 20.0, "high": 36.0})
    assert result["avoided_cost"]["central"] == pytest.approx(20 * 2415.80 * 1.5)
    assert result["avoided_cost"]["low"] == pytest.approx(4 * 1325.44 * 1.5)
    assert result["avoided_cost"]["high"] == pytest.approx(36 * 2415.80 * 1.5)
    assert result["net"]["central"] == pytest.approx(20 * 2415.80 * 1.5 - 50_000)
    assert result["return_per_pound"]["high"] == pytest.approx(36 * 2415.80 * 1.5 / 50_000)
    assert result["inputs"]["cost_per_investigation"] == 2415.80 and not result["no_benefit_possible"]
    assert value_for_money({"difference": None}, 100, 2.0, ValueInputs(), 1.0) is None


def test_avoided_children_are_whole_and_never_negative():
    # 52 at risk: 0.0419 x 52 = 2.18 -> 2 children; the low end -0.1 x 52 = -5.2 -> none, and the model says so.
    result = value_for_money({"difference": 0.0419, "ci_low": -0.10, "ci_high": 0.19}, 52, 1.5, ValueInputs(), 0.0)
    assert result["avoided_children"] == {"low": 0, "central": 2, "high": 10}
    assert result["harm_possible"] and result["no_benefit_possible"]
    assert result["return_per_pound"]["central"] is None  # no cost entered: no return per pound


def test_the_default_price_uplift_is_the_cpi_ratio_from_2011():
    from harbour.metrics.value import CPI_2011, CPI_LATEST, DEFAULT_UPLIFT

    assert (CPI_2011, CPI_LATEST) == (93.4, 133.9) and DEFAULT_UPLIFT == 1.434  # 133.9 / 93.4 = 1.43362


def test_logrank_is_null_when_its_variance_is_zero():
    # One child at risk at the only event time: the statistic is undefined (found by hypothesis).
    baseline = frame(child(obs_hours=0.0, followup_hours=0.0))
    pilot = frame(child(event=True, obs_hours=1.0, followup_hours=1.0))
    assert logrank_p(baseline, pilot) is None
