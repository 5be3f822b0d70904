"""Every surface agrees with every other: the summary document, the pages, the slides, the table files, the
chart's own labels and the benchmark pack, of both demos and of filtered views, in both audiences.

For each measure of the headline (28-day retention, the share engaged within 24 hours, the median hours to first
engagement, the children contacted, the missing episodes) the number each surface shows is read back from that
surface and compared with the summary document's, as `harbour summary` prints it, and with the band "at least L%"
computed here from the exact counts. It fails on the same measure, period and cohort with two numbers in one output,
on a published difference that is not the difference of its published rates, and on a filter shown as applied that
a view ignores without saying so."""

from __future__ import annotations

import csv
import io
import json
import math
import re

import pytest
from click.testing import CliRunner

from harbour.cli import main
from harbour.metrics.disclosure import INTERNAL, publication
from harbour.render import exports
from harbour.views.format import hours, num, pct
from harbour.web.build import build_uncached

from .support import built_demo

PAGES = ("/", "/retention", "/engagement", "/before-after", "/attribution", "/missing", "/value")


@pytest.fixture(scope="module", params=["pilot", "national"])
def demo(request, tmp_path_factory):
    url, f = built_demo(tmp_path_factory.mktemp("surfaces"), request.param)
    codes = list(f.forces["force_code"])
    queries = [{}, {"force": "ALL"}, {"force": codes[-1]}, {"sex": "M"}]
    return url, f, queries


@pytest.fixture(params=["perturbation", "suppression"])
def method(request, monkeypatch) -> str:
    """Both disclosure methods (docs/metrics.md version 4): the deployment's setting, for every surface."""
    monkeypatch.setenv("HARBOUR_DISCLOSURE", request.param)
    return request.param


def _summary(url: str, query: dict, exact: bool) -> dict:
    args = ["summary", "--warehouse", url] + (["--exact"] if exact else [])
    for key, value in query.items():
        args += [f"--{key.replace('_', '-')}", value]
    if "force" not in query:  # a page without a force is the lead force's; `harbour summary` pools them
        from harbour.metrics.filters import Filters, resolve
        from harbour.warehouse.current import current_facts

        args += ["--force", resolve(Filters.from_query(query), current_facts().forces).force[0]]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _band(exact: dict, period: str) -> str | None:
    """The band, from the exact counts, where the published rate is c only because 1 to 7 went missing."""
    h = exact["periods"][period]["retention"]["28d"]
    if h["at_risk"] >= 10 and 1 <= h["not_retained"] <= 7 and h["retained"] > 7:
        return f"at least {math.floor(100 * (h['at_risk'] - 7) / h['at_risk'])}%"
    return None


def _expected(doc: dict, exact: dict, audience) -> dict[str, tuple[str, str]]:
    """Each measure's (baseline, pilot) as a surface must show it."""
    out = {}
    rates = []
    for period in ("baseline", "pilot"):
        rate = doc["periods"][period]["retention"]["28d"]["rate"]
        rates.append(
            _band(exact, period)
            if rate == "c" and audience.method == "suppression" and not audience.exact and _band(exact, period)
            else pct(rate)
        )
    out["retention"] = tuple(rates)
    out["within"] = tuple(pct(doc["periods"][p]["engagement"]["within_24h"]["rate"]) for p in ("baseline", "pilot"))
    out["median"] = tuple(hours(doc["periods"][p]["engagement"]["median_hours"]) for p in ("baseline", "pilot"))
    out["children"] = tuple(num(doc["periods"][p]["children"]) for p in ("baseline", "pilot"))
    out["episodes"] = tuple(num(doc["periods"][p]["missing"]["episodes"]) for p in ("baseline", "pilot"))
    return out


def _row(view, panel_id: str, label: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    panel = next(p for p in view.panels if p.panel_id == panel_id)
    names = [str(n) for n in panel.table.names]
    for row in panel.table.display_rows():
        if row[0] == label:
            return tuple(row[names.index(c)] for c in columns)
    raise AssertionError(f"no row {label!r} in {panel_id}")


def _deck_text(views) -> str:
    from pptx import Presentation

    from harbour.render import slides

    with pytest.MonkeyPatch.context() as patch:
        from .support import blank_png

        patch.setattr("harbour.render.images.render", blank_png)
        deck = Presentation(io.BytesIO(slides.deck(views, "Surfaces")))
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [" | ".join(c.text for c in row.cells) for row in shape.table.rows]
        texts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(texts)


RETENTION_WORDS = re.compile(
    r"28-day retention(?: rose from| fell from|:) (c|at least \d+%|\d+%)"
    r"(?: before the pilot,| to) (c|at least \d+%|\d+%)"
)
MEDIAN_WORDS = re.compile(
    r"[Mm]edian time to first engagement(?: fell from| rose from|:) ([\d.]+ h|c)"
    r"(?: before the pilot,| to) ([\d.]+ h|c)"
)


def test_every_surface_shows_each_headline_measure_with_one_number(demo, method):
    url, f, queries = demo
    checked = sentences = 0
    for query in queries:
        exact = _summary(url, query, True)
        for audience in (publication(), INTERNAL):
            doc = exact if audience is INTERNAL else _summary(url, query, False)
            want = _expected(doc, exact, audience)
            views = {page: build_uncached(page, query, f, audience) for page in PAGES}
            where = (query, audience.name)
            overview = views["/"]
            if (
                query.get("force") == "ALL"
            ):  # the forces left out, having no scheme, are named in the scope or beside it
                for name in f.forces[f.forces["pilot_start"].isna()]["force_name"]:
                    assert name in overview.scope or any(name in n for n in overview.notices), (where, name)
            cards = {k["id"]: (k["baseline"], k["pilot"]) for k in overview.kpis}
            if any("Every figure of this view is c" in n for n in overview.notices):
                continue  # c throughout (tests/test_withheld_views.py)
            # The pages: the headline cards, the overview's table, each measure's own page.
            assert cards["kpi-retention"] == want["retention"], where
            assert cards["kpi-engagement"] == want["median"], where
            assert cards["kpi-children"] == want["children"], where
            assert cards["kpi-missing"] == want["episodes"], where
            assert (
                _row(overview, "overview-headline", "Retained 28 days after placement", ("Baseline", "Pilot"))
                == want["retention"]
            ), where
            assert (
                _row(overview, "overview-headline", "Engaged within 24 hours", ("Baseline", "Pilot")) == want["within"]
            ), where
            assert (
                _row(overview, "overview-headline", "Median hours to first engagement", ("Baseline", "Pilot"))
                == want["median"]
            ), where
            retention = views["/retention"]
            assert tuple(_row_period(retention, "28 days", p) for p in ("Baseline", "Pilot")) == want["retention"]
            # The curve's words give its value on a day its table holds, and the table's value; never at a horizon.
            km = next(p for p in retention.panels if p.panel_id == "chart-km")
            table = {row[0]: row for row in km.table.display_rows()}
            for period, value, day in re.findall(
                r"(Baseline|Pilot): the estimated share still in safe accommodation "
                r"is (\d+%) by day (\d+)",
                km.summary,
            ):
                column = 1 if period == "Baseline" else 5
                assert table[f"Day {day}"][column] == value, (where, period, day, value)
            engagement = views["/engagement"]
            assert (
                tuple(_row(engagement, "chart-engagement-quartiles", p, ("Median",))[0] for p in ("Baseline", "Pilot"))
                == want["median"]
            ), where
            assert (
                tuple(_row(engagement, "chart-engagement-within24", p, ("Share",))[0] for p in ("Baseline", "Pilot"))
                == want["within"]
            ), where
            assert (
                _row(views["/missing"], "chart-missing-outcomes", "Missing episodes", ("Baseline", "Pilot"))
                == want["episodes"]
            ), where
            # The slides: every sentence that names the measure says the same two numbers.
            text = _deck_text([views[p] for p in ("/", "/retention", "/engagement", "/missing")])
            for measure, words in (("retention", RETENTION_WORDS), ("median", MEDIAN_WORDS)):
                for found in words.findall(text):
                    assert found == want[measure], (where, measure, found)
                    sentences += 1
            # The table file: the retention table's CSV holds the same rates (as numbers, or its words).
            panel = next(p for p in retention.panels if p.panel_id == "chart-horizons")
            rows = list(csv.reader(io.StringIO(exports.to_csv(retention, panel).decode("utf-8-sig"))))
            for period, shown in zip(("Baseline", "Pilot"), want["retention"]):
                cell = next(r for r in rows if r[:2] == ["28 days", period])[3]
                assert (pct(float(cell)) if re.fullmatch(r"[\d.]+", cell) else cell) == shown, (where, period, cell)
            # The chart's own labels: a band is drawn labelled as the table words it.
            labels = [t for trace in panel.figure["data"] for t in trace.get("text") or []] if panel.figure else []
            for shown in want["retention"]:
                if shown.startswith("at least"):
                    assert f"≥{shown.removeprefix('at least ')}" in labels, (where, labels)
            checked += 1
    assert checked >= 6 and sentences >= checked  # the slides' sentences were found, and read


def _row_period(view, horizon: str, period: str) -> str:
    panel = next(p for p in view.panels if p.panel_id == "chart-horizons")
    for row in panel.table.display_rows():
        if row[0] == horizon and row[1] == period:
            return row[3]
    raise AssertionError((horizon, period))


def test_every_published_difference_is_the_difference_of_its_published_rates(demo, method):
    url, f, queries = demo
    for query in queries:
        doc = _summary(url, query, False)
        for label, diff in (doc["comparison"] or {}).get("retention", {}).items():
            b = doc["periods"]["baseline"]["retention"][label]["rate"]
            p = doc["periods"]["pilot"]["retention"][label]["rate"]
            if "c" in (b, p):  # a hidden share through its difference: 41% and +54 gave the c share, 95%
                assert diff["difference"] in ("c", None), (query, label, b, p, diff)
                assert diff["ci_low"] in ("c", None) and diff["p_value"] in ("c", None), (query, label, diff)
                continue
            if diff["difference"] == "c" or None in (b, p):
                continue
            assert round(diff["difference"] * 100) == round(p * 100) - round(b * 100), (query, label)
        within = (doc["comparison"] or {}).get("within_24h_difference")
        rates = [doc["periods"][name]["engagement"]["within_24h"]["rate"] for name in ("baseline", "pilot")]
        if within and "c" in rates:
            assert within["difference"] in ("c", None) and within["ci_low"] in ("c", None), (query, rates, within)
        view = build_uncached("/retention", query, f, publication())
        panel = next(p for p in view.panels if p.panel_id == "chart-horizons")
        rows = panel.table.display_rows()
        for i, row in enumerate(rows):
            if row[1] == "Difference (points)" and row[3] not in ("c", "–"):
                base, pilot = rows[i - 2][3], rows[i - 1][3]
                assert int(row[3]) == int(pilot.rstrip("%")) - int(base.rstrip("%")), (query, row)


def test_the_pack_carries_the_summary_that_the_pages_show(demo, tmp_path, method):
    url, f, _ = demo
    code = f.forces[f.forces["pilot_start"].notna()]["force_code"].iloc[0]
    runner = CliRunner()
    assert runner.invoke(main, ["benchmark", "keygen", "--force", code, "--out", str(tmp_path)]).exit_code == 0
    out = tmp_path / "pack.json"
    result = runner.invoke(
        main,
        [
            "benchmark",
            "export",
            "--force",
            code,
            "--out",
            str(out),
            "--key",
            str(tmp_path / f"{code}-private.pem"),
            "--warehouse",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    pack = json.loads(out.read_text())["summary"]
    doc = _summary(url, {"force": code}, False)
    for period in ("baseline", "pilot"):
        assert pack["periods"][period]["children"] == doc["periods"][period]["children"]
        assert pack["periods"][period]["retention"]["28d"] == doc["periods"][period]["retention"]["28d"]
        assert (
            pack["periods"][period]["engagement"]["median_hours"]
            == doc["periods"][period]["engagement"]["median_hours"]
        )


def test_a_filter_shown_as_applied_changes_the_view_or_the_view_says_it_does_not_apply(demo, method):
    """Each page with the filter bar, with one filter set against none: its figures differ, or a notice says which
    filter it does not apply (benchmarking), or its words say so (attribution's months)."""
    from harbour.pages.registry import REPORTS

    url, f, _ = demo
    lead = f.forces[f.forces["pilot_start"].notna()]["force_code"].iloc[0]
    for path, report in REPORTS.items():
        if not report.filtered or path == "/access-log":
            continue
        for extra in ({"sex": "M"}, {"age_band": "16-17"}, {"month_from": "2017-01", "month_to": "2017-12"}):
            plain = build_uncached(path, {"force": lead}, f, publication())
            narrowed = build_uncached(path, {"force": lead, **extra}, f, publication())
            same = [p.table.rows for p in plain.panels] == [p.table.rows for p in narrowed.panels]
            words = " ".join(narrowed.notices + [p.summary for p in narrowed.panels] + [narrowed.lead])
            said = "not applied" in words or "do not apply" in words or "months do not" in words
            assert not same or said, (path, extra)
