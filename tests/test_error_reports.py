"""Errors that lead with their cause: a file saved the wrong way gets one error naming the cause and the
fix, with no cascade of row errors from it or into the other files, which are still checked."""

import csv

import pytest
from click.testing import CliRunner

from harbour.cli import main
from harbour.etl.load import LoadRefused, load_bundle

from . import bundles

KEY = "k" * 40


@pytest.fixture
def engine(tmp_path):
    from harbour.warehouse.engine import ensure_schema, make_engine

    e = make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    ensure_schema(e)
    return e


@pytest.fixture
def pseudonymiser():
    from harbour.etl.pseudonymise import Pseudonymiser

    return Pseudonymiser(KEY.encode())


def refused(engine, folder, pseudonymiser) -> LoadRefused:
    with pytest.raises(LoadRefused) as caught:
        load_bundle(engine, [folder], pseudonymiser)
    return caught.value


def errors(exc: LoadRefused):
    return [f for f in exc.findings if f.is_error]


def test_a_semicolon_separated_file_is_one_error_with_the_fix_and_nothing_cascades(engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    path = folder / "forces.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    exc = refused(engine, folder, pseudonymiser)
    first = exc.report().splitlines()[0]
    assert "forces.csv" in first and "semicolon-separated" in first and "CSV UTF-8" in first
    assert [(f.file, f.rule) for f in errors(exc)] == [("forces.csv", "E01")]  # no E07 in contacts, placements...


def test_a_windows_cp1252_file_is_one_error_with_the_fix(engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["forces"][0]["force_name"] = "Gwent Police – Heddlu Gwent"  # an en dash, as Word and Excel type it
    folder = bundles.write(tmp_path / "b", tables)
    path = folder / "forces.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    exc = refused(engine, folder, pseudonymiser)
    first = exc.report().splitlines()[0]
    assert "forces.csv" in first and "cp1252" in first and "CSV UTF-8" in first and "line 2" in first
    assert len(errors(exc)) == 1


def test_a_unicode_text_file_from_excel_is_named_as_such(engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    path = folder / "contacts.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    exc = refused(engine, folder, pseudonymiser)
    assert "UTF-16" in exc.report().splitlines()[0]
    assert [(f.file, f.rule) for f in errors(exc)] == [("contacts.csv", "E01")]


def test_a_renamed_header_is_one_error_that_suggests_the_name_and_the_rows_are_not_blamed(
    engine, tmp_path, pseudonymiser
):
    folder = bundles.write(tmp_path / "b", bundles.base())
    path = folder / "contacts.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("child_id", "Child ID", 1), encoding="utf-8")
    exc = refused(engine, folder, pseudonymiser)
    first = exc.report().splitlines()[0]
    assert "contacts.csv row 1, column child_id" in first and "did you mean 'child id'" in first.lower()
    assert "Rename that header to child_id" in first
    # One error: not an unknown 'Child ID' as well, and no placement or episode blamed for a child not in contacts.
    assert [(f.file, f.rule) for f in errors(exc)] == [("contacts.csv", "E02")]


def test_a_missing_required_column_with_no_likely_rename_says_the_rows_were_not_checked(
    engine, tmp_path, pseudonymiser
):
    tables = bundles.base()
    for row in tables["placements"]:
        row["accommodation"] = row.pop("placement_type")
    folder = bundles.write(tmp_path / "b", tables)
    path = folder / "placements.csv"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("placement_type,", "", 1)
        .replace(",K2,", ",", 1)
        .replace(",U1,", ",", 1),
        encoding="utf-8",
    )
    exc = refused(engine, folder, pseudonymiser)
    found = [(f.file, f.rule, f.column) for f in errors(exc)]
    assert ("placements.csv", "E02", "placement_type") in found
    assert all(f.row == 1 for f in errors(exc))  # header problems only, no row of the file blamed


def test_other_files_are_still_checked(engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["missing_episodes"][0]["episode_type"] = "Q"
    folder = bundles.write(tmp_path / "b", tables)
    path = folder / "forces.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    exc = refused(engine, folder, pseudonymiser)
    found = [(f.file, f.row, f.rule) for f in errors(exc)]
    assert found == [("forces.csv", None, "E01"), ("missing_episodes.csv", 2, "E04")]
    report = exc.report().splitlines()
    assert report[0].startswith("Refused: forces.csv: was saved semicolon-separated")
    assert report[-1] == (
        "By rule: E01 1 (the file cannot be read); E04 1 (a value does not parse as its type or is "
        "not in its code list)"
    )


def test_the_report_follows_the_standards_file_order_whole_file_problems_first(engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["placements"][0]["placement_type"] = "ZZ"
    tables["contacts"][1]["sex"] = "Q"
    tables["forces"][0]["force_name"] = ""
    folder = bundles.write(tmp_path / "b", tables, extra_columns={"missing_episodes": ["notes"]})
    exc = refused(engine, folder, pseudonymiser)
    headings = [line.split(" (")[0] for line in exc.report().splitlines()[1:] if not line.startswith(("  ", "By rule"))]
    assert headings == ["forces.csv", "contacts.csv", "placements.csv", "missing_episodes.csv"]


@pytest.mark.parametrize("kind", ["bom", "excel"])
def test_a_byte_order_mark_and_excels_csv_utf8_load(engine, tmp_path, pseudonymiser, kind):
    tables = bundles.base()
    if kind == "excel":  # Excel's "CSV UTF-8": a byte-order mark, CRLF, and its own date-time style
        for row in tables["contacts"]:
            row["first_contact_at"] = (
                "/".join(reversed(row["first_contact_at"][:10].split("-"))) + row["first_contact_at"][10:]
            )
    folder = bundles.write(tmp_path / "b", tables)
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        if kind == "excel":
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        path.write_bytes(("\ufeff" + text).encode("utf-8"))
    result = load_bundle(engine, [folder], pseudonymiser)
    assert result.outcome == "loaded" and result.row_counts["contacts"] == 2


def test_the_report_is_also_a_csv_to_filter_with_no_identifier_in_it(tmp_path, monkeypatch):
    tables = bundles.base()
    tables["contacts"][1]["child_id"] = tables["contacts"][0]["child_id"]  # E06, the identifier not shown
    tables["placements"][0]["placement_type"] = '=HYPERLINK("x")'  # echoed, but never as a live formula
    folder = bundles.write(tmp_path / "b", tables)
    monkeypatch.setenv("HARBOUR_PSEUDONYM_KEY", KEY)
    out = tmp_path / "report.csv"
    result = CliRunner().invoke(
        main, ["load", str(folder), "--warehouse", f"sqlite:///{tmp_path / 'w.sqlite'}", "--report", str(out)]
    )
    assert result.exit_code == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0]) == ["file", "row", "column", "rule", "kind", "message"]
    assert {r["rule"] for r in rows if r["kind"] == "error"} >= {"E06", "E04"}
    text = out.read_text(encoding="utf-8-sig")
    assert "AB-001" not in text
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
