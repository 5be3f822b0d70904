"""The DfE's published figures that ship with Harbour: rebuilt from the downloads (../shared/fixtures/dfe-cla,
present under CI) they are the shipped table byte for byte; figures checked by hand against the raw files, read
here with the csv module alone; and a damaged or unexpected download refused in one line, changing nothing."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from harbour.cli import main
from harbour.reference import dfe

from .support import require

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "dfe-cla"


@pytest.fixture(scope="module")
def downloads():
    require(FIXTURES.is_dir(), "the DfE downloads in ../shared/fixtures/dfe-cla")
    return FIXTURES


def raw(relative: str) -> list[dict]:
    with (FIXTURES / relative).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def shipped(la_code: str, year: int, measure: str) -> dict:
    found = [r for r in dfe.shipped() if (r["la_code"], r["year"], r["measure"]) == (la_code, year, measure)]
    assert len(found) == 1, (la_code, year, measure, found)
    return found[0]


def test_the_shipped_table_is_the_downloads_rebuilt(downloads, tmp_path):
    out = tmp_path / "rebuilt.csv"
    result = CliRunner().invoke(main, ["reference", "build", "--from", str(downloads), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == dfe.TABLE.read_bytes()
    assert out.with_suffix(".json").read_bytes() == dfe.PROVENANCE.read_bytes()


def test_the_provenance_names_every_file_with_its_checksum_and_the_licence(downloads):
    import hashlib

    meta = dfe.provenance()
    assert meta["licence"] == "Contains public sector information licensed under the Open Government Licence v3.0."
    for item in meta["files"]:
        assert item["sha256"] == hashlib.sha256((downloads / item["file"]).read_bytes()).hexdigest()
    assert len(meta["files"]) == len(list(downloads.rglob("*.csv")))


def _tidy(relative: str, la_name: str | None, year: str, group: str) -> str:
    rows = raw(relative)
    key = "cla_group" if "cla_group" in rows[0] else "CLA_group"
    level = "National" if la_name is None else "Local authority"
    hits = [
        r["number"]
        for r in rows
        if r["geographic_level"] == level
        and r["time_period"] == year
        and r[key] == group
        and (la_name is None or r["la_name"] == la_name)
    ]
    assert len(hits) == 1
    return hits[0]


LATER = "2020-2024/la_children_who_were_missing_or_away_from_placement_without_authorisation.csv"
EARLIER = "2018-2022/la_children_who_were_missing_or_away_from_placement_without_authorisation.csv"


def test_figures_by_hand_against_the_raw_files(downloads):
    # Hertfordshire's 165 of 1,328 in 2024.
    assert _tidy(LATER, "Hertfordshire", "2024", "Children who had a missing incident during the year") == "165"
    assert shipped("E10000015", 2024, "missing_children")["value"] == "165"
    assert _tidy(LATER, "Hertfordshire", "2024", "Children looked after during the year") == "1328"
    assert shipped("E10000015", 2024, "looked_after")["value"] == "1328"
    assert (
        shipped("E10000015", 2024, "missing_percent")["value"]
        == _tidy(LATER, "Hertfordshire", "2024", "Percentage of children who had a missing incident during the year")
        == "12"
    )
    # A c: Hertfordshire's children missing at 31 March 2024.
    assert _tidy(LATER, "Hertfordshire", "2024", "Children missing at 31 March") == "c"
    assert shipped("E10000015", 2024, "missing_31_march")["value"] == "c"
    # England's 7,380 unaccompanied children on 31 March 2024, and 80 of them missing that day.
    total = [
        r
        for r in raw("2020-2024/national_cla_on_31_march_who_were_unaccompanied_asylum_seeking_children.csv")
        if r["time_period"] == "2024" and r["characteristic"] == "Total" and r["cla_group"] == "Age group"
    ]
    assert [r["number"] for r in total] == ["7380"]
    assert shipped(dfe.ENGLAND, 2024, "uasc_looked_after_31_march")["value"] == "7380"
    assert shipped(dfe.ENGLAND, 2024, "uasc_missing_31_march")["value"] == "80"
    # An x in a 2016 file: Camden's children missing at 31 March.
    camden = [r for r in raw("2016/SFR41_Missing2016.csv") if r["New_geog_code"] == "E09000007"]
    assert camden[0]["CLA_Miss31Mar"] == "x" and shipped("E09000007", 2016, "missing_31_march")["value"] == "x"
    # A .. in 2017: Darlington's children away from placement at 31 March.
    darlington = [r for r in raw("2017/SFR50_Missing_2017.csv") if r["New_geog_code"] == "E06000005"]
    assert darlington[0]["Miss_Away_31Mar"] == ".." and shipped("E06000005", 2017, "away_31_march")["value"] == ".."
    # England in 2015 and 2017, from the old releases' own column names.
    assert shipped(dfe.ENGLAND, 2015, "missing_children")["value"] == "6110"
    assert shipped(dfe.ENGLAND, 2017, "missing_incidents")["value"] == "60720"
    # A year the later release revised: Devon's children who went missing in 2020, 110 then 112.
    group = "Children who had a missing incident during the year"
    assert _tidy(EARLIER, "Devon", "2020", group) == "110" and _tidy(LATER, "Devon", "2020", group) == "112"
    devon = shipped("E10000008", 2020, "missing_children")
    assert devon["value"] == "112" and devon["release"] == "2020-2024 release"
    # A year only the earlier release holds keeps it, and says so.
    assert shipped("E10000008", 2018, "missing_children")["release"] == "2018-2022 release"


def _damaged(downloads, tmp_path, change) -> Path:
    folder = tmp_path / "dfe"
    shutil.copytree(downloads, folder)
    change(folder)
    return folder


def _refused(folder: Path, tmp_path) -> str:
    out = tmp_path / "table.csv"
    out.write_text("as it was\n")
    result = CliRunner().invoke(main, ["reference", "build", "--from", str(folder), "--out", str(out)])
    assert result.exit_code == 1
    assert out.read_text() == "as it was\n" and not out.with_suffix(".json").exists()  # nothing changed
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_a_renamed_column_is_refused_in_one_line_naming_file_row_and_column(downloads, tmp_path):
    def rename(folder):
        path = folder / "2016" / "SFR41_Missing2016.csv"
        path.write_text(
            path.read_text(encoding="utf-8-sig").replace("CLA_MissIncs", "CLA_MissingIncidents", 1), encoding="utf-8"
        )

    line = _refused(_damaged(downloads, tmp_path, rename), tmp_path)
    assert "2016/SFR41_Missing2016.csv: row 1, column CLA_MissIncs: the column is missing" in line


def test_a_new_symbol_is_refused_in_one_line(downloads, tmp_path):
    def symbol(folder):
        path = folder / "2017" / "SFR50_Missing_2017.csv"
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        cells = lines[20].split(",")
        cells[5] = "~"
        lines[20] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    line = _refused(_damaged(downloads, tmp_path, symbol), tmp_path)
    assert (
        "2017/SFR50_Missing_2017.csv: row 21, column Miss_Miss_DuringYear: '~' is neither a number nor a symbol" in line
    )


def test_a_duplicate_year_is_refused_in_one_line(downloads, tmp_path):
    def duplicate(folder):
        shutil.copy(folder / "2016" / "SFR41_Missing2016.csv", folder / "2016" / "SFR41_Missing2016_again.csv")

    line = _refused(_damaged(downloads, tmp_path, duplicate), tmp_path)
    assert "the year 2016 is also in 2016/SFR41_Missing2016.csv, a file of the same release" in line


def test_an_unexpected_file_is_refused_in_one_line(downloads, tmp_path):
    def stranger(folder):
        (folder / "2016" / "notes.csv").write_text("what,is,this\n1,2,3\n")

    line = _refused(_damaged(downloads, tmp_path, stranger), tmp_path)
    assert "2016/notes.csv: row 1, column 1: not a DfE file Harbour knows" in line
