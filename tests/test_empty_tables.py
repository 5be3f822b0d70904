"""A force where no child went missing loads (data standard, E01): a header with no rows is an empty table, valid for
missing_episodes and placements, and every page, slide, summary and pack copes with it. Forces and contacts still
need rows."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from harbour.cli import main
from harbour.etl.load import LoadRefused, load_bundle
from harbour.etl.pseudonymise import DEMO_KEY, Pseudonymiser
from harbour.warehouse.engine import engine_for
from harbour.web.inprocess import client, render

from . import bundles

EXITS = {"AGE_ASSESSED_ADULT", "TRANSFERRED_LA", "RETURNED_FAMILY", "REACHED_18"}


def _header_only(folder: Path, name: str) -> None:
    path = folder / f"{name}.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + "\n", encoding="utf-8")


def _at_risk_by_hand(folder: Path, hours: float) -> int:
    """Children followed for at least ``hours`` after their first placement (none went missing), counted from the
    bundle's own rows: follow-up ends at the extract date's end or at an exit (docs/metrics.md)."""
    forces = {r["force_code"]: r for r in csv.DictReader((folder / "forces.csv").open(encoding="utf-8"))}
    by_child: dict[tuple[str, str], list[dict]] = {}
    for row in csv.DictReader((folder / "placements.csv").open(encoding="utf-8")):
        by_child.setdefault((row["force_code"], row["child_id"]), []).append(row)
    counted = 0
    for (force, _), rows in by_child.items():
        t0 = min(datetime.fromisoformat(r["start_at"]) for r in rows)
        cut = datetime.fromisoformat(forces[force]["extract_date"]) + timedelta(days=1)
        last = max(rows, key=lambda r: datetime.fromisoformat(r["end_at"]) if r["end_at"] else cut)
        end = cut
        if last["end_reason"] in EXITS and last["end_at"]:
            end = min(cut, datetime.fromisoformat(last["end_at"]))
        counted += (end - t0).total_seconds() / 3600 >= hours
    return counted


def test_a_bundle_where_no_child_went_missing_loads_and_keeps_every_child_followed(sqlite_engine, tmp_path):
    folder = bundles.write(tmp_path / "b", bundles.base())
    _header_only(folder, "missing_episodes")
    # No placement may say it ended in a missing episode now: such a placement is open instead.
    rows = list(csv.DictReader((folder / "placements.csv").open(encoding="utf-8")))
    for row in rows:
        if row["end_reason"] == "MISSING":
            row["end_reason"], row["end_at"] = "", ""
    bundles.write(folder, {"placements": rows})
    result = load_bundle(sqlite_engine, [folder], Pseudonymiser(b"test-key-not-secret-but-long-enough"))
    assert result.outcome == "loaded" and "0 missing_episodes" in result.summary_line()
    url = str(sqlite_engine.url)
    doc = json.loads(CliRunner().invoke(main, ["summary", "--exact", "--warehouse", url]).output)
    for horizon, hours in (("24h", 24), ("72h", 72), ("7d", 168), ("28d", 672)):
        cells = [doc["periods"][p]["retention"][horizon] for p in ("baseline", "pilot")]
        assert sum(c["at_risk"] for c in cells) == _at_risk_by_hand(folder, hours), horizon
        for cell in cells:
            assert cell["not_retained"] == 0 and cell["retained"] == cell["at_risk"]
            assert cell["rate"] in (None, 1.0) and (cell["rate"] is None) == (cell["at_risk"] == 0)


def test_a_header_with_no_rows_is_still_refused_for_forces_and_contacts(sqlite_engine, tmp_path):
    for name in ("forces", "contacts"):
        folder = bundles.write(tmp_path / name, bundles.base())
        _header_only(folder, name)
        with pytest.raises(LoadRefused) as caught:
            load_bundle(sqlite_engine, [folder], Pseudonymiser(b"test-key-not-secret-but-long-enough"))
        assert any(
            f.rule == "E01" and f.file == f"{name}.csv" and "needs rows" in f.message for f in caught.value.findings
        ), caught.value.report()


@pytest.fixture(scope="module")
def no_missing_demo(tmp_path_factory):
    """The pilot demo with every missing episode taken out: its placements kept as they are."""
    folder = tmp_path_factory.mktemp("no-missing")
    assert CliRunner().invoke(main, ["demo", "--out", str(folder / "bundle")]).exit_code == 0
    _header_only(folder / "bundle", "missing_episodes")
    url = f"sqlite:///{folder / 'warehouse.sqlite'}"
    load_bundle(engine_for(url), [folder / "bundle"], Pseudonymiser(DEMO_KEY))
    return url, folder


def test_every_page_slide_summary_and_pack_copes_with_no_missing_episode(no_missing_demo):
    url, folder = no_missing_demo
    web = client(url)
    for search in ("", "?force=ALL", "?audience=internal", "?force=ELMSHIRE&sex=F"):
        for path in (
            "/",
            "/retention",
            "/engagement",
            "/before-after",
            "/attribution",
            "/missing",
            "/value",
            "/benchmark",
            "/methodology",
        ):
            status, body = render(web, path, search)
            assert status == 200 and b"Traceback" not in body and b"went wrong" not in body, (path, search)
    runner = CliRunner()
    for exact in ([], ["--exact"]):
        doc = json.loads(runner.invoke(main, ["summary", "--warehouse", url, *exact]).output)
        assert doc["periods"]["pilot"]["missing"]["episodes"] == 0
        assert doc["periods"]["pilot"]["retention"]["28d"]["rate"] == 1.0
    deck = folder / "deck.pptx"
    made = runner.invoke(main, ["slides", "--warehouse", url, "--out", str(deck)])
    assert made.exit_code == 0 and deck.stat().st_size > 10_000, made.output
    pack = folder / "pack.json"
    made = runner.invoke(
        main, ["benchmark", "export", "--force", "ELMSHIRE", "--unsigned", "--out", str(pack), "--warehouse", url]
    )
    assert made.exit_code == 0, made.output
    assert json.loads(pack.read_text())["force"]["code"] == "ELMSHIRE"
