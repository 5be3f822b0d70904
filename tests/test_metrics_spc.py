"""XmR limits and the four special-cause rules, on series whose flags are known."""

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
