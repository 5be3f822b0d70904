"""Months of first contact in whole periods for the publication audience (docs/metrics.md version 4, both methods):
the force's baseline, its pilot, a financial year (April to March) or all. Ranges of quarters subtract ("all
quarters to q" less "all quarters to q - 1" gave quarter q's children back), so the filter bar, the URL and the CLI
offer this audience whole periods only and say so in words; the internal audience keeps ranges of quarters."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from harbour.cli import main
from harbour.components.shell import filter_bar
from harbour.metrics.disclosure import INTERNAL, PUBLICATION, Audience
from harbour.metrics.filters import Filters, financial_years
from harbour.views.ask import Ask

from .support import demo_copy


def test_a_financial_year_is_april_to_march_and_a_period_is_the_forces_own():
    facts = pd.DataFrame(
        {
            "contact_month": ["2017-03", "2017-04", "2017-12", "2018-03", "2018-04"],
            "period": ["baseline", "baseline", "pilot", "pilot", "pilot"],
        }
    )
    assert list(Filters(period="2017-18").apply(facts)["contact_month"]) == ["2017-04", "2017-12", "2018-03"]
    assert list(Filters(period="pilot").apply(facts)["contact_month"]) == ["2017-12", "2018-03", "2018-04"]
    assert financial_years(facts["contact_month"]) == ["2016-17", "2017-18", "2018-19"]
    for bad in ("2017", "2017-19", "2017-2018", "pilots"):
        assert Filters.from_query({"period": bad}).period is None
        assert any("not a whole period" in p for p in Filters.problems({"period": bad}))


def test_publication_never_applies_a_range_of_quarters_and_says_why():
    query = {"force": "ELMSHIRE", "month_from": "2017-01", "month_to": "2017-06"}
    for method in ("perturbation", "suppression"):
        ask = Ask("/retention", query, Audience("publication", method=method))
        assert ask.filters.month_from is None and ask.filters.month_to is None
        assert any("whole periods" in p for p in ask.problems)
    internal = Ask("/retention", query, INTERNAL)
    assert (internal.filters.month_from, internal.filters.month_to) == ("2017-01", "2017-06")
    assert not internal.problems


def test_the_views_of_two_ranges_a_quarter_apart_are_the_same_view_for_publication(tmp_path):
    """The attack the rule closes: for publication, both ranges are the whole view, so nothing subtracts."""
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts as read
    from harbour.web.build import build_uncached

    f = read(engine_for(demo_copy(tmp_path)))
    wide = {"force": "ELMSHIRE", "month_from": "2016-07", "month_to": "2018-06"}
    narrow = {**wide, "month_from": "2016-10"}
    for method in ("perturbation", "suppression"):
        audience = Audience("publication", method=method)
        one, other = (build_uncached("/retention", q, f, audience) for q in (wide, narrow))
        assert repr([p.table.rows for p in one.panels]) == repr([p.table.rows for p in other.panels])  # NaN too
    exact = [build_uncached("/retention", q, f, INTERNAL).panels[0].table.rows for q in (wide, narrow)]
    assert exact[0] != exact[1]  # the internal audience's ranges do narrow the cohort


def test_the_cli_offers_publication_whole_periods_only(tmp_path):
    url = demo_copy(tmp_path)
    refused = CliRunner().invoke(main, ["summary", "--warehouse", url, "--month-from", "2017-01"])
    assert refused.exit_code == 2 and "--exact" in refused.output and "whole periods" in refused.output
    assert "Traceback" not in refused.output
    shown = CliRunner().invoke(main, ["summary", "--warehouse", url, "--force", "ELMSHIRE", "--period", "pilot"])
    doc = json.loads(shown.output)
    assert doc["periods"]["baseline"]["children"] == 0 and doc["periods"]["pilot"]["children"] != 0
    exact = CliRunner().invoke(main, ["summary", "--warehouse", url, "--exact", "--month-from", "2017-01"])
    assert exact.exit_code == 0, exact.output


def _ids(component, found=None):
    found = {} if found is None else found
    if getattr(component, "id", None):
        found[component.id] = component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if hasattr(child, "to_plotly_json"):
            _ids(child, found)
    return found


def _hidden_ancestor(component, target: str, hidden=False) -> bool | None:
    if getattr(component, "id", None) == target:
        return hidden
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if hasattr(child, "to_plotly_json"):
            found = _hidden_ancestor(child, target, hidden or bool(getattr(child, "hidden", False)))
            if found is not None:
                return found
    return None


def test_the_filter_bar_offers_whole_periods_and_ranges_only_with_exact_figures():
    years = ["2016-17", "2017-18"]
    bar = filter_bar(Filters(), [("ELMSHIRE", "Elmshire")], [], years, ranges=False)
    period = _ids(bar)["filter-period"]
    assert [o["value"] for o in period.options] == ["", "baseline", "pilot", *years]
    assert _hidden_ancestor(bar, "filter-month-from") is True
    assert _hidden_ancestor(filter_bar(Filters(), [], [], years, ranges=True), "filter-month-from") is False
    assert PUBLICATION.marking is None and INTERNAL.marking  # what the page passes as ``ranges``
