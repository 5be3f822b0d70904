"""Cell-key perturbation's mechanics (docs/metrics.md version 4), each against something computed apart from
Harbour's code:

- the ONS's own test case (../shared/fixtures/ons-ckp: records with keys, the ONS's table, and the perturbed table
  the ONS expects; from ONSdigital/cell-key-perturbation-R, MIT licence), reproduced cell by cell;
- the ONS's Python package (`cell-key-perturbation` on PyPI) run on Harbour's own table, as an independent
  implementation of the same method;
- record keys and cell keys written again here from the words of metrics.md, for a hand-made set of records;
- the table's own properties, read from the file and checked without Harbour's reader.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import random
from pathlib import Path

import pandas as pd
import pytest

from harbour.metrics.perturbation import (
    KEY_SPACE,
    PerturbationTable,
    cell_key,
    harbour_table,
    ons_table,
    read_ranges,
    record_key,
)

from .support import require

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ONS = SHARED / "fixtures" / "ons-ckp"
TABLE = ROOT / "docs" / "perturbation-table.csv"


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- The ONS's own test case -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ons_case():
    require(ONS.is_dir(), "the ONS's test case in ../shared/fixtures/ons-ckp")
    micro = pd.read_csv(ONS / "micro.csv", dtype={"var8": str})
    expected = pd.read_csv(ONS / "perturbed_table_var1_var5_var8.csv", dtype={"var8": str})
    return micro, expected, ons_table(_rows(ONS / "ptable_10_5_rule.csv"))


def test_harbours_mechanics_reproduce_every_cell_of_the_ons_test_case(ons_case):
    micro, expected, table = ons_case
    assert len(expected) == 200
    groups = {key: list(frame["record_key"]) for key, frame in micro.groupby(["var1", "var5", "var8"])}
    matched = 0
    for row in expected.itertuples():
        keys = groups.get((row.var1, row.var5, row.var8), [])
        assert len(keys) == row.rs_cv
        ckey = cell_key(keys, table.space)
        assert ckey == row.ckey
        assert table.noise(len(keys), ckey) == row.pvalue
        assert table.published(len(keys), ckey) == row.count
        matched += 1
    assert matched == 200


def test_the_ons_rule_for_counts_over_750_reuses_rows_501_to_750(ons_case):
    _, _, table = ons_case
    for count in (751, 1000, 1001, 12345):
        expected_row = ((count - 1) % 250) + 501
        for key in (0, 17, 255):
            assert table.noise(count, key) == table.noise(expected_row, key)


# --- The ONS's package on Harbour's table ------------------------------------------------------------------------


def _per_key_rows(largest: int) -> pd.DataFrame:
    """Harbour's table written out as the ONS's package reads one: a row for every pcv from 0 to ``largest`` and
    every key, a count of 4 or more taking row 4. Built from the CSV here, not by Harbour's reader."""
    spans = _rows(TABLE)
    out = []
    for pcv in range(largest + 1):
        row = min(pcv, 4)
        for span in spans:
            if int(span["pcv"]) == row:
                for key in range(int(span["ckey_from"]), int(span["ckey_to"]) + 1):
                    out.append((pcv, key, int(span["pvalue"])))
    return pd.DataFrame(out, columns=["pcv", "ckey", "pvalue"])


def test_the_ons_package_and_harbour_publish_the_same_counts_on_harbours_table():
    try:
        from cell_key_perturbation.create_perturbed_table import create_perturbed_table
    except ImportError:
        require(False, "cell-key-perturbation (the test extra)")
    rng = random.Random(2021)
    records = pd.DataFrame(
        {
            "record_key": [rng.randrange(KEY_SPACE) for _ in range(3000)],
            "area": [rng.choice("ABCDEFGHIJ") for _ in range(3000)],
            "band": [rng.choice(["0-12", "13-15", "16-17", "unknown"]) for _ in range(3000)],
            "sex": [rng.choice("MFU") for _ in range(3000)],
        }
    )
    sizes = records.groupby(["area", "band", "sex"]).size()
    ptable = _per_key_rows(int(sizes.max()))
    ons = create_perturbed_table(
        data=records, ptable=ptable, geog=["area"], tab_vars=["band", "sex"], record_key="record_key", threshold=0
    )
    ours = harbour_table()
    groups = {key: list(frame["record_key"]) for key, frame in records.groupby(["area", "band", "sex"])}
    compared = 0
    for row in ons.itertuples():
        keys = groups.get((row.area, row.band, row.sex), [])
        assert ours.published(len(keys), cell_key(keys)) == int(row.count)
        compared += 1
    assert compared == len(ons) >= 100
    assert any(int(row.count) != len(groups.get((row.area, row.band, row.sex), [])) for row in ons.itertuples())


# --- Record keys and cell keys, written again from metrics.md ------------------------------------------------------


def _key_by_hand(secret: bytes, text: str) -> int:
    digest = hmac.new(secret, text.encode("utf-8"), hashlib.sha256).digest()
    return ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) % 4096


def test_record_keys_and_cell_keys_as_metrics_md_says_for_a_hand_made_set_of_records():
    secret = b"a pseudonym key for this test only, long enough"
    children = [("ELMSHIRE", "ab" * 32), ("ELMSHIRE", "cd" * 32), ("FENWICK", "ef" * 32)]
    episodes = [("ELMSHIRE", "17"), ("ELMSHIRE", "18")]
    child_keys = [record_key(secret, "child", f, p) for f, p in children]
    episode_keys = [record_key(secret, "episode", f, e) for f, e in episodes]
    assert child_keys == [_key_by_hand(secret, f"harbour-record-key:child:{f}:{p}") for f, p in children]
    assert episode_keys == [_key_by_hand(secret, f"harbour-record-key:episode:{f}:{e}") for f, e in episodes]
    assert all(0 <= k < 4096 for k in child_keys + episode_keys)
    assert cell_key(child_keys[:2]) == (child_keys[0] + child_keys[1]) % 4096
    assert cell_key([]) == 0
    # Another key, other record keys: without the pseudonym key the noise cannot be known.
    assert [record_key(b"another key", "child", f, p) for f, p in children] != child_keys
    with pytest.raises(ValueError):
        record_key(secret, "placement", "ELMSHIRE", "1")


def test_a_cell_is_published_as_the_tables_row_for_its_count_and_key_says():
    """Looked up by hand in the CSV's rows: min(count, 4), then the range that holds the key."""
    spans = _rows(TABLE)
    table = harbour_table()
    for count, key in ((0, 123), (1, 4095), (2, 0), (2, 1881), (2, 1882), (3, 4095), (4, 72), (9, 73), (250, 2000)):
        row = next(
            s for s in spans if int(s["pcv"]) == min(count, 4) and int(s["ckey_from"]) <= key <= int(s["ckey_to"])
        )
        assert table.published(count, key) == count + int(row["pvalue"])


# --- The table's own properties ------------------------------------------------------------------------------------


def test_the_table_in_docs_is_the_shared_one():
    require((SHARED / "perturbation-table.csv").is_file(), "the project's shared/ folder beside the repository")
    assert TABLE.read_bytes() == (SHARED / "perturbation-table.csv").read_bytes()


def test_the_tables_noise_is_unbiased_small_keeps_zero_and_positive_and_has_variance_one_and_a_half():
    rows = _rows(TABLE)
    by_pcv: dict[int, dict[int, int]] = {}
    for row in rows:
        weights = by_pcv.setdefault(int(row["pcv"]), {})
        weights[int(row["pvalue"])] = (
            weights.get(int(row["pvalue"]), 0) + int(row["ckey_to"]) - int(row["ckey_from"]) + 1
        )
    assert sorted(by_pcv) == [0, 1, 2, 3, 4]
    for pcv, weights in by_pcv.items():
        assert sum(weights.values()) == 4096, pcv  # every key has exactly one noise
        mean = sum(v * w for v, w in weights.items()) / 4096
        variance = sum(w * (v - mean) ** 2 for v, w in weights.items()) / 4096
        assert abs(mean) <= 1 / 4096 + 1e-12, (pcv, mean)  # unbiased, to the table's resolution of keys
        assert all(abs(v) <= 3 for v in weights), pcv
        if pcv == 0:
            assert weights == {0: 4096}  # a 0 is always published as 0
        else:
            assert all(pcv + v >= 1 for v in weights), pcv  # a positive count is never published as 0
        if pcv == 4:
            assert abs(variance - 1.5) < 0.01, variance
    assert by_pcv[1] == {0: 4096}  # a 1 stays 1: unbiased and never below 1 leave it nothing else


def test_a_table_with_a_gap_or_an_overlap_is_refused():
    good = [{"pcv": 0, "ckey_from": 0, "ckey_to": 4095, "pvalue": 0}]
    assert read_ranges(good)
    with pytest.raises(ValueError):
        read_ranges([{"pcv": 0, "ckey_from": 0, "ckey_to": 4000, "pvalue": 0}])
    with pytest.raises(ValueError):
        read_ranges(
            [
                {"pcv": 0, "ckey_from": 0, "ckey_to": 2000, "pvalue": 0},
                {"pcv": 0, "ckey_from": 1999, "ckey_to": 4095, "pvalue": 1},
            ]
        )


def test_a_table_without_noise_publishes_every_count_as_it_is():
    """The attack's proof that it can fail rests on this: with no noise, the published count is the count."""
    flat = PerturbationTable({row: ((4095,), (0,)) for row in range(5)}, lambda c: min(c, 4))
    assert [flat.published(c, k) for c, k in ((3, 7), (5, 4095), (0, 0))] == [3, 5, 0]
