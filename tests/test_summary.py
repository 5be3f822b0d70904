"""The summary document: its shape key for key, pooled forces, empty periods."""

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from harbour.cli import main
from harbour.metrics.summary import build_summary

from .facts import child, frame
from .support import demo_copy

SPEC = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"


def _spec_example() -> dict:
    text = SPEC.read_text()
    block = re.search(r"```json\n(.*?)```", text, re.S).group(1)
    return json.loads(block)


def _keys(doc, prefix=""):
    out = set()
    for key, value in doc.items():
        out.add(prefix + key)
        if isinstance(value, dict) and value:
            out |= _keys(value, prefix + key + ".")
    return out


@pytest.fixture
def demo_url(tmp_path):
    url = demo_copy(tmp_path)
    return url


def test_the_document_has_the_spec_keys(demo_url):
    doc = json.loads(CliRunner().invoke(main, ["summary", "--force", "ELMSHIRE", "--warehouse", demo_url]).output)
    example = _spec_example()
    expected = _keys(example)
    # Every `{}` in the example has its first sibling's keys, and pilot has baseline's.
    got = _keys(doc) - {"synthetic"}
    for key in expected:
        assert key in got, key
    horizon_keys = set(example["periods"]["baseline"]["retention"]["24h"])
    for period in ("baseline", "pilot"):
        for label in ("24h", "72h", "7d", "28d", "90d"):
            assert set(doc["periods"][period]["retention"][label]) == horizon_keys
            assert set(doc["comparison"]["retention"][label]) == set(example["comparison"]["retention"]["24h"])
    assert set(doc["periods"]["pilot"]) == set(example["periods"]["baseline"])


def test_pooled_forces_have_null_dates(demo_url):
    doc = json.loads(CliRunner().invoke(main, ["summary", "--force", "ALL", "--warehouse", demo_url]).output)
    assert doc["force"] is None and doc["extract_date"] is None
    assert doc["periods"]["baseline"]["start"] is None and doc["periods"]["pilot"]["end"] is None


def test_pooled_counts_are_the_sum_of_each_force_with_a_scheme_exactly(demo_url):
    """Version 3: a comparison of several forces pools only those with a pilot_start ("children first contacted 460
    -> 165" weighed a force without a scheme on the baseline side only), and names both lists."""
    runner = CliRunner()
    pooled = json.loads(runner.invoke(main, ["summary", "--exact", "--force", "ALL", "--warehouse", demo_url]).output)
    from sqlalchemy import select

    from harbour.warehouse import schema
    from harbour.warehouse.engine import engine_for

    with engine_for(demo_url).connect() as conn:
        rows = conn.execute(select(schema.forces.c.force_code, schema.forces.c.pilot_start)).all()
    assert len(rows) == 6
    schemed = [code for code, start in rows if start is not None]
    without = [code for code, start in rows if start is None]
    assert without and schemed
    assert sorted(pooled["compared_forces"]) == sorted(schemed)
    assert sorted(pooled["forces_without_a_scheme"]) == sorted(without)
    for period in ("baseline", "pilot"):
        total = 0
        for code in schemed:
            one = json.loads(
                runner.invoke(main, ["summary", "--exact", "--force", code, "--warehouse", demo_url]).output
            )
            total += one["periods"][period]["children"]
        assert total == pooled["periods"][period]["children"], period
        with engine_for(demo_url).connect() as conn:  # and counted by hand, row by row
            facts = conn.execute(select(schema.child_facts.c.force_code, schema.child_facts.c.period)).all()
        assert sum(1 for code, p in facts if code in schemed and p == period) == total, period
    one_force = json.loads(
        runner.invoke(main, ["summary", "--exact", "--force", without[0], "--warehouse", demo_url]).output
    )
    assert "compared_forces" not in one_force and one_force["periods"]["pilot"]["children"] == 0


def test_a_period_without_children_has_zero_counts_and_null_measures():
    facts = frame(*[child(period="baseline") for _ in range(12)])
    forces = pd.DataFrame(
        [
            {
                "force_code": "T",
                "pilot_start": None,
                "baseline_start": date(2017, 1, 1),
                "extract_date": date(2018, 1, 1),
                "synthetic": False,
            }
        ]
    )
    doc = build_summary(
        facts, pd.DataFrame(columns=["force_code", "child_key", "duration_hours", "harmed"]), forces, exact=True
    )
    pilot = doc["periods"]["pilot"]
    assert pilot["children"] == 0 and pilot["placed"] == 0
    assert pilot["retention"]["28d"]["rate"] is None and pilot["retention"]["28d"]["km"] is None
    assert pilot["engagement"]["median_hours"] is None and pilot["missing"]["episodes_per_child"] is None
    assert doc["comparison"] is None
    assert json.loads(json.dumps(doc)) == doc  # numbers are plain JSON numbers


def test_the_all_forces_view_names_the_forces_it_leaves_out(demo_url):
    """Found: "All forces together" compared forces with a scheme against forces without. The view now says which
    forces it pools and which it leaves out, and its figures are those forces' alone (the exact summary's)."""
    from harbour.metrics.disclosure import INTERNAL
    from harbour.warehouse import current
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts
    from harbour.web.build import build_uncached

    current.use(demo_url)
    f = facts(engine_for(demo_url))
    without = f.forces[f.forces["pilot_start"].isna()]
    view = build_uncached("/retention", {"force": "ALL"}, f, INTERNAL)
    assert view.scope.startswith(f"{len(f.forces) - len(without)} forces with a scheme together (")
    for name in without["force_name"]:
        assert name in view.scope
    schemed = set(f.forces[f.forces["pilot_start"].notna()]["force_code"])
    placed = f.children[f.children["force_code"].isin(schemed) & f.children["placed"].astype(bool)]
    table = next(p for p in view.panels if p.panel_id == "chart-horizons").table
    at_risk_24h = {row[1]: row[2] for row in table.rows if row[0] == "24 hours" and row[1] in ("Baseline", "Pilot")}
    for period in ("baseline", "pilot"):  # at 24 hours: placed, and followed for 24 hours or gone missing by then
        mine = placed[placed["period"] == period]
        by_hand = int(((mine["event"].astype(bool) & (mine["obs_hours"] <= 24)) | (mine["followup_hours"] >= 24)).sum())
        assert at_risk_24h[period.title()] == by_hand, period
