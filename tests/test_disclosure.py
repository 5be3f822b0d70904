"""Disclosure control, proved by properties (hypothesis) over counts, rates and whole summaries."""

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics import disclosure
from metrics.disclosure import SUPPRESSED, count, is_publishable_count, rate, ratio, statistic, survival
from metrics.summary import build_summary
from tests.facts import child, episodes, frame

COUNT_KEYS = {"children", "placed", "not_placed", "at_risk", "retained", "not_retained", "recorded",
              "not_recorded", "n", "count", "episodes", "open", "harmed"}


@given(st.integers(min_value=0, max_value=10**6))
def test_no_published_count_is_between_1_and_7_and_others_are_multiples_of_5(n):
    shown = count(n)
    assert is_publishable_count(shown)
    if n == 0:
        assert shown == 0
    elif n <= 7:
        assert shown == SUPPRESSED
    else:
        assert shown % 5 == 0 and abs(shown - n) <= 2


def test_rounding_goes_down_for_1_and_2_and_up_for_3_and_4():
    assert [count(n) for n in (8, 9, 10, 11, 12, 13, 14, 15)] == [10, 10, 10, 10, 10, 15, 15, 15]


@given(st.integers(0, 500), st.integers(0, 500))
def test_rates_come_from_rounded_counts_and_small_denominators_are_suppressed(a, b):
    num, den = min(a, b), max(a, b)
    shown = rate(num, den)
    if den == 0:
        assert shown["rate"] is None
    elif count(den) == SUPPRESSED or count(den) < 10 or count(num) == SUPPRESSED:
        assert shown == {"rate": SUPPRESSED, "ci_low": SUPPRESSED, "ci_high": SUPPRESSED}
    else:
        assert shown["rate"] == count(num) / count(den)


@given(st.floats(0, 1000, allow_nan=False), st.integers(0, 30))
def test_statistics_on_fewer_than_10_children_are_suppressed(value, n):
    assert (statistic(value, n) == SUPPRESSED) == (n < 10)


@given(st.floats(0, 1, allow_nan=False), st.integers(10, 100))
def test_survival_is_rounded_to_whole_percentage_points(value, n):
    shown = survival(value, n)
    assert abs(shown * 100 - round(shown * 100)) < 1e-9
    assert survival(value, 9) == SUPPRESSED


def test_ratio_of_rounded_counts():
    assert ratio(23, 12) == 25 / 10
    assert ratio(5, 40) == SUPPRESSED and ratio(0, 0) is None


def _walk(doc, path=()):
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _walk(value, path + (key,))
    else:
        yield path, doc


child_strategy = st.builds(
    lambda period, placed, event, obs, follow, eng: child(
        period=period, placed=placed, event=event and placed, obs_hours=min(obs, follow) if placed else float("nan"),
        followup_hours=follow if placed else float("nan"), engagement_hours=eng),
    st.sampled_from(["baseline", "pilot", "out_of_scope"]), st.booleans(), st.booleans(),
    st.floats(0, 3000), st.floats(0, 3000), st.one_of(st.none(), st.floats(0, 200)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(child_strategy, max_size=60), st.data())
def test_every_number_in_the_summary_export_obeys_the_rule(children, data):
    facts = frame(*children)
    keys = facts["child_key"].tolist()
    picked = data.draw(st.lists(st.sampled_from(keys), max_size=40)) if keys else []
    ep = episodes(*[{"child_key": k, "seq": i, "duration_hours": float(i % 7) if i % 3 else None,
                     "harmed": i % 5 == 0} for i, k in enumerate(picked)])
    forces = pd.DataFrame([{"force_code": "T", "pilot_start": None, "baseline_start": date(2017, 1, 1), "extract_date": date(2018, 1, 1),
                            "synthetic": True}])
    doc = build_summary(facts, ep, forces, exact=False)
    assert doc["exact"] is False
    for path, value in _walk(doc):
        if path[-1] in COUNT_KEYS:
            assert is_publishable_count(value), (path, value)
    for name, period in doc["periods"].items():
        for label, h in period["retention"].items():
            if h["at_risk"] in (SUPPRESSED,) or (isinstance(h["at_risk"], int) and 0 < h["at_risk"] < 10):
                assert h["rate"] == SUPPRESSED
            placed_exact = int((facts["period"] == name).mul(facts["placed"]).sum())
            if placed_exact < 10 and h["km"] is not None:
                assert h["km"] == SUPPRESSED
        if period["engagement"]["recorded"] in (SUPPRESSED,) and period["engagement"]["median_hours"] is not None:
            assert period["engagement"]["median_hours"] == SUPPRESSED
    if doc["comparison"]:
        exact = build_summary(facts, ep, forces, exact=True)
        for label, diff in doc["comparison"]["retention"].items():
            smallest = min(exact["periods"][p]["retention"][label]["at_risk"] for p in ("baseline", "pilot"))
            if smallest < 10 and diff["difference"] is not None:
                assert diff == {k: SUPPRESSED for k in diff}


def test_the_footnote_names_the_symbol():
    assert "shown as c" in disclosure.FOOTNOTE
