"""UK local times: to UTC on load, real elapsed hours, across both 2017 clock changes."""

from datetime import datetime

import pytest
from sqlalchemy import select

from harbour.etl.load import LoadRefused, load_bundle
from harbour.etl.parse import SkippedHour, parse_datetime
from harbour.warehouse import schema

from . import bundles


def test_summer_time_is_an_hour_ahead_of_utc():
    assert parse_datetime("2017-07-01 12:00") == datetime(2017, 7, 1, 11, 0)
    assert parse_datetime("01/07/2017 12:00:30") == datetime(2017, 7, 1, 11, 0, 30)


def test_explicit_offsets_are_honoured():
    assert parse_datetime("2017-07-01T12:00+02:00") == datetime(2017, 7, 1, 10, 0)
    assert parse_datetime("2017-07-01T12:00Z") == datetime(2017, 7, 1, 12, 0)


def test_the_skipped_hour_of_26_march_2017_does_not_exist():
    with pytest.raises(SkippedHour):
        parse_datetime("2017-03-26 01:30")
    assert parse_datetime("2017-03-26 00:59") == datetime(2017, 3, 26, 0, 59)
    assert parse_datetime("2017-03-26 02:00") == datetime(2017, 3, 26, 1, 0)


def test_the_repeated_hour_of_29_october_2017_is_the_earlier_instant():
    # 01:30 happens twice: first in BST (00:30 UTC), then in GMT (01:30 UTC).
    assert parse_datetime("2017-10-29 01:30") == datetime(2017, 10, 29, 0, 30)


def _engagement_hours(engine):
    with engine.connect() as conn:
        return dict(
            conn.execute(
                select(schema.contacts.c.contact_id, schema.child_facts.c.engagement_hours).join(
                    schema.child_facts, schema.child_facts.c.child_key == schema.contacts.c.child_key
                )
            ).all()
        )


def test_spans_across_clock_changes_are_real_elapsed_hours(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    # Spring: 00:30 to 03:30 on the wall clock is only 2 real hours.
    tables["contacts"][0]["first_contact_at"] = "2017-03-26 00:30"
    tables["contacts"][0]["first_engagement_at"] = "2017-03-26 03:30"
    tables["placements"][0]["start_at"] = "2017-03-26 04:00"
    tables["placements"][0]["end_at"] = "2017-03-28 04:00"
    tables["missing_episodes"][0]["start_at"] = "2017-03-28 03:00"
    tables["missing_episodes"][0]["end_at"] = "2017-03-28 09:00"
    # Autumn: 00:30 to 02:30 on the wall clock is 3 real hours.
    tables["contacts"][1]["first_contact_at"] = "2017-10-29 00:30"
    tables["contacts"][1]["first_engagement_at"] = "2017-10-29 02:30"
    tables["contacts"][1]["pack_submitted_at"] = "2017-10-29 03:00"
    tables["placements"][1]["start_at"] = "2017-10-29 04:00"
    load_bundle(sqlite_engine, [bundles.write(tmp_path / "b", tables)], pseudonymiser)
    assert _engagement_hours(sqlite_engine) == {"C-1": 2.0, "C-2": 3.0}


def test_a_contact_in_the_skipped_hour_is_refused_with_e04(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["placements"][0]["start_at"] = "2017-03-26 01:15"
    with pytest.raises(LoadRefused) as caught:
        load_bundle(sqlite_engine, [bundles.write(tmp_path / "b", tables)], pseudonymiser)
    finding = next(f for f in caught.value.findings if f.is_error)
    assert (finding.file, finding.row, finding.column, finding.rule) == ("placements.csv", 2, "start_at", "E04")
    assert "skipped" in finding.message
