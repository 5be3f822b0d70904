"""A pack's quarterly counts (pack version 2): published as the force publishes any count, withheld where
beside its baseline's own counts they would pin a count of 1 to 7; and which packs can serve attribution."""

from __future__ import annotations

import pandas as pd
import pytest

from harbour.exchange.comparisons import from_peers
from harbour.metrics.disclosure import PERTURBATION, SUPPRESSION, pack_quarters, pinned_parts, possible_counts
from harbour.metrics.perturbation import harbour_table


def test_possible_counts_are_every_count_the_table_could_have_published_as_it():
    table = harbour_table()
    for published in range(0, 15):
        could = {t for t in range(0, 25) for key in range(4096) if table.published(t, key) == published}
        assert set(possible_counts(published, PERTURBATION)) == could, published
    assert list(possible_counts("c", SUPPRESSION)) == list(range(1, 8))
    assert list(possible_counts(10, SUPPRESSION)) == [8, 9, 10, 11, 12]


def test_quarters_of_1_beside_a_small_total_are_pinned_and_otherwise_not():
    # Eight quarters each published as 1 (1 to 4 in truth) add up to at least 8; a total published as 5 is at most 8.
    assert pinned_parts([1] * 8, 5, PERTURBATION) == list(range(8))
    assert pinned_parts([1] * 8, 6, PERTURBATION) == []
    assert pinned_parts([1, 1, 20], 25, PERTURBATION) == []


def _sums(not_retained: list[int], at_risk: int = 30) -> pd.DataFrame:
    n = len(not_retained)
    return pd.DataFrame(
        {
            "quarter": [f"2016-Q{q % 4 + 1}" if q < 4 else f"2017-Q{q % 4 + 1}" for q in range(n)],
            "at_risk": [at_risk] * n,
            "not_retained": not_retained,
            "retained": [at_risk - m for m in not_retained],
            "at_risk_key": [7 * (q + 1) for q in range(n)],
            "not_retained_key": [11 * (q + 1) for q in range(n)],
        }
    )


def test_a_pack_withholds_quarters_that_would_pin_a_small_count():
    period = {"retention": {"28d": {"at_risk": 240, "not_retained": 5}}}
    rows, why = pack_quarters(_sums([1] * 8), PERTURBATION, period)
    assert rows is None and "give a small count away" in why
    period["retention"]["28d"]["not_retained"] = 12
    rows, why = pack_quarters(_sums([1] * 8), PERTURBATION, period)
    assert why is None and [r["not_retained"] for r in rows] == [1] * 8  # a 1 is always published as 1


def test_a_quarter_under_10_at_risk_is_c_under_perturbation_and_rounded_under_suppression():
    period = {"retention": {"28d": {"at_risk": 100, "not_retained": 20}}}
    rows, _ = pack_quarters(_sums([2, 3], at_risk=5), PERTURBATION, period)
    assert all(r["at_risk"] == "c" and r["not_retained"] == "c" for r in rows)
    rows, _ = pack_quarters(_sums([2, 12], at_risk=33), SUPPRESSION, {"retention": {"28d": {}}})
    assert rows == [
        {"quarter": "2016-Q1", "at_risk": 35, "not_retained": "c"},
        {"quarter": "2016-Q2", "at_risk": 35, "not_retained": 10},
    ]


def _peer(code, version=2, signer="k1", quarterly=None, note=None):
    pack = {
        "format": "harbour-benchmark-pack",
        "pack_version": version,
        "force": {"code": code, "name": f"{code} Police", "pilot_start": None, "baseline_start": "2016-01"},
        "summary": {"disclosure": PERTURBATION},
        "synthetic": True,
    }
    if version >= 2:
        pack["force"]["extract_date"] = "2018-07-31"
        pack["quarterly"] = quarterly
        pack["quarterly_note"] = note
    return {"pack": pack, "signer": signer, "force_name": f"{code} Police"}


def test_which_packs_serve_attribution_and_why_the_others_cannot(monkeypatch):
    import harbour.exchange.comparisons as comparisons

    monkeypatch.setattr(comparisons, "readable", lambda peers: (peers, []))  # the schema is tested elsewhere
    quarters = [
        {"quarter": "2016-Q1", "at_risk": 30, "not_retained": 4},
        {"quarter": "2016-Q2", "at_risk": "c", "not_retained": "c"},
    ]
    found = from_peers(
        [
            _peer("GOOD", quarterly=quarters),
            _peer("OLD", version=1),
            _peer("NOSIG", signer=None, quarterly=quarters),
            _peer("HELD", quarterly=None, note="withheld: it would give a small count away"),
            _peer("MINE", quarterly=quarters),
        ],
        own={"MINE"},
        fingerprints={"k1": "f" * 64},
    )
    assert [f.code for f in found.forces] == ["GOOD"] and found.forces[0].fingerprint == "f" * 64
    assert found.rows.to_dict("records")[0]["retained"] == 26 and len(found.rows) == 1  # the c quarter left out
    why = dict(found.unusable)
    assert "version 1" in why["OLD Police (OLD)"] and "benchmarking only" in why["OLD Police (OLD)"]
    assert "unsigned" in why["NOSIG Police (NOSIG)"] and "small count" in why["HELD Police (HELD)"]
    assert not any("MINE" in name for name in why)  # taken from its records, not a problem


def test_a_change_to_the_packs_held_makes_a_new_generation_and_attribution_is_worked_out_again(tmp_path):
    """Attribution is kept once per load and per pull: removing (or pulling) a pack changes the facts' generation,
    so the kept attribution is never served for packs no longer held."""
    from harbour.exchange.store import all_peers, remove
    from harbour.metrics.filters import Filters
    from harbour.views.context import attributed
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts

    from .support import demo_copy

    url = demo_copy(tmp_path)
    engine = engine_for(url)
    before = facts(engine)
    found, _ = attributed(before, Filters(force=("ELMSHIRE",)))
    assert found["comparators"] == 18
    peer = next(p for p in all_peers(engine) if p["force_code"] == "ASHCOMBE")
    remove(engine, peer["peer_id"])
    after = facts(engine)
    assert after.generation != before.generation and after.children is before.children  # the facts kept
    found, _ = attributed(after, Filters(force=("ELMSHIRE",)))
    assert found["comparators"] == 17 and "ASHCOMBE" not in found["comparator_forces"]


def test_a_hostile_packs_quarters_are_refused_naming_the_field():
    """A pack is another force's file: quarterly counts out of order, repeated, impossible, or of the wrong kind are
    refused by the schema, naming the field, before anything of them is stored or drawn."""
    import copy

    import pytest

    from harbour.exchange.schema import SchemaError, _quarters

    good = [  # counts that suppression too may publish (the schema holds a pack to its own method's rule)
        {"quarter": "2016-Q4", "at_risk": 20, "not_retained": 10},
        {"quarter": "2017-Q1", "at_risk": 25, "not_retained": 0},
    ]
    hostile = {
        "repeated": [good[0], good[0]],
        "out of order": [good[1], good[0]],
        "not a quarter": [{"quarter": "2016-Q5", "at_risk": 20, "not_retained": 3}],
        "more missing than at risk": [{"quarter": "2016-Q4", "at_risk": 10, "not_retained": 30}],
        "a huge count": [{"quarter": "2016-Q4", "at_risk": 10**30, "not_retained": 3}],
        "a word": [{"quarter": "2016-Q4", "at_risk": "false", "not_retained": 3}],
        "an unknown key": [{"quarter": "2016-Q4", "at_risk": 20, "not_retained": 3, "child_id": "X"}],
        "not a list": {"2016-Q4": 20},
        "too many": [
            {"quarter": f"{1900 + i // 4}-Q{i % 4 + 1}", "at_risk": 20, "not_retained": 3} for i in range(201)
        ],
    }
    for what, quarters in hostile.items():
        with pytest.raises(SchemaError) as caught:
            _quarters(copy.deepcopy(quarters), ("quarterly",))
        assert str(caught.value).startswith("quarterly"), what
    _quarters(good, ("quarterly",))  # the genuine one passes
    _quarters(None, ("quarterly",))  # and none (withheld) is allowed


def test_the_demo_exchanges_packs_are_kept_for_the_next_process(tmp_path, monkeypatch):
    """The exchange's packs are made once and kept in the view cache (as `harbour demo` keeps them): a second
    process (here: the memo of this one cleared) signs the kept packs without loading the 16 forces again, and they
    are the packs made the first time, figure for figure, each signed afresh by a key of its own."""
    from harbour.cli import _kept_for_this_code
    from harbour.etl import demo_exchange
    from harbour.exchange.store import all_peers
    from harbour.warehouse.engine import engine_for

    from .support import demo_copy

    monkeypatch.setenv("HARBOUR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(demo_exchange, "_made", {})
    first = demo_exchange.unsigned_packs(2017, "perturbation", _kept_for_this_code)
    monkeypatch.setattr(demo_exchange, "_made", {})  # as a new process finds it
    monkeypatch.setattr(demo_exchange, "_make_packs", lambda *_: pytest.fail("made again, not kept"))
    again = demo_exchange.unsigned_packs(2017, "perturbation", _kept_for_this_code)
    assert again == first and len(again) == 16
    url = demo_copy(tmp_path / "w", "pilot", "--no-exchange")
    assert demo_exchange.publish(engine_for(url), 2017, "perturbation", _kept_for_this_code) == 16
    held = {p["force_code"]: p for p in all_peers(engine_for(url))}
    assert sorted(held) == sorted(code for code, *_ in demo_exchange.EXCHANGE_FORCES)
    assert len({p["signer"] for p in held.values()}) == 16  # a key of its own each
