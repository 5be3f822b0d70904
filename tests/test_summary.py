"""The summary document: its shape key for key, pooled forces, empty periods."""

import json
import re
from pathlib import Path

from datetime import date

import pandas as pd
import pytest
from click.testing import CliRunner

from cli import main
from metrics.summary import build_summary
from tests.facts import child, frame

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
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert CliRunner().invoke(main, ["demo", "--warehouse", url]).exit_code == 0
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
    doc = json.loads(CliRunner().invoke(main, ["summary", "--warehouse", demo_url]).output)
    assert doc["force"] is None and doc["extract_date"] is None
    assert doc["periods"]["baseline"]["start"] is None and doc["periods"]["pilot"]["end"] is None


def test_pooled_counts_are_the_sum_of_each_force_exactly(demo_url):
    runner = CliRunner()
    pooled = json.loads(runner.invoke(main, ["summary", "--exact", "--warehouse", demo_url]).output)
    from sqlalchemy import select

    from warehouse import schema
    from warehouse.engine import engine_for

    with engine_for(demo_url).connect() as conn:
        codes = conn.execute(select(schema.forces.c.force_code)).scalars().all()
    assert len(codes) == 6
    total = 0
    for code in codes:
        one = json.loads(runner.invoke(main, ["summary", "--exact", "--force", code, "--warehouse", demo_url]).output)
        total += one["periods"]["pilot"]["children"] + one["periods"]["baseline"]["children"]
    assert total == pooled["periods"]["pilot"]["children"] + pooled["periods"]["baseline"]["children"]


def test_a_period_without_children_has_zero_counts_and_null_measures():
    facts = frame(*[child(period="baseline") for _ in range(12)])
    forces = pd.DataFrame([{"force_code": "T", "pilot_start": None, "baseline_start": date(2017, 1, 1), "extract_date": date(2018, 1, 1),
                            "synthetic": False}])
    doc = build_summary(facts, pd.DataFrame(columns=["force_code", "child_key", "duration_hours", "harmed"]), forces, exact=True)
    pilot = doc["periods"]["pilot"]
    assert pilot["children"] == 0 and pilot["placed"] == 0
    assert pilot["retention"]["28d"]["rate"] is None and pilot["retention"]["28d"]["km"] is None
    assert pilot["engagement"]["median_hours"] is None and pilot["missing"]["episodes_per_child"] is None
    assert doc["comparison"] is None
    assert json.loads(json.dumps(doc)) == doc  # numbers are plain JSON numbers
