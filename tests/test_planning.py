"""Planning a pilot: the years a pilot needs and its chance of showing a gain by year, from the user's
own numbers, checked against the power formula of docs/metrics.md written again here with scipy; and the page works
on a warehouse with no records at all."""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm

from harbour.metrics.precision import plan
from harbour.pages import planning
from harbour.warehouse.engine import engine_for, ensure_schema
from harbour.web.inprocess import client, render


def _power(d, p_b, n_b, m):
    p1 = min(p_b + d, 1.0)
    return norm.cdf(d / math.sqrt(p_b * (1 - p_b) / n_b + p1 * (1 - p1) / m) - 1.959964)  # as docs/metrics.md writes it


@pytest.mark.parametrize(
    "per_year, rate, base, gain",
    [(60, 0.80, 150, 0.10), (200, 0.70, 400, 0.05), (30, 0.85, 500, 0.12), (60, 0.80, 60, 0.10)],
)
def test_years_needed_and_power_by_year_follow_the_formula(per_year, rate, base, gain):
    found = plan(per_year, rate, base, gain)
    by_hand = {y / 4: _power(gain, rate, base, per_year * y / 4) for y in range(1, 81)}
    assert len(found["by_year"]) == 80
    for y, p in found["by_year"]:
        assert p == pytest.approx(by_hand[y], abs=1e-12)
    endless = norm.cdf(gain / math.sqrt(rate * (1 - rate) / base) - 1.959964)  # as docs/metrics.md writes it
    assert found["never"] == (endless < 0.8)
    needed = None if endless < 0.8 else next((y for y in sorted(by_hand) if by_hand[y] >= 0.8), None)
    assert found["years_needed"] == needed


def test_a_gain_the_baseline_cannot_show_says_so_and_why():
    values, problems = planning.inputs_from({"plan_base": "60"})
    assert not problems
    panel = planning.view(values, problems).panels[0]
    assert "could not be shown however long the pilot runs" in panel.summary and "60 children" in panel.summary


def test_bad_inputs_are_said_and_the_default_used():
    values, problems = planning.inputs_from({"plan_rate": "abc", "plan_gain": "500", "plan_per_year": "-3"})
    assert values["plan_rate"] == 80 and values["plan_gain"] == 10 and values["plan_per_year"] == 60
    assert len(problems) == 3 and any("not a number" in p for p in problems)
    values, problems = planning.inputs_from({"plan_rate": "95", "plan_gain": "10"})
    assert values["plan_gain"] == 5 and "passes 100%" in problems[0]


def test_the_page_works_with_no_records_loaded(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    ensure_schema(engine_for(url))
    web = client(url)
    status, body = render(web, "/planning", "?plan_per_year=80&plan_rate=75&plan_base=300&plan_gain=10")
    assert status == 200 and b"Traceback" not in body
    text = body.decode()
    years = plan(80, 0.75, 300, 0.10)["years_needed"]
    assert f"needs about {years:g} year" in text
