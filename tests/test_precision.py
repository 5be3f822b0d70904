"""Precision (docs/metrics.md, version 3) against a direct evaluation of its formula with scipy, written here:
power(d, m) = Phi(d / sqrt(p_b (1 - p_b) / n_b + p1 (1 - p1) / m) - 1.959964), p1 = min(p_b + d, 1)."""

from __future__ import annotations

import math
from datetime import date

import pytest
from scipy.stats import norm

from harbour.metrics.disclosure import disclose_precision
from harbour.metrics.precision import never_possible, precision


def direct_power(d, p_b, n_b, m):
    p1 = min(p_b + d, 1.0)
    return norm.cdf(d / math.sqrt(p_b * (1 - p_b) / n_b + p1 * (1 - p1) / m) - 1.959964)


def direct(n_b, retained, n_p, pilot_start, extract):
    p_b = retained / n_b
    years = ((extract - pilot_start).days + 1) / 365.25
    k = n_p / years
    detectable = next(
        (i / 100 for i in range(1, int(round((1 - p_b) * 100)) + 1) if direct_power(i / 100, p_b, n_b, n_p) >= 0.8),
        None,
    )
    needed = {}
    for d in (0.05, 0.10, 0.15):
        if norm.cdf(d / math.sqrt(p_b * (1 - p_b) / n_b) - 1.959964) < 0.8:
            needed[d] = None
            continue
        needed[d] = next((q / 4 for q in range(1, 81) if direct_power(d, p_b, n_b, k * q / 4) >= 0.8), None)
    return p_b, years, k, detectable, needed


@pytest.mark.parametrize(
    "n_b, retained, n_p, start, extract",
    [
        (51, 42, 52, date(2017, 8, 1), date(2018, 7, 31)),  # a county force's one-year baseline and pilot
        (400, 300, 250, date(2019, 1, 1), date(2020, 6, 30)),  # a large force: small gains can show
        (120, 60, 30, date(2020, 4, 1), date(2020, 9, 30)),  # half a year of pilot so far
    ],
)
def test_precision_is_the_formula_evaluated_directly(n_b, retained, n_p, start, extract):
    found, reason = precision(n_b, retained, n_p, start, extract)
    assert reason is None
    p_b, years, k, detectable, needed = direct(n_b, retained, n_p, start, extract)
    assert found["baseline_rate"] == pytest.approx(p_b)
    assert found["pilot_years"] == pytest.approx(years) and found["per_year"] == pytest.approx(k)
    assert found["detectable_now"] == detectable
    for d in (0.05, 0.10, 0.15):
        assert found["power_now"][f"{d:.2f}"] == pytest.approx(direct_power(d, p_b, n_b, n_p), rel=1e-12)
        assert found["years_needed"][f"{d:.2f}"] == needed[d]


def test_a_county_baseline_can_never_show_a_ten_point_gain():
    """A worked example: about 60 children a year and a one-year baseline."""
    found, _ = precision(51, 42, 52, date(2017, 8, 1), date(2018, 7, 31))
    assert found["years_needed"]["0.10"] is None and never_possible(found, "0.10")
    assert found["detectable_now"] == 0.16


def test_a_large_force_needs_years_it_can_name():
    found, _ = precision(400, 300, 250, date(2019, 1, 1), date(2020, 6, 30))
    assert found["years_needed"]["0.10"] is not None and not never_possible(found, "0.10")


def test_no_scheme_or_no_children_at_risk_has_no_precision():
    assert precision(50, 40, 50, None, date(2018, 7, 31)) == (None, "the force has no scheme (no pilot_start)")
    assert precision(0, 0, 50, date(2017, 8, 1), date(2018, 7, 31))[0] is None


def test_published_precision_is_whole_points_quarter_years_and_rounded_counts():
    exact, _ = precision(51, 42, 52, date(2017, 8, 1), date(2018, 7, 31))
    shown = disclose_precision(exact)
    assert (shown["baseline_at_risk"], shown["pilot_at_risk"], shown["per_year"]) == (50, 50, 50)
    assert shown["baseline_rate"] == 0.82 and shown["pilot_years"] == 1.0
    # Whole points rounded down: a chance of 79.6% is published as 79%, never as the 80% bar it has not met.
    assert shown["power_now"] == {g: math.floor(v * 100) / 100 for g, v in exact["power_now"].items()}
    small, _ = precision(9, 8, 52, date(2017, 8, 1), date(2018, 7, 31))
    hidden = disclose_precision(small)
    assert hidden["detectable_now"] == "c" and hidden["baseline_at_risk"] == "c"
    assert set(hidden["power_now"].values()) == {"c"}


def test_the_exact_sentence_says_children_a_year_as_a_whole_number():
    """Seen on the exact deck: "With about 53.0363 children at risk a year"."""
    from harbour.views.words import precision_sentences

    exact, _ = precision(51, 42, 53, date(2017, 8, 1), date(2018, 6, 30))
    assert exact["per_year"] != round(exact["per_year"])  # a pilot of 11 months: not a whole number a year
    first = precision_sentences(exact, None)[0]
    assert f"about {round(exact['per_year'])} children at risk a year" in first


def test_the_words_never_contradict_the_gain_shown_now_or_say_a_certain_chance():
    """Found on a deck: "can show a gain of 16 points" beside "a 15-point gain would need more than 20 years" while
    its chart reached 80% (79.6%, rounded); and "a 100% chance of showing now"."""
    from harbour.views.words import chance_words, precision_sentences

    found, _ = precision(400, 300, 90, date(2017, 8, 1), date(2018, 7, 31))
    gain = next(
        g for g in ("0.05", "0.10", "0.15") if found["years_needed"][g] is None and float(g) < found["detectable_now"]
    )
    lines = precision_sentences(found, None)
    line = next(line for line in lines if line.startswith(f"A {float(gain) * 100:.0f}-point gain"))
    assert "more than 20 years" not in line and "no pilot of up to 20 years would raise it to 80%" in line
    assert chance_words(0.796) == "a 79% chance" and chance_words(0.9999) == "a more than 99% chance"
    assert chance_words(0.8) == "an 80% chance"
