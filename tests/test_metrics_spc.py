"""XmR limits and the four special-cause rules, on series whose flags are known."""

import numpy as np
import pytest

from harbour.metrics.spc import xmr

BASE = [10, 12] * 5  # mean 11, mean moving range 2: limits 11 ± 5.32, near zone beyond 11 ± 3.547


def test_limits_are_the_mean_plus_or_minus_2_66_mean_moving_ranges():
    out = xmr(BASE)
    assert out["mean"].iloc[0] == pytest.approx(11.0)
    assert out["upper"].iloc[0] == pytest.approx(11 + 2.66 * 2)
    assert out["lower"].iloc[0] == pytest.approx(11 - 2.66 * 2)
    assert not out["special"].any()


def test_a_point_outside_the_limits_is_special_cause():
    out = xmr(BASE + [30])
    assert out["outside"].tolist() == [False] * 10 + [True]
    assert out["rules"].iloc[-1] == "a point outside the limits"


def test_seven_points_on_one_side_of_the_mean_is_a_shift_and_a_point_on_the_mean_breaks_it():
    series = [5, 6, 5, 6, 5, 6, 5, 20, 21, 20, 21, 20, 21]
    out = xmr(series)  # mean 12.38…: the first 7 below, the last 6 above
    assert out["shift"].tolist() == [True] * 7 + [False] * 6


def test_a_point_exactly_on_the_mean_breaks_a_run():
    # The mean of this series is exactly 190 / 19 = 10: the point at 10 interrupts 12 lows.
    series = [9] * 6 + [10] + [9] * 6 + [12] * 6
    out = xmr(series)
    assert out["mean"].iloc[0] == pytest.approx(10.0)
    assert not out["shift"].iloc[:13].any()


def test_seven_points_each_rising_is_a_trend_but_six_is_not():
    assert xmr([1, 2, 3, 4, 5, 6, 7, 3, 4])["trend"].tolist() == [True] * 7 + [False] * 2
    assert not xmr([1, 2, 3, 4, 5, 6, 2, 3, 4])["trend"].any()
    assert xmr([9, 8, 7, 6, 5, 4, 3, 7])["trend"].tolist() == [True] * 7 + [False]


def test_two_of_three_near_the_limit_on_the_same_side():
    # 30 points alternating 10, 12, then 16, 12, 16. Mean (330 + 44) / 33 = 11.33; moving ranges
    # 29 of 2 and 3 of 4, mean 70 / 32 = 2.1875; near zone above 11.33 + 1.7733 * 2.1875 = 15.21,
    # upper limit 11.33 + 2.66 * 2.1875 = 17.15: both 16s are near the limit, inside it.
    series = BASE * 3 + [16, 12, 16]
    out = xmr(series)
    assert out["near_upper"].iloc[0] == pytest.approx(374 / 33 + 2 / 3 * 2.66 * 70 / 32)
    assert out.index[out["two_of_three"]].tolist() == [30, 32]
    assert not out["outside"].any()
    # The same two points split by one below the mean do not count (NHSRplotthedots' rule).
    assert not xmr(BASE * 3 + [16, 9, 16])["two_of_three"].any()


def test_limits_are_recalculated_at_the_pilot_start_and_short_segments_are_trial_limits():
    out = xmr([10, 12] * 6 + [20, 22] * 3, split_at=12)
    assert out.loc[0, "mean"] == pytest.approx(11.0) and out.loc[12, "mean"] == pytest.approx(21.0)
    assert out.loc[0, "trial"] == False and out.loc[12, "trial"] == True  # noqa: E712


def test_special_cause_is_improvement_or_concern_by_direction():
    out = xmr(BASE + [30], improvement=+1)
    assert out["variation"].iloc[-1] == "improvement"
    out = xmr(BASE + [30], improvement=-1)
    assert out["variation"].iloc[-1] == "concern"
    assert xmr(BASE + [30])["variation"].iloc[-1] == "neutral high"


def test_monthly_series_keeps_complete_months_and_drops_small_denominators():
    from datetime import date

    from harbour.metrics.monthly import monthly_series

    from .facts import child, frame

    kids = [child(contact_month="2017-01", engagement_hours=float(h)) for h in (1, 2, 3, 4, 5)]
    kids += [child(contact_month="2017-03", engagement_hours=9.0)]
    kids += [child(contact_month="2017-04", period="pilot")]  # April is not complete on 2017-04-29
    kids += [child(contact_month="2017-02", period="out_of_scope")]
    series = monthly_series(frame(*kids), {"T": date(2017, 4, 29)})
    assert series["month"].tolist() == ["2017-01", "2017-02", "2017-03"]
    assert series["children"].tolist() == [5, 0, 1]
    assert series["median_engagement_hours"].iloc[0] == 3.0
    assert series["median_engagement_hours"].iloc[1:].isna().all()  # fewer than 5: no point
    assert series["retention_7d"].iloc[0] == 1.0 and series["retention_7d"].iloc[2:].isna().all()
    quarters = monthly_series(frame(*kids), {"T": date(2017, 4, 29)}, grain="quarter")
    assert quarters["month"].tolist() == ["2017-Q1"] and quarters["children"].tolist() == [6]


def test_last_complete_month_and_quarter():
    from datetime import date

    from harbour.metrics.monthly import last_complete_label

    assert last_complete_label(date(2018, 7, 31), "month") == "2018-07"
    assert last_complete_label(date(2018, 7, 30), "month") == "2018-06"
    assert last_complete_label(date(2018, 1, 15), "month") == "2017-12"
    assert last_complete_label(date(2018, 3, 31), "quarter") == "2018-Q1"
    assert last_complete_label(date(2018, 3, 30), "quarter") == "2017-Q4"


# ---- NHSRplotthedots' own expectations (nhs-r-community/NHSRplotthedots, version 0.2.2, MIT licence, copyright
# NHS-R Community 2021): tests/testthat/_snaps/ptd_spc_standard.md and tests/testthat/test-ptd_calculate_point_type.R.
# Harbour's rules are metrics.md version 4's, which adopts theirs; these are their published numbers, not ours.

# R's rnorm(20) after set.seed(123), the series of their test-ptd_spc_standard.R (the snapshot prints its first
# values: -0.56047565, -0.23017749, 1.55870831, 0.07050839, ...).
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123,
    -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314,
    0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def test_limits_with_screening_are_nhsrplotthedots_snapshot():
    """Their snapshot: the series as it is (mean 0.1416238, limits -3.01138 and 3.294627); with its 15th point set
    to 10, screened (mean 0.6694159, limits -2.383666 and 3.722497) and not screened (-4.596625 and 5.935457)."""
    from harbour.metrics.spc import segment_xmr

    plain = segment_xmr(np.array(RNORM_123))
    assert (plain["mean"], plain["lower"], plain["upper"]) == pytest.approx((0.1416238, -3.01138, 3.294627), abs=5e-6)
    outlier = np.array(RNORM_123)
    outlier[14] = 10
    screened, unscreened = segment_xmr(outlier), segment_xmr(outlier, screen=False)
    assert (screened["mean"], screened["lower"], screened["upper"]) == pytest.approx(
        (0.6694159, -2.383666, 3.722497), abs=5e-6
    )
    assert (unscreened["lower"], unscreened["upper"]) == pytest.approx((-4.596625, 5.935457), abs=5e-6)
    assert xmr(outlier.tolist())["upper"].iloc[0] == pytest.approx(3.722497, abs=5e-6)  # the product screens


def _near_zone(pattern, sides):
    """Values around a mean of 0 with a mean moving range that puts the near limit at 1 and the limit at 1.5: a 1
    in ``pattern`` is in the near-limit zone (1.2 from the mean), a 0 close to the mean (0.2), on ``sides``."""
    from harbour.metrics.spc import _two_of_three

    x = np.array([(1.2 if p else 0.2) * s for p, s in zip(pattern, sides)])
    return _two_of_three(x, 0.0, 1.0, 1.5).astype(int).tolist()


def test_two_in_three_is_nhsrplotthedots_part_of_two_in_three():
    """ptd_part_of_two_in_three's expectations: the points in the zone of a qualifying window (2 of 3 in the zone,
    all three on one side), and none where the three are not on one side."""
    assert _near_zone([1, 0, 1], [1, 1, 1]) == [1, 0, 1]
    assert _near_zone([0, 1, 1], [1, 1, 1]) == [0, 1, 1]
    assert _near_zone([0, 0, 1, 0, 1, 0, 0], [1] * 7) == [0, 0, 1, 0, 1, 0, 0]
    assert _near_zone([1, 0, 0, 1], [1] * 4) == [0, 0, 0, 0]
    assert _near_zone([1, 0, 0, 1, 1], [1] * 5) == [0, 0, 0, 1, 1]
    assert _near_zone([1, 0, 1], [1, -1, 1]) == [0, 0, 0]
    assert _near_zone([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1]) == [0] * 7


def test_a_point_beyond_the_limit_does_not_count_towards_two_in_three():
    """NHSRplotthedots' close_to_limits is "not outside the limits and beyond the near limit" (ptd_spc_standard.R):
    one point in the zone and one beyond the limit are not 2 of 3 (version 3 counted them)."""
    from harbour.metrics.spc import _two_of_three

    assert _two_of_three(np.array([1.2, 0.2, 2.0]), 0.0, 1.0, 1.5).tolist() == [False, False, False]
    assert _two_of_three(np.array([1.2, 0.2, 1.4]), 0.0, 1.0, 1.5).tolist() == [True, False, True]


def test_runs_and_trends_are_nhsrplotthedots():
    """ptd_seven_point_one_side_mean and ptd_seven_point_trend with ptd_part_of_seven_trend: 8 points above the mean
    then one below are 8 in a run; 1:3, 3:6 is no trend (a tie breaks it); 1:7 is one; so is 1:7 inside 2 ... 3."""
    series = [1.0] * 8 + [-20.0]  # mean below the 1s: 8 above it, then one below
    assert xmr(series)["shift"].astype(int).tolist() == [1] * 8 + [0]
    assert not xmr([1, 2, 3, 3, 4, 5, 6])["trend"].any()
    assert xmr(list(range(1, 8)))["trend"].all()
    assert xmr([2, 1, 2, 3, 4, 5, 6, 7, 3])["trend"].astype(int).tolist() == [0, 1, 1, 1, 1, 1, 1, 1, 0]


def test_a_trend_is_coloured_by_its_direction_not_its_side_of_the_mean():
    """Version 4, as NHSRplotthedots' ptd_point_type: a point in a rising trend is "Increasing", an improvement where
    higher is better, even below the mean (version 3 coloured it a concern by its side)."""
    series = [40, 0, 40, 0, 40, 0, 10, 11, 12, 13, 14, 15, 16, 16, 40, 0, 40, 0, 40]  # a tie ends the rise
    out = xmr(series, improvement=+1)
    rising = out.index[out["trend"]].tolist()
    assert rising == list(range(5, 13)) and not out["outside"].any()
    assert (out.loc[rising, "value"] < out.loc[rising, "mean"]).all()  # all below the mean, and in a shift too
    assert set(out.loc[rising, "variation"]) == {"improvement"}
    assert out.loc[13, "variation"] == "concern"  # the tie: in the shift alone, by its side of the mean
    assert set(xmr(series, improvement=-1).loc[rising, "variation"]) == {"concern"}
