"""One bundle per rule of the data standard, each asserting its rule code."""

import pytest
from sqlalchemy import func, select

from harbour.etl.load import LoadRefused, load_bundle
from harbour.warehouse import schema

from . import bundles


def _load(engine, folder, pseudonymiser):
    return load_bundle(engine, [folder], pseudonymiser)


def _refused_with(engine, folder, pseudonymiser, rule):
    with pytest.raises(LoadRefused) as caught:
        _load(engine, folder, pseudonymiser)
    rules = {f.rule for f in caught.value.findings if f.is_error}
    assert rule in rules, caught.value.report()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.contacts)).scalar() == 0
    return caught.value


def test_base_bundle_is_valid(sqlite_engine, tmp_path, pseudonymiser):
    result = _load(sqlite_engine, bundles.write(tmp_path / "b", bundles.base()), pseudonymiser)
    assert result.outcome == "loaded"
    assert {w.rule for w in result.warnings} == set()


def test_e01_missing_file(sqlite_engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    (folder / "placements.csv").unlink()
    _refused_with(sqlite_engine, folder, pseudonymiser, "E01")


def test_e01_not_utf8(sqlite_engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    (folder / "contacts.csv").write_bytes("contact_id\nC-\xe9\n".encode("latin-1"))
    refusal = _refused_with(sqlite_engine, folder, pseudonymiser, "E01")
    assert any(f.file == "contacts.csv" and "UTF-8" in f.message for f in refusal.findings)


def test_e01_empty_file(sqlite_engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    (folder / "missing_episodes.csv").write_text("")
    _refused_with(sqlite_engine, folder, pseudonymiser, "E01")


def test_e01_truncated_quoted_field(sqlite_engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    text = (folder / "forces.csv").read_text()
    (folder / "forces.csv").write_text(text.rstrip("\n") + '\nXX,"Unterminated')
    _refused_with(sqlite_engine, folder, pseudonymiser, "E01")


def test_e01_file_over_size_limit(sqlite_engine, tmp_path, pseudonymiser, monkeypatch):
    monkeypatch.setenv("HARBOUR_MAX_FILE_MB", "0.0001")
    folder = bundles.write(tmp_path / "b", bundles.base())
    refusal = _refused_with(sqlite_engine, folder, pseudonymiser, "E01")
    assert any("over the limit" in f.message for f in refusal.findings)


def test_csv_with_byte_order_mark_loads(sqlite_engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    path = folder / "contacts.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert _load(sqlite_engine, folder, pseudonymiser).outcome == "loaded"


def test_e02_unknown_column(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["contacts"][0]["child_name"] = "someone"
    refusal = _refused_with(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser, "E02")
    assert "someone" not in refusal.report()


def test_e02_missing_required_column(sqlite_engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    lines = (folder / "forces.csv").read_text().splitlines()
    header = lines[0].split(",")
    keep = [i for i, h in enumerate(header) if h != "extract_date"]
    rewritten = [",".join(row.split(",")[i] for i in keep) for row in lines]
    (folder / "forces.csv").write_text("\n".join(rewritten) + "\n")
    _refused_with(sqlite_engine, folder, pseudonymiser, "E02")


def test_e02_column_twice_and_header_case_insensitive(sqlite_engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    lines = (folder / "forces.csv").read_text().splitlines()
    lines[0] = " FORCE_CODE ," + lines[0].split(",", 1)[1]
    (folder / "forces.csv").write_text("\n".join(lines) + "\n")
    assert _load(sqlite_engine, folder, pseudonymiser).outcome == "loaded"
    lines[0] = lines[0].replace("scheme_name", "force_name")
    (folder / "forces.csv").write_text("\n".join(lines) + "\n")
    _refused_with_any(sqlite_engine, folder, pseudonymiser, "E02")


def _refused_with_any(engine, folder, pseudonymiser, rule):
    with pytest.raises(LoadRefused) as caught:
        _load(engine, folder, pseudonymiser)
    assert rule in {f.rule for f in caught.value.findings}, caught.value.report()


def test_e03_required_value_blank(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["contacts"][1]["sex"] = "  "
    refusal = _refused_with(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser, "E03")
    finding = next(f for f in refusal.findings if f.rule == "E03")
    assert (finding.file, finding.row, finding.column) == ("contacts.csv", 3, "sex")


@pytest.mark.parametrize(
    "table, row, column, value",
    [
        ("contacts", 0, "nationality", "XXX"),
        ("contacts", 0, "first_contact_at", "01/31/2017 10:00"),  # month first: not allowed
        ("contacts", 0, "first_contact_at", "2017-03-26 01:30"),  # the skipped hour
        ("placements", 0, "placement_type", "Q9"),
        ("contacts", 0, "age_at_contact", "sixteen"),
        ("forces", 0, "pilot_start", "2017-02-30"),
    ],
)
def test_e04_value_does_not_parse(sqlite_engine, tmp_path, pseudonymiser, table, row, column, value):
    tables = bundles.base()
    tables[table][row][column] = value
    refusal = _refused_with(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser, "E04")
    assert any(f.column == column and f.rule == "E04" for f in refusal.findings)


@pytest.mark.parametrize(
    "table, column, value",
    [
        ("contacts", "age_at_contact", "18"),
        ("contacts", "first_contact_at", "1999-12-31 10:00"),
        ("missing_episodes", "end_at", "2018-03-16 00:30"),  # after the end of extract_date
    ],
)
def test_e05_value_out_of_range(sqlite_engine, tmp_path, pseudonymiser, table, column, value):
    tables = bundles.base()
    tables[table][0][column] = value
    _refused_with(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser, "E05")


def test_e05_last_instant_of_extract_date_is_allowed(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["missing_episodes"][0]["end_at"] = "2018-03-15 23:59:59"
    assert _load(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser).outcome == "loaded"


def test_e06_duplicate_child_id_after_normalisation(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["contacts"][1]["child_id"] = " ab-001 "
    refusal = _refused_with(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser, "E06")
    assert "AB-001" not in refusal.report() and "ab-001" not in refusal.report()


def test_e06_duplicate_placement_id(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["placements"][1]["placement_id"] = "P-1"
    _refused_with(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser, "E06")


def test_e07_unknown_force_and_orphan_child(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["placements"][0]["child_id"] = "NOBODY-1"
    tables["missing_episodes"][0]["force_code"] = "ELSEWHERE"
    refusal = _refused_with(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser, "E07")
    columns = {f.column for f in refusal.findings if f.rule == "E07"}
    assert columns == {"child_id", "force_code"}
    assert "NOBODY-1" not in refusal.report()


def test_e08_end_before_start_and_engagement_before_contact(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["placements"][0]["end_at"] = "2017-01-10 15:00"
    tables["contacts"][0]["first_engagement_at"] = "2017-01-10 09:59"
    refusal = _refused_with(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser, "E08")
    assert {f.column for f in refusal.findings if f.rule == "E08"} == {"end_at", "first_engagement_at"}


@pytest.mark.parametrize(
    "column, value, looks",
    [
        ("contact_id", "AL10 9AB", "postcode"),
        ("contact_id", "k1234567/2", "Home Office"),
        ("contact_id", "LHR/12345", "port"),
        ("contact_id", "07700900123", "phone"),
        ("contact_id", "C-2017-01-10", "date"),
        ("force_code", "x@example.org", "email"),
    ],
)
def test_e09_identifying_values_refused_and_never_echoed(sqlite_engine, tmp_path, pseudonymiser, column, value, looks):
    tables = bundles.base()
    tables["contacts"][0][column] = value
    refusal = _refused_with(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser, "E09")
    finding = next(f for f in refusal.findings if f.rule == "E09")
    assert looks.lower() in finding.message.lower()
    assert value not in refusal.report()


def test_e10_pack_completed_without_submission(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["contacts"][1]["pack_submitted_at"] = ""
    _refused_with(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser, "E10")


def test_e10_end_without_reason(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["placements"][0]["end_reason"] = ""
    _refused_with(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser, "E10")


def test_every_error_is_listed_not_just_the_first(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["contacts"][0]["sex"] = "X"
    tables["contacts"][1]["sex"] = "Q"
    tables["placements"][1]["placement_type"] = "Q9"
    with pytest.raises(LoadRefused) as caught:
        _load(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser)
    errors = [(f.file, f.row, f.column, f.rule) for f in caught.value.findings if f.is_error]
    assert errors == [
        ("contacts.csv", 2, "sex", "E04"),
        ("contacts.csv", 3, "sex", "E04"),
        ("placements.csv", 3, "placement_type", "E04"),
    ]
    report = caught.value.report()
    assert "contacts.csv (2):" in report and "row 2, column sex: E04" in report


def _warnings(engine, tables, tmp_path, pseudonymiser):
    result = _load(engine, bundles.write(tmp_path / "b", tables), pseudonymiser)
    return result.warnings


def test_w01_overlapping_placements(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["placements"].append(
        {
            "placement_id": "P-3",
            "child_id": "AB-002",
            "force_code": "TESTSHIRE",
            "start_at": "2017-09-05 10:00",
            "end_at": "",
            "placement_type": "K2",
        }
    )
    assert [w.rule for w in _warnings(sqlite_engine, tables, tmp_path, pseudonymiser)] == ["W01"]


def test_w02_overlapping_missing_episodes(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["missing_episodes"].append(
        {
            "episode_id": "M-2",
            "child_id": "AB-001",
            "force_code": "TESTSHIRE",
            "episode_type": "A",
            "start_at": "2017-01-13 08:00",
            "end_at": "2017-01-13 10:00",
        }
    )
    assert [w.rule for w in _warnings(sqlite_engine, tables, tmp_path, pseudonymiser)] == ["W02"]


def test_w03_ended_missing_without_episode(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["missing_episodes"][0]["start_at"] = "2017-01-14 17:00"  # 25 hours after the placement ended
    tables["missing_episodes"][0]["end_at"] = "2017-01-15 17:00"
    assert [w.rule for w in _warnings(sqlite_engine, tables, tmp_path, pseudonymiser)] == ["W03"]


def test_w04_contact_outside_both_periods(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["contacts"][0]["first_contact_at"] = "2016-07-31 23:00"  # before the default baseline start
    tables["contacts"][0]["first_engagement_at"] = "2016-08-01 10:00"
    assert [w.rule for w in _warnings(sqlite_engine, tables, tmp_path, pseudonymiser)] == ["W04"]


def test_w05_no_first_engagement(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["contacts"][0]["first_engagement_at"] = ""
    warnings = _warnings(sqlite_engine, tables, tmp_path, pseudonymiser)
    assert [(w.rule, w.row) for w in warnings] == [("W05", 2)]


def test_warnings_are_kept_with_the_load_record(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["contacts"][0]["first_engagement_at"] = ""
    result = _load(sqlite_engine, bundles.write(tmp_path / "b", tables), pseudonymiser)
    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(schema.load_warnings.c.rule, schema.load_warnings.c.batch_id)).all()
        batch = (
            conn.execute(select(schema.load_batches).where(schema.load_batches.c.batch_id == result.batch_id))
            .mappings()
            .one()
        )
    assert rows == [("W05", result.batch_id)]
    assert batch["warnings_count"] == 1 and batch["outcome"] == "loaded"
    assert batch["row_counts"] == {"forces": 1, "contacts": 2, "placements": 2, "missing_episodes": 1}
    assert len(batch["files"]) == 4 and all(len(f["sha256"]) == 64 for f in batch["files"])


def test_a_csv_cut_short_is_named_as_cut_and_nothing_cascades(sqlite_engine, tmp_path, pseudonymiser):
    """Found: a contacts.csv cut mid-row was reported as "'AGE' is not a route" and 463 errors in the other files
    (their children "not in contacts"). The cut is the one finding."""
    from click.testing import CliRunner

    from harbour.cli import main

    folder = tmp_path / "demo"
    assert CliRunner().invoke(main, ["demo", "--out", str(folder)]).exit_code == 0
    data = (folder / "contacts.csv").read_bytes()
    middle = data.index(b"\n", len(data) // 2) + 40  # part of the way into a row
    (folder / "contacts.csv").write_bytes(data[:middle])
    refusal = _refused_with(sqlite_engine, folder, pseudonymiser, "E01")
    errors = [f for f in refusal.findings if f.is_error]
    assert len(errors) == 1 and errors[0].file == "contacts.csv" and "cut short" in errors[0].message, refusal.report()
    assert errors[0].row == data[:middle].count(b"\n") + 1


def test_a_csv_that_ends_inside_a_quoted_field_is_named_as_cut(sqlite_engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    text = (folder / "contacts.csv").read_text()
    (folder / "contacts.csv").write_text(text + 'C-3,"AB-003,TESTSHIRE')
    refusal = _refused_with(sqlite_engine, folder, pseudonymiser, "E01")
    assert any(f.file == "contacts.csv" and "ends inside a quoted field" in f.message for f in refusal.findings)


def test_a_last_row_without_a_line_break_but_whole_still_loads(sqlite_engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    path = folder / "missing_episodes.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\r\n"))
    assert _load(sqlite_engine, folder, pseudonymiser).outcome == "loaded"
