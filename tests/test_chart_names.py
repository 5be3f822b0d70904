"""Untrusted names in the new charts (a bundle's force names on /attribution, an authority's name from a DfE
download on /missing): escaped wherever Plotly reads markup, never pasted into a hover template where '%{...}'
would be read as a variable."""

from __future__ import annotations

import json

import pytest

from .support import demo_copy

HOSTILE = "<b>Elm</b>%{y}&shire"


@pytest.fixture(scope="module")
def hostile_facts(tmp_path_factory):
    url = demo_copy(tmp_path_factory.mktemp("names"))
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts

    f = facts(engine_for(url))
    f.forces.loc[f.forces["force_code"] == "ELMSHIRE", "force_name"] = HOSTILE
    f.forces.loc[f.forces["force_code"] == "FENWICK", "force_name"] = HOSTILE + " 2"
    return f


def _traces(view) -> str:
    return json.dumps([p.figure for p in view.panels if p.figure is not None])


def test_force_names_on_the_attribution_charts_are_escaped(hostile_facts):
    from harbour.web.build import build_uncached

    drawn = _traces(build_uncached("/attribution", {"force": "ELMSHIRE"}, hostile_facts))
    assert "&lt;b&gt;Elm&lt;/b&gt;" in drawn and "<b>Elm" not in drawn
    figures = [
        p.figure for p in build_uncached("/attribution", {"force": "ELMSHIRE"}, hostile_facts).panels if p.figure
    ]
    for fig in figures:
        for trace in fig["data"]:
            assert "Elm" not in trace.get("hovertemplate", ""), trace["hovertemplate"]


def test_an_authority_name_from_a_download_is_escaped_on_the_dfe_chart(hostile_facts, monkeypatch):
    from harbour.reference import dfe
    from harbour.web.build import build_uncached

    real = dfe.shipped()
    monkeypatch.setattr(
        dfe, "shipped", lambda: [{**r, "la_name": HOSTILE} if r["la_code"] == dfe.ENGLAND else r for r in real]
    )
    panel = next(p for p in build_uncached("/missing", {}, hostile_facts).panels if p.panel_id == "chart-dfe")
    drawn = json.dumps(panel.figure)
    assert "&lt;b&gt;Elm&lt;/b&gt;" in drawn and "<b>Elm" not in drawn
    assert all("Elm" not in t.get("hovertemplate", "") for t in panel.figure["data"])


def test_a_rate_that_is_c_leaves_a_c_on_the_headline_chart_not_a_silent_gap():
    """Found on the national overview under suppression: the pilot's share engaged within 24 hours was c, and the
    chart drew the baseline's dot alone, without a word. Now a "c" stands where the dot would, named in the legend."""
    from harbour.views.figures import headline_figure

    shown = {"rate": 0.4, "ci_low": 0.35, "ci_high": 0.45}
    hidden = {"rate": "c", "ci_low": "c", "ci_high": "c"}
    figure = headline_figure([{"label": "Engaged within 24 hours", "baseline": shown, "pilot": hidden}])
    marks = [t for t in figure["data"] if t.get("text") == ["c"]]
    assert len(marks) == 1 and marks[0]["x"] == ["Engaged within 24 hours"] and "c" in marks[0]["name"]
