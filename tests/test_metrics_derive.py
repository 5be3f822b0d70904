"""Per-child facts derived at load, from hand-made bundles: events, exits, censoring."""

import pytest

from harbour.etl.load import load_bundle
from harbour.warehouse.queries import read_facts

from . import bundles


def _facts(engine, tmp_path, pseudonymiser, tables):
    load_bundle(engine, [bundles.write(tmp_path / "b", tables)], pseudonymiser)
    f = read_facts(engine)
    return f.children.set_index("child_key"), f.episodes


def test_the_first_missing_episode_after_placement_is_the_event(sqlite_engine, tmp_path, pseudonymiser):
    children, episodes = _facts(sqlite_engine, tmp_path, pseudonymiser, bundles.base())
    first = children.loc[pseudonymiser("AB-001")]
    assert first["period"] == "baseline" and bool(first["event"]) is True
    assert first["obs_hours"] == pytest.approx(47.0)  # placed 16:00 on the 10th, missing 15:00 on the 12th
    assert len(episodes) == 1 and episodes["duration_hours"].iloc[0] == pytest.approx(18.0)


def test_an_away_episode_is_not_an_event(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["missing_episodes"][0]["episode_type"] = "A"
    tables["placements"][0]["end_reason"] = "PLANNED_MOVE"
    children, episodes = _facts(sqlite_engine, tmp_path, pseudonymiser, tables)
    assert bool(children.loc[pseudonymiser("AB-001"), "event"]) is False
    assert episodes.empty


def test_a_missing_episode_before_placement_is_not_an_event(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["missing_episodes"][0].update(start_at="2017-01-10 11:00", end_at="2017-01-10 13:00")
    tables["placements"][0].update(end_reason="PLANNED_MOVE")
    children, episodes = _facts(sqlite_engine, tmp_path, pseudonymiser, tables)
    child = children.loc[pseudonymiser("AB-001")]
    assert bool(child["event"]) is False and episodes.empty


def test_an_exit_censors_follow_up_and_a_later_episode_is_not_an_event(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["placements"][0].update(end_at="2017-01-11 16:00", end_reason="TRANSFERRED_LA")  # 24 h after t0
    children, episodes = _facts(sqlite_engine, tmp_path, pseudonymiser, tables)
    child = children.loc[pseudonymiser("AB-001")]
    assert child["followup_hours"] == pytest.approx(24.0)
    assert bool(child["event"]) is False and child["obs_hours"] == pytest.approx(24.0)
    assert child["exit_reason"] == "TRANSFERRED_LA"
    assert episodes.empty  # the episode at 47 h is after t0 + C


def test_follow_up_is_cut_at_the_end_of_extract_date(sqlite_engine, tmp_path, pseudonymiser):
    children, _ = _facts(sqlite_engine, tmp_path, pseudonymiser, bundles.base())
    child = children.loc[pseudonymiser("AB-002")]
    # Placed 2017-09-01 20:00 BST (19:00 UTC); cut 2018-03-15 23:59:59.999 GMT.
    from datetime import datetime

    expected = (datetime(2018, 3, 15, 23, 59, 59, 999000) - datetime(2017, 9, 1, 19, 0)).total_seconds() / 3600
    assert child["followup_hours"] == pytest.approx(expected)
    assert child["period"] == "pilot"


def test_an_event_across_the_autumn_clock_change_is_measured_in_real_hours(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["contacts"][1].update(
        first_contact_at="2017-10-28 10:00",
        first_engagement_at="2017-10-28 11:00",
        pack_submitted_at="2017-10-28 12:00",
    )
    tables["placements"][1].update(start_at="2017-10-28 12:00")
    tables["missing_episodes"].append(
        {
            "episode_id": "M-2",
            "child_id": "AB-002",
            "force_code": "TESTSHIRE",
            "episode_type": "M",
            "start_at": "2017-10-29 11:00",
            "end_at": "",
        }
    )
    children, _ = _facts(sqlite_engine, tmp_path, pseudonymiser, tables)
    # 23 hours on the wall clock, 24 real hours: an event at exactly the 24-hour horizon.
    assert children.loc[pseudonymiser("AB-002"), "obs_hours"] == pytest.approx(24.0)
