"""Placement outcomes from a local authority's SSDA903 return (data standard v2): the DfE validator's fake
returns (tests/fixtures/ssda903, MIT) in CSV and XML, hand-made returns for the episode rules, coverage,
W06, dropped identifying columns, day precision, and the demo round trip through both forms."""

import csv
import random
import shutil
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from defusedxml import ElementTree
from sqlalchemy import select, text

from harbour.cli import main
from harbour.etl.derive import derive_facts
from harbour.etl.extract import read_bundle
from harbour.etl.load import load_bundle
from harbour.etl.pseudonymise import Pseudonymiser
from harbour.etl.validate import validate
from harbour.metrics.retention import horizon_counts
from harbour.warehouse import schema
from harbour.warehouse.engine import ensure_schema, make_engine

from . import bundles

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ssda903"
LA = "E10000015"
KEY = b"k" * 40


def _uk(day: str) -> date:
    d, m, y = day.split("/")
    return date(int(y), int(m), int(d))


def _csv(name: str) -> list[dict]:
    with (FIXTURES / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _bundle(folder: Path, children: list[str], first_decom: dict[str, date], extra_contacts=()) -> Path:
    """A force's bundle whose contacts are the given children of the return (a pack for every other one)."""
    tables = bundles.base()
    tables["forces"][0].update(extract_date="2019-03-31", pilot_start="2017-01-01", baseline_start="2015-01-01")
    contacts = []
    for i, child in enumerate(children):
        day = first_decom.get(child, date(2017, 6, 1))
        contacts.append(
            {
                "contact_id": f"C-{i}",
                "child_id": f"CH-{i}",
                "force_code": "TESTSHIRE",
                "first_contact_at": f"{day.isoformat()} 08:00",
                "first_engagement_at": f"{day.isoformat()} 09:00",
                "pack_completed": "Y" if i % 2 == 0 else "N",
                "pack_submitted_at": f"{day.isoformat()} 10:00" if i % 2 == 0 else "",
                "age_at_contact": "16",
                "sex": "M",
                "nationality": "ERI",
                "contact_route": "PORT",
                "la_code": LA,
                "la_child_id": child,
            }
        )
    tables["contacts"] = contacts + list(extra_contacts)
    del tables["placements"], tables["missing_episodes"]
    return bundles.write(folder, tables)


def _engine(tmp_path, name="w.sqlite"):
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    ensure_schema(engine)
    return engine


def _merged_runs(episodes: list[dict]) -> int:
    """Placements by hand: an episode begins a new placement unless it follows an X1 the same day with RNE L."""
    by_child: dict[str, list[dict]] = {}
    for e in episodes:
        by_child.setdefault(e["CHILD"], []).append(e)
    n = 0
    for rows in by_child.values():
        rows.sort(key=lambda e: _uk(e["DECOM"]))
        for before, e in zip([None, *rows], rows):
            same_day = (
                before is not None and before["REC"] == "X1" and before["DEC"] and _uk(before["DEC"]) == _uk(e["DECOM"])
            )
            n += not (same_day and e["RNE"] == "L")
    return n


def test_the_dfe_fixture_csv_return_loads_its_unaccompanied_childrens_placements(tmp_path):
    episodes, uasc = _csv("episodes"), [r["CHILD"] for r in _csv("uasc")]
    first = {}
    for e in episodes:
        first[e["CHILD"]] = min(first.get(e["CHILD"], _uk(e["DECOM"])), _uk(e["DECOM"]))
    linked = uasc[:80]
    stranger = {
        **bundles.base()["contacts"][0],
        "contact_id": "C-X",
        "child_id": "CH-X",
        "la_code": LA,
        "la_child_id": "999999999",
        "first_contact_at": "2017-03-01 10:00",
        "first_engagement_at": "2017-03-01 11:00",
    }
    folder = _bundle(tmp_path / "b", linked, first, [stranger])
    shutil.copytree(FIXTURES, folder / "ssda903" / LA, ignore=shutil.ignore_patterns("*.xml", "*.md", "LICENSE"))
    engine = _engine(tmp_path)
    result = load_bundle(engine, [folder], Pseudonymiser(KEY))
    assert result.outcome == "loaded"
    mine = [e for e in episodes if e["CHILD"] in set(linked)]
    assert result.row_counts["placements"] == _merged_runs(mine)
    missing = [m for m in _csv("missing") if m["CHILD"] in set(linked)]
    assert result.row_counts["missing_episodes"] == len(missing)
    # W06: the contact whose la_child_id the return does not hold, and only that one.
    w06 = [w for w in result.warnings if w.rule == "W06"]
    assert [(w.file, w.row, w.column) for w in w06] == [("contacts.csv", len(linked) + 2, "la_child_id")]
    # Coverage: every unaccompanied child of the return, by month of first DECOM; contacts and packs by hand.
    with engine.connect() as conn:
        rows = conn.execute(select(schema.ssda903_coverage)).mappings().all()
        days = conn.execute(select(schema.day_precision)).mappings().all()
    expected = {}
    for child in uasc:
        month = first[child].strftime("%Y-%m") if child in first else "unknown"
        cell = expected.setdefault(month, [0, 0, 0])
        cell[0] += 1
        cell[1] += child in set(linked)
        cell[2] += child in set(linked) and linked.index(child) % 2 == 0
    assert {r["month"]: [r["uasc_children"], r["linked"], r["with_pack"]] for r in rows} == expected
    assert sum(r["uasc_children"] for r in rows) == 132
    assert [dict(d) for d in days] == [{"force_code": "TESTSHIRE", "la_codes": LA}]
    # The data-quality page's totals, against the hand count: published rounding (nearest 5) and the share
    # of children with a pack from the exact counts, to whole points.
    from harbour.warehouse import current
    from harbour.warehouse.queries import facts
    from harbour.web.build import build_uncached

    current.use(str(engine.url))
    panel = build_uncached("/data-quality", {}, facts(engine)).panels[0]
    assert panel.panel_id == "dq-coverage"
    n, k, w = (sum(cell[i] for cell in expected.values()) for i in range(3))
    total = next(r for r in panel.table.display_rows() if r[2] == "All quarters")
    assert total[3:] == [
        f"{5 * round(n / 5):,}",
        f"{5 * round(k / 5):,}",
        f"{5 * round(w / 5):,}",
        f"{int(100 * w / n + 0.5)}%",
    ]
    # Each quarter's row: the hand count's months added up by quarter, then published (c for 1 to 7).
    quarters = {}
    for month, cell in expected.items():
        key = (
            "No care episode in the return" if month == "unknown" else f"Q{(int(month[5:7]) - 1) // 3 + 1} {month[:4]}"
        )
        quarters[key] = [a + b for a, b in zip(quarters.get(key, [0, 0, 0]), cell)]

    def published(x):
        return "0" if x == 0 else "c" if x <= 7 else f"{5 * round(x / 5):,}"

    shown = {r[2]: r[3:6] for r in panel.table.display_rows() if r[2] != "All quarters"}
    assert shown == {q: [published(x) for x in cell] for q, cell in quarters.items()}


def test_identifying_columns_of_the_return_are_dropped_as_read(tmp_path):
    uasc = [r["CHILD"] for r in _csv("uasc")]
    folder = _bundle(tmp_path / "b", uasc, {})
    shutil.copytree(FIXTURES, folder / "ssda903" / LA, ignore=shutil.ignore_patterns("*.xml", "*.md", "LICENSE"))
    engine = _engine(tmp_path)
    out = CliRunner().invoke(
        main,
        ["load", str(folder), "--warehouse", str(engine.url), "--report", str(tmp_path / "report.csv")],
        env={"HARBOUR_PSEUDONYM_KEY": KEY.decode()},
    )
    assert out.exit_code == 0, out.output
    header = {r["CHILD"]: r for r in _csv("header")}
    episodes = [e for e in _csv("episodes") if e["CHILD"] in set(uasc)]
    secrets = {header[c]["UPN"] for c in uasc} | {header[c]["DOB"] for c in uasc}
    secrets |= {e[k] for e in episodes for k in ("HOME_POST", "PL_POST", "URN") if e[k]}
    secrets |= set(uasc)  # the CHILD references themselves are stored only as pseudonyms
    stored = (tmp_path / "w.sqlite").read_bytes()
    said = out.output + (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    summary = CliRunner().invoke(main, ["summary", "--warehouse", str(engine.url)]).output
    leaked = [s for s in secrets if len(s) >= 6 and (s.encode() in stored or s in said or s in summary)]
    assert leaked == []


def test_the_xml_form_of_the_return_loads_the_same_way(tmp_path):
    root = ElementTree.parse(FIXTURES / "fake_903.xml").getroot()
    uasc, episodes, missing, first = [], [], [], {}
    for child in root.findall("CHILD"):
        ident = child.find("HEADER").findtext("CHILDID")
        if child.find("HEADER").findtext("UASC") == "1":
            uasc.append(ident)
        for e in child.findall("EPISODE"):
            episodes.append(
                {
                    "CHILD": ident,
                    "DECOM": e.findtext("DECOM"),
                    "DEC": e.findtext("DEC") or "",
                    "REC": e.findtext("REC") or "",
                    "RNE": e.findtext("RNE"),
                }
            )
            first[ident] = min(first.get(ident, _uk(e.findtext("DECOM"))), _uk(e.findtext("DECOM")))
        missing += [ident for _ in child.find("HEADER").findall("AMISSING")]
    linked = [c for c in first][:40] + [c for c in uasc if c not in first][:1]
    folder = _bundle(tmp_path / "b", linked, first)
    (folder / "ssda903" / LA).mkdir(parents=True)
    shutil.copy(FIXTURES / "fake_903.xml", folder / "ssda903" / LA / "return.xml")
    engine = _engine(tmp_path)
    result = load_bundle(engine, [folder], Pseudonymiser(KEY))
    assert result.outcome == "loaded"
    assert result.row_counts["placements"] == _merged_runs([e for e in episodes if e["CHILD"] in set(linked)])
    assert result.row_counts["missing_episodes"] == sum(m in set(linked) for m in missing)
    with engine.connect() as conn:
        total = conn.execute(text("select sum(uasc_children) from ssda903_coverage")).scalar()
    assert total == len(uasc) == 12


def _return(folder: Path, episodes: list[list[str]], missing: list[list[str]], uasc: list[str]) -> None:
    target = folder / "ssda903" / LA
    target.mkdir(parents=True)
    tables = {
        "header": (["CHILD", "SEX", "DOB", "UPN"], [[c, "1", "01/01/2002", ""] for c in uasc]),
        "episodes": (
            [
                "CHILD",
                "DECOM",
                "RNE",
                "LS",
                "PLACE",
                "PLACE_PROVIDER",
                "DEC",
                "REC",
                "REASON_PLACE_CHANGE",
                "HOME_POST",
            ],
            episodes,
        ),
        "uasc": (["CHILD", "SEX", "DOB", "DUC"], [[c, "1", "01/01/2002", ""] for c in uasc]),
        "missing": (["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"], missing),
    }
    for name, (columns, rows) in tables.items():
        with (target / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(rows)


def test_x1_joins_end_reasons_and_missing_types(tmp_path):
    E = lambda *r: list(r)  # noqa: E731 - CHILD, DECOM, RNE, LS, PLACE, PROVIDER, DEC, REC, REASON, HOME_POST
    episodes = [
        E("100", "01/01/2018", "S", "V2", "U1", "PR1", "10/01/2018", "X1", "", "AB1 2CD"),
        E("100", "10/01/2018", "L", "C2", "U1", "PR1", "20/01/2018", "X1", "", ""),  # legal status only: goes on
        E("100", "20/01/2018", "P", "C2", "K2", "PR4", "05/02/2018", "E15", "CHILD", ""),  # a move the child asked for
        E("200", "2018-02-01", "S", "V2", "U3", "PR1", "2018-03-01", "X1", "", ""),  # ISO dates are read too
        E("200", "2018-03-01", "P", "V2", "U4", "PR1", "2018-04-01", "E3", "CARPL", ""),  # a planned move
        E("300", "01/03/2018", "S", "V2", "H5", "", "", "", "", ""),  # goes on at the extract
        E("400", "01/03/2018", "S", "V2", "A4", "PR1", "11/03/2018", "E13", "", ""),
    ]
    missing = [
        ["200", "", "M", "03/02/2018", "04/02/2018"],
        ["200", "", "A", "10/02/2018", ""],
        ["300", "", "M", "02/03/2018", "03/03/2018"],
    ]
    folder = _bundle(
        tmp_path / "b", ["100", "200", "300", "400"], {c: date(2018, 1, 1) for c in ("100", "200", "300", "400")}
    )
    _return(folder, episodes, missing, ["100", "200", "300", "400"])
    engine = _engine(tmp_path)
    result = load_bundle(engine, [folder], Pseudonymiser(KEY))
    assert result.outcome == "loaded"
    with engine.connect() as conn:
        t, m = schema.placements.c, schema.missing_episodes.c
        placements = conn.execute(
            select(t.placement_type, t.start_at, t.end_at, t.end_reason).order_by(t.start_at, t.placement_type)
        ).all()
        kinds = conn.execute(select(m.episode_type, m.start_at, m.end_at).order_by(m.start_at)).all()
    midnight = lambda d, hour=0: datetime(2018, d[1], d[0], hour)  # noqa: E731 - UK 00:00 as UTC (GMT then BST)
    assert [(t, s, e, r) for t, s, e, r in placements] == [
        ("U1", midnight((1, 1)), midnight((20, 1)), "UNPLANNED_MOVE"),
        ("K2", midnight((20, 1)), midnight((5, 2)), "AGE_ASSESSED_ADULT"),
        ("U3", midnight((1, 2)), midnight((1, 3)), "PLANNED_MOVE"),
        ("A4", midnight((1, 3)), midnight((11, 3)), "RETURNED_FAMILY"),
        ("H5", midnight((1, 3)), None, None),
        ("U4", midnight((1, 3)), datetime(2018, 3, 31, 23), "TRANSFERRED_LA"),  # 1 April 00:00 BST
    ]
    assert [k for k, _, _ in kinds] == ["M", "A", "M"]  # kept as sent
    assert kinds[1][2] is None


def test_a_bad_date_or_code_in_the_return_is_named_by_its_path_row_and_column(tmp_path):
    episodes = [
        ["100", "31/02/2018", "S", "V2", "U1", "PR1", "", "", "", ""],
        ["101", "01/02/2018", "Q", "V2", "ZZ", "PR1", "", "", "", ""],
    ]
    folder = _bundle(tmp_path / "b", ["100", "101"], {})
    _return(folder, episodes, [], ["100", "101"])
    from harbour.etl.load import LoadRefused

    with pytest.raises(LoadRefused) as caught:
        load_bundle(_engine(tmp_path), [folder], Pseudonymiser(KEY))
    found = [(f.file, f.row, f.column, f.rule) for f in caught.value.findings if f.is_error]
    where = f"ssda903/{LA}/episodes.csv"
    assert sorted(found) == [(where, 2, "DECOM", "E04"), (where, 3, "PLACE", "E04"), (where, 3, "RNE", "E04")]


def _children(n: int, seed: int = 3):
    """Exact times for n placed children: placement, perhaps a missing episode, perhaps an exit; daytime only,
    so that no time crosses a day with a clock change by more than an hour."""
    rng = random.Random(seed)
    extract = date(2019, 3, 31)
    rows = []
    for i in range(n):
        day = date(2017, 1, 1) + timedelta(days=rng.randrange(0, 800))
        t0 = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.uniform(6, 20))
        missing = (
            t0
            + timedelta(
                days=rng.choice([0, 0, 1, 2, 5, 6, 7, 8, 20, 27, 28, 29, 60, 89, 90, 91, 200]), hours=rng.uniform(1, 3)
            )
            if rng.random() < 0.6
            else None
        )
        exit_at = t0 + timedelta(days=rng.choice([3, 10, 40, 120])) if rng.random() < 0.3 else None
        if exit_at is not None and exit_at.date() > extract:
            exit_at = None
        rows.append((f"K{i}", t0, missing, exit_at))
    return rows, extract


def _facts(rows, extract, truncate: bool):
    tables = bundles.base()
    tables["forces"][0].update(extract_date=extract.isoformat(), pilot_start="2017-01-01", baseline_start="2016-01-01")
    fmt = (lambda t: t.strftime("%Y-%m-%d 00:00")) if truncate else (lambda t: t.strftime("%Y-%m-%d %H:%M"))
    tables["contacts"], tables["placements"], tables["missing_episodes"] = [], [], []
    for ident, t0, missing, exit_at in rows:
        contact = t0 - timedelta(hours=2)
        tables["contacts"].append(
            {
                **bundles.BASE["contacts"][0],
                "contact_id": f"C{ident}",
                "child_id": ident,
                "first_contact_at": contact.strftime("%Y-%m-%d %H:%M"),
                "first_engagement_at": "",
            }
        )
        tables["placements"].append(
            {
                "placement_id": f"P{ident}",
                "child_id": ident,
                "force_code": "TESTSHIRE",
                "start_at": fmt(t0),
                "end_at": fmt(exit_at) if exit_at else "",
                "placement_type": "U1",
                "provider": "",
                "end_reason": "TRANSFERRED_LA" if exit_at else "",
            }
        )
        if missing is not None and missing.date() <= extract:
            tables["missing_episodes"].append(
                {
                    "episode_id": f"M{ident}",
                    "child_id": ident,
                    "force_code": "TESTSHIRE",
                    "episode_type": "M",
                    "start_at": fmt(missing),
                    "end_at": "",
                }
            )
    folder = bundles.write(Path(tempfile.mkdtemp()) / "b", tables)
    valid = validate(read_bundle([folder]), Pseudonymiser(KEY))
    assert not valid.errors, valid.errors[:3]
    _, children, _ = derive_facts(
        valid.forces, valid.contacts, valid.placements, valid.episodes, day_forces={"TESTSHIRE"} if truncate else set()
    )
    return children


@pytest.mark.parametrize("days", [7, 28, 90])
def test_horizons_count_calendar_days_the_same_as_exact_times_away_from_boundary_days(days):
    rows, extract = _children(600)
    boundary = set()
    for ident, t0, missing, exit_at in rows:
        # An event, an exit or the extract's end on the horizon's own day can fall either side of it.
        for moment in (missing, exit_at):
            if moment is not None and (moment.date() - t0.date()).days == days:
                boundary.add(ident)
    kept = [r for r in rows if r[0] not in boundary]
    exact, to_the_day = _facts(kept, extract, False), _facts(kept, extract, True)
    hours = days * 24.0
    assert horizon_counts(exact, hours) == horizon_counts(to_the_day, hours)
    assert horizon_counts(exact, hours)["not_retained"] > 10  # the comparison has events in it
    # And the boundary children are what differs: with them, exact and day-precision figures may part.
    assert len(boundary) > 0


def test_the_demo_loads_to_the_same_placements_as_its_ssda903_return(tmp_path):
    out_tables, out_903 = tmp_path / "tables", tmp_path / "ssda903-form"
    assert CliRunner().invoke(main, ["demo", "--out", str(out_tables)]).exit_code == 0
    result = CliRunner().invoke(main, ["demo", "--out", str(out_903), "--placements", "ssda903"])
    assert result.exit_code == 0, result.output
    assert (out_903 / "ssda903").is_dir() and not (out_903 / "placements.csv").exists()
    loaded = []
    for name, folder in (("a", out_tables), ("b", out_903)):
        engine = _engine(tmp_path, f"{name}.sqlite")
        load_bundle(engine, [folder], Pseudonymiser(KEY))
        with engine.connect() as conn:
            p = pd.read_sql("select force_code, child_key, start_at, end_at, placement_type from placements", conn)
            m = pd.read_sql("select force_code, child_key, episode_type, start_at, end_at from missing_episodes", conn)
        loaded.append((p, m))

    def days(frame):
        frame = frame.copy()
        for column in ("start_at", "end_at"):
            moments = pd.to_datetime(frame[column])
            frame[column] = moments.dt.tz_localize("UTC").dt.tz_convert("Europe/London").dt.date.astype(str)
        return sorted(map(tuple, frame.astype(str).to_numpy()))

    (pa, ma), (pb, mb) = loaded
    assert len(pa) == len(pb) > 400 and len(ma) == len(mb) > 100
    assert days(pa) == days(pb)
    assert days(ma) == days(mb)


def test_an_xlsx_bundle_carries_the_return_as_sheets(tmp_path):
    from openpyxl import Workbook

    csv_folder = _bundle(tmp_path / "csv", ["100", "200"], {"100": date(2018, 1, 1), "200": date(2018, 1, 1)})
    _return(
        csv_folder,
        [
            ["100", "01/01/2018", "S", "V2", "U1", "PR1", "10/01/2018", "E3", "", "AB1 2CD"],
            ["200", "02/01/2018", "S", "V2", "K2", "PR1", "", "", "", ""],
        ],
        [["200", "", "M", "03/01/2018", "04/01/2018"]],
        ["100", "200"],
    )
    book = Workbook()
    book.remove(book.active)
    for path in [
        csv_folder / "forces.csv",
        csv_folder / "contacts.csv",
        *sorted((csv_folder / "ssda903" / LA).glob("*.csv")),
    ]:
        title = path.stem if path.parent == csv_folder else f"ssda903 {LA} {path.stem}"
        sheet = book.create_sheet(title)
        for row in csv.reader(path.open(encoding="utf-8")):
            sheet.append(row)
    (tmp_path / "x").mkdir()
    book.save(tmp_path / "x" / "bundle.xlsx")
    result = load_bundle(_engine(tmp_path), [tmp_path / "x" / "bundle.xlsx"], Pseudonymiser(KEY))
    assert result.outcome == "loaded"
    assert result.row_counts["placements"] == 2 and result.row_counts["missing_episodes"] == 1


def test_views_slides_and_table_files_say_a_force_is_known_to_the_day(tmp_path):
    from harbour.render.exports import sheet_rows
    from harbour.warehouse import current
    from harbour.warehouse.queries import facts
    from harbour.web.build import build_uncached

    folder = _bundle(tmp_path / "b", ["100", "200"], {"100": date(2018, 1, 1), "200": date(2018, 1, 1)})
    _return(
        folder,
        [
            ["100", "01/01/2018", "S", "V2", "U1", "PR1", "", "", "", ""],
            ["200", "02/01/2018", "S", "V2", "K2", "PR1", "", "", "", ""],
        ],
        [],
        ["100", "200"],
    )
    engine = _engine(tmp_path)
    load_bundle(engine, [folder], Pseudonymiser(KEY))
    current.use(str(engine.url))
    view = build_uncached("/retention", {}, facts(engine))
    assert any("known to the day" in n for n in view.notices)
    cells = [c[0] for row in sheet_rows(view, view.panels[0]) for c in row]
    assert any("known to the day" in str(c) for c in cells)


def test_a_link_to_a_return_needs_its_authority(tmp_path):
    from harbour.etl.load import LoadRefused

    folder = _bundle(tmp_path / "b", ["100"], {"100": date(2018, 1, 1)})
    path = folder / "contacts.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(LA, ""), encoding="utf-8")
    _return(folder, [["100", "01/01/2018", "S", "V2", "U1", "PR1", "", "", "", ""]], [], ["100"])
    with pytest.raises(LoadRefused) as caught:
        load_bundle(_engine(tmp_path), [folder], Pseudonymiser(KEY))
    assert [(f.file, f.row, f.column, f.rule) for f in caught.value.findings if f.is_error] == [
        ("contacts.csv", 2, "la_code", "E10")
    ]


def test_a_hostile_return_is_refused_in_one_line_each(tmp_path, monkeypatch):
    """An XML return with entities (a billion laughs), and a return file over the bundle's size limit."""
    from harbour.etl.load import LoadRefused

    folder = _bundle(tmp_path / "b", ["100"], {"100": date(2018, 1, 1)})
    target = folder / "ssda903" / LA
    target.mkdir(parents=True)
    (target / "return.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        "<EXPSSDA903><CHILD><HEADER><CHILDID>&b;</CHILDID></HEADER></CHILD></EXPSSDA903>"
    )
    with pytest.raises(LoadRefused) as caught:
        load_bundle(_engine(tmp_path), [folder], Pseudonymiser(KEY))
    errors = [(f.file, f.rule) for f in caught.value.findings if f.is_error]
    assert errors == [(f"ssda903/{LA}/return.xml", "E01")]
    (target / "return.xml").unlink()
    _return(folder.parent / "c", [["100", "01/01/2018", "S", "V2", "U1", "PR1", "", "", "", ""]], [], ["100"])
    shutil.copytree(folder.parent / "c" / "ssda903" / LA, target, dirs_exist_ok=True)
    monkeypatch.setenv("HARBOUR_MAX_FILE_MB", "0.0001")  # 100 bytes: the episodes table is over it
    with pytest.raises(LoadRefused) as caught:
        load_bundle(_engine(tmp_path, "w2.sqlite"), [folder], Pseudonymiser(KEY))
    over = [f for f in caught.value.findings if f.is_error and "over the limit" in f.message]
    assert f"ssda903/{LA}/episodes.csv" in {f.file for f in over}


def test_a_large_xml_return_is_streamed_within_a_memory_bound(tmp_path):
    """Found: a 5.8 MB XML return took 45 MB more memory, its whole tree held at once. Read as a stream, the
    reading holds the rows it keeps and little else: here a return of about 12 MB (the fixture's children
    repeated under new identifiers), whose peak while it was read stays within a quarter of the file's size above
    what the rows themselves hold afterwards."""
    import re
    import tracemalloc

    from harbour.etl.raw import RawBundle
    from harbour.etl.ssda903.read import Return, _read_xml

    text = (FIXTURES / "fake_903.xml").read_text(encoding="ascii")
    children = re.findall(r"<CHILD>.*?</CHILD>", text, re.S)
    path = tmp_path / "return.xml"
    with path.open("w", encoding="ascii") as out:
        out.write("<?xml version='1.0' encoding='us-ascii'?>\n<EXPSSDA903>")
        copies = 0
        while out.tell() < 12 * 2**20:
            for child in children:
                out.write(re.sub(r"<CHILDID>(\d+)</CHILDID>", rf"<CHILDID>\g<1>{copies:05d}</CHILDID>", child))
            copies += 1
        out.write("</EXPSSDA903>")
    size = path.stat().st_size
    data = path.read_bytes()
    expected = {"header": data.count(b"<CHILD>"), "episodes": data.count(b"<EPISODE>")}
    del data
    ret, bundle = Return(LA), RawBundle()
    tracemalloc.start()
    try:
        _read_xml(path, "return.xml", ret, bundle)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [f for f in bundle.findings if f.is_error] == []
    assert {name: len(ret.tables[name].rows) for name in expected} == expected
    assert peak - held < size / 4, (
        f"peak {peak / 2**20:.0f} MiB, {held / 2**20:.0f} MiB held, file {size / 2**20:.0f} MiB"
    )
