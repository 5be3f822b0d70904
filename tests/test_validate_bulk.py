"""The loader's bulk checks agree with the one-value-at-a-time checks they stand in for."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harbour.etl.cells import IDENT, identifying, local_datetimes, plain_identifier
from harbour.etl.parse import SkippedHour, parse_datetime

# Identifier-like text, weighted towards the shapes the identifying patterns look for.
_pieces = st.sampled_from(
    [
        "ELM-C",
        "P",
        "-",
        "/",
        ".",
        "_",
        "A",
        "AB",
        "SW1A",
        "1AA",
        "07",
        "+44",
        "0",
        "1",
        "9",
        "2017",
        "12",
        "31",
        "X",
        "K",
        "LHR/",
        "B1234567",
        "@",
        " ",
        "é",
    ]
)
identifiers = st.lists(
    st.one_of(
        _pieces,
        st.text("0123456789", min_size=1, max_size=11),
        st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=8,
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(identifiers)
def test_an_identifier_is_plain_exactly_when_the_full_checks_pass(value):
    passes = bool(IDENT.match(value)) and identifying(value, True) is None
    if sum(c in "0123456789" for c in value) < 10:
        assert plain_identifier(value) == passes
    else:  # could be a phone number: always left to the full check
        assert not plain_identifier(value)


@pytest.mark.parametrize(
    "value",
    [
        "SW1A1AA",
        "B1234567",
        "LHR/123",
        "07700900123",
        "ID-2017-08-01",
        "ID-01.02.2017",
        "+447700900123",
        "X-0-7-7-0-0-9-0-0-1-2-3",
    ],
)
def test_identifying_identifiers_are_never_plain(value):
    assert not plain_identifier(value)


@pytest.mark.parametrize("value", ["ELM-C00001", "P-1/2", "C.17", "0123456789"])
def test_ordinary_identifiers_are_plain(value):
    assert plain_identifier(value) == (identifying(value, True) is None)
    assert plain_identifier("ELM-C00001")


def _one_at_a_time(text):
    try:
        moment = parse_datetime(text)
    except (ValueError, SkippedHour):
        return None
    return moment if moment >= datetime(2000, 1, 1) else None


moments = st.datetimes(min_value=datetime(1999, 12, 30), max_value=datetime(2030, 12, 31))
texts = st.one_of(
    moments.map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    moments.map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    st.from_regex(r"\A20[0-3]\d-[01]\d-[0-3]\d[T ][0-2]\d:[0-5]\d(:[0-6]\d)?\Z"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(texts, min_size=1, max_size=40))
def test_bulk_datetimes_equal_the_one_at_a_time_parser(values):
    bulk = local_datetimes(values)
    for text in values:
        if text in bulk:
            assert bulk[text] == _one_at_a_time(text)
        elif text.isascii():  # left to the full parser, which must then have a complaint
            assert _one_at_a_time(text) is None


@pytest.mark.parametrize("text", ["2000-0\u0661-01T00:00", "\u0662017-08-01", "2017-08-01T1\u0662:00"])
def test_digits_are_ascii_digits(text):
    with pytest.raises(ValueError):
        parse_datetime(text)
    assert local_datetimes([text]) == {}


def test_clock_change_hours_are_parsed_as_the_standard_says():
    # 2021-03-28 01:30 does not exist in the UK; 2021-10-31 01:30 happens twice (the earlier is taken).
    bulk = local_datetimes(["2021-03-28T01:30", "2021-10-31T01:30", "2021-10-31T02:30", "2021-07-01 12:00"])
    assert "2021-03-28T01:30" not in bulk
    assert bulk["2021-10-31T01:30"] == datetime(2021, 10, 31, 0, 30)
    assert bulk["2021-10-31T02:30"] == datetime(2021, 10, 31, 2, 30)
    assert bulk["2021-07-01 12:00"] == datetime(2021, 7, 1, 11, 0)
    assert bulk["2021-10-31T01:30"] + timedelta(hours=2) == bulk["2021-10-31T02:30"]
