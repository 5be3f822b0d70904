"""Every view of the pilot demo and the national demo tells one consistent story (metrics.md, version 2):
a published difference matches its two published rates within one point; no longer horizon shows a
higher rate than a shorter one on the same children; every figure in a panel's title is in its table."""

import math
import re

import pytest

from harbour.metrics.disclosure import INTERNAL, PUBLICATION, Audience, publication
from harbour.metrics.summary import build_summary
from harbour.views.model import Cell
from harbour.warehouse.engine import engine_for
from harbour.warehouse.queries import facts
from harbour.web.build import build

from .support import demo_copy

PAGES = ("/", "/retention", "/engagement", "/before-after", "/missing", "/value")
HORIZONS = ("24h", "72h", "7d", "28d", "90d")
# The figures of a title: a percentage, a signed difference, hours, pounds. Labels such as "28-day" or
# "95% interval" are not figures.
FIGURE = re.compile(
    r"[+\-−]?£[\d,]+(?:\.\d+)?|[+\-−]?\d+(?:\.\d+)?%(?! interval)|[+\-−]\d+(?:\.\d+)? points|\d+(?:\.\d+)? h\b"
)


@pytest.fixture(scope="module", params=["pilot", "national"])
def demo(request, tmp_path_factory):
    url = demo_copy(tmp_path_factory.mktemp("consistency"), request.param)
    f = facts(engine_for(url))
    codes = list(f.forces["force_code"])
    # Every force of the pilot demo; on the national demo all forces together and a spread of single forces.
    queries = [{}] + [{"force": c} for c in (codes if request.param == "pilot" else codes[::6])]
    queries += [{"force": codes[0], "sex": "M"}, {"force": codes[0], "age_band": "16-17"}]
    return f, queries


def _figures(text: str) -> list[str]:
    return [m.replace("−", "-").replace(" points", "") for m in FIGURE.findall(text)]


def test_every_figure_in_a_title_is_in_its_panels_table(demo):
    f, queries = demo
    for audience in (PUBLICATION, Audience("publication", method="perturbation"), INTERNAL):
        for query in queries:
            for path in PAGES:
                view = build(path, query, f, audience)
                for panel in view.panels:
                    cells = {c.replace("−", "-") for row in panel.table.display_rows() for c in row}
                    cells |= {c.replace(" h", "") + " h" for c in cells if c.endswith(" h")}
                    cells |= {c.removeprefix("at least ") for c in cells if c.startswith("at least ")}  # a band
                    for figure in _figures(panel.finding):
                        assert figure in cells, (audience.name, path, query, panel.finding, figure)


def test_every_published_difference_matches_its_two_published_rates(demo):
    f, queries = demo
    for query in queries:
        view = build("/retention", query, f)
        table = next(p.table for p in view.panels if p.table.table_id == "table-horizons")
        by_horizon = {}
        for row in table.rows:
            by_horizon.setdefault(row[0], {})[row[1]] = row[3].value if isinstance(row[3], Cell) else row[3]
        for horizon, values in by_horizon.items():
            b, p, d = values["Baseline"], values["Pilot"], values["Difference (points)"]
            if all(isinstance(v, float) for v in (b, p, d)):
                assert abs(round((p - b) * 100) - round(d * 100)) <= 1, (query, horizon, b, p, d)
        overview = build("/", query, f)
        row = overview.panels[0].table.rows[0]
        b, p, d = row[1], row[2], row[3].value
        if all(isinstance(v, float) for v in (b, p, d)):
            assert abs(round((p - b) * 100) - round(d * 100)) <= 1, (query, b, p, d)


def test_no_longer_horizon_shows_a_higher_rate_on_the_same_children(demo):
    f, queries = demo
    for query in queries:
        force = query.get("force")
        exact = build_summary(f.children, f.episodes, f.forces, force=force)["periods"]
        from harbour.metrics.filters import Filters

        filters = Filters.from_query({k: v for k, v in query.items() if k != "force"})
        exact = build_summary(f.children, f.episodes, f.forces, force=force, filters=filters, exact=True)["periods"]
        shown = build_summary(f.children, f.episodes, f.forces, force=force, filters=filters)["periods"]
        for period in ("baseline", "pilot"):
            for short, long in zip(HORIZONS, HORIZONS[1:]):
                same = exact[period]["retention"][short]["at_risk"] == exact[period]["retention"][long]["at_risk"] > 0
                a, b = shown[period]["retention"][short]["rate"], shown[period]["retention"][long]["rate"]
                if same and isinstance(a, float) and isinstance(b, float):
                    assert b <= a, (query, period, short, long, a, b)


def test_no_chart_is_drawn_around_fewer_than_three_points(demo):
    f, queries = demo
    for query in queries:
        for path in ("/before-after", "/engagement"):
            for panel in build(path, query, f).panels:
                if panel.figure is None or not panel.panel_id.startswith(("chart-spc", "chart-engagement-trend")):
                    continue
                markers = [t for t in panel.figure["data"] if "markers" in t.get("mode", "")]
                shown = sum(1 for t in markers for y in t["y"] if y is not None)
                assert shown >= 3, (path, query, panel.panel_id, shown)


def _months_of(period: dict) -> int | None:
    """Calendar months from a period's first to its last, both counted (from its dates, written here again)."""
    if not period.get("start") or not period.get("end"):
        return None
    (y0, m0), (y1, m1) = ((int(d[:4]), int(d[5:7])) for d in (period["start"], period["end"]))
    return (y1 - y0) * 12 + m1 - m0 + 1


def test_the_count_cards_change_is_the_difference_of_the_published_counts(demo):
    """'+5 children': the pilot's published count minus the baseline's, from the summary export."""
    from harbour.metrics.filters import Filters, resolve

    f, queries = demo
    for query in queries:
        filters = resolve(Filters.from_query(query), f.forces)  # as the page resolves them (the lead force by default)
        # The page's audience is the deployment's (HARBOUR_DISCLOSURE); the summary by the same method.
        doc = build_summary(f.children, f.episodes, f.forces, filters=filters, method=publication().method)["periods"]
        view = build("/", query, f)
        cards = {k["id"]: k for k in view.kpis}
        withheld = any("Every figure of this view is c" in n for n in view.notices)  # c throughout, said once
        for card, getter, unit in (
            ("kpi-children", lambda p: p["children"], "children"),
            ("kpi-missing", lambda p: p["missing"]["episodes"], "episodes"),
        ):
            b, p = getter(doc["baseline"]), getter(doc["pilot"])
            change = cards[card]["change"]
            months = [_months_of(doc[name]) for name in ("baseline", "pilot")]
            if isinstance(b, int) and isinstance(p, int) and None not in months and months[0] != months[1]:
                # Periods of different lengths: per 12 months, each rounded to the whole, halves up (version 4).
                yearly = [math.floor(n * 12 / m + 0.5) for n, m in zip((b, p), months)]
                words = (
                    f"no change a year in {unit}"
                    if yearly[0] == yearly[1]
                    else f"{yearly[1] - yearly[0]:+,} {unit} a year"
                )
                assert change == words, (query, card, change, yearly)
                assert (
                    f"{yearly[0]:,} a year before the pilot, {yearly[1]:,} a year during it" in cards[card]["sentence"]
                )
            elif isinstance(b, int) and isinstance(p, int):
                assert change == ("no change in " + unit if p == b else f"{p - b:+,} {unit}"), (query, card, change)
            else:
                assert change.startswith("not shown") or (withheld and change == "c"), (query, card, change)


def test_before_after_limits_stay_within_what_is_possible(demo):
    """XmR limits can fall below 0 or above 100%; the tables show them at that bound, as the charts draw them."""
    f, queries = demo
    for query in queries:
        for grain in ("quarter", "month"):
            view = build("/before-after", {**query, "grain": grain}, f, PUBLICATION)
            for panel in view.panels:
                if panel.figure is None:
                    continue
                names = panel.table.names
                kind = panel.table.columns[names.index("Lower limit")].kind
                for row in panel.table.rows:
                    for limit in (row[names.index("Lower limit")], row[names.index("Upper limit")]):
                        if limit is None:
                            continue
                        assert limit >= 0, (panel.panel_id, row)
                        if kind == "rate":
                            assert limit <= 1, (panel.panel_id, row)


def test_a_quarter_that_straddles_the_pilots_start_is_in_no_control_chart_segment(demo):
    """The national and pilot decks said "the quarters averaged 9.4 h" of a mean pulled up by the quarter of 1 August
    (part baseline, part pilot), counted in the pilot's segment. Now that quarter has no mean and no limits, and each
    segment's mean is the mean of its own quarters alone (computed here by hand from the table)."""
    f, queries = demo
    checked = 0
    for query in queries:
        force = query.get("force")
        if not force or force == "ALL":
            continue
        start = f.forces.set_index("force_code").at[force, "pilot_start"]
        if start is None or start.month in (1, 4, 7, 10) and start.day == 1:
            continue  # no scheme, or one that began with a quarter: nothing straddles
        view = build("/before-after", {**query, "grain": "quarter"}, f)
        for panel in view.panels:
            if panel.figure is None:
                continue
            rows = [[c.value if isinstance(c, Cell) else c for c in row] for row in panel.table.rows]
            straddling = f"Q{(start.month - 1) // 3 + 1} {start.year}"
            row = next((r for r in rows if r[0] == straddling), None)
            if row is None or not isinstance(row[1], (int, float)):
                continue  # not shown (too few children)
            assert row[2:5] == [None, None, None] and row[5] == "Straddles the pilot's start", (query, row)
            names = [r[0] for r in rows]
            before = [r for r in rows[: names.index(straddling)] if isinstance(r[2], (int, float))]
            after = [r for r in rows[names.index(straddling) + 1 :] if isinstance(r[2], (int, float))]
            for segment in (before, after):
                if segment:  # the shown values and mean are rounded: within a unit of their last decimal place
                    places = max(len(repr(float(r[1])).split(".")[1].rstrip("0")) for r in segment)
                    mean = sum(r[1] for r in segment) / len(segment)
                    assert all(abs(r[2] - mean) <= 0.6 * 10**-places + 1e-9 for r in segment), (query, segment)
            assert "straddles the pilot's start" in panel.summary
            checked += 1
    assert checked


def test_a_control_charts_title_says_what_it_shows_not_a_level(demo):
    """Version 4: "Median hours to first engagement: the quarters averaged 9.4 h" competed with the headline median
    of 5.1 h. A control chart's title names a shift or unusual points, never a level; the means are in its words,
    named for what they are."""
    f, queries = demo
    level = re.compile(r"\d+(\.\d+)? ?(h\b|%)|averaged")
    for query in queries:
        for panel in build("/before-after", query, f).panels:
            if panel.figure is None:
                continue
            assert not level.search(panel.finding), (query, panel.finding)
            assert "The mean of the" in panel.summary, (query, panel.summary)


def _screen_words(view) -> list[tuple[str, str]]:
    """(where, words) of everything a page or slide shows in large: its title and lead, the cards' titles, changes
    and sentences, each panel's title, finding (the slide title) and words, its table's caption and column names,
    and its chart's legend names and axis titles. Not the notes beneath a chart, nor the speaker notes."""
    out = [("title", view.title), ("lead", view.lead)]
    for card in getattr(view, "kpis", None) or []:
        out += [(f"card {card['id']}", str(card.get(k, ""))) for k in ("title", "change", "sentence")]
    for panel in view.panels:
        out += [(panel.panel_id, panel.title), (panel.panel_id, panel.finding), (panel.panel_id, panel.summary)]
        if panel.table is not None:
            out.append((panel.panel_id, panel.table.caption))
            out += [(panel.panel_id, c.name) for c in panel.table.columns]
        figure = panel.figure or {}
        out += [(panel.panel_id, str(t.get("name", ""))) for t in figure.get("data", [])]
        for axis in ("xaxis", "yaxis"):
            title = (figure.get("layout", {}).get(axis) or {}).get("title")
            out.append((panel.panel_id, str(title.get("text") if isinstance(title, dict) else title or "")))
    return out


def test_no_technical_name_is_on_the_screen(demo):
    """Version 4's vocabulary: "log-rank p", "Mann-Whitney U", "Newcombe's hybrid score", "XmR", "process limits",
    "trial limits", "14 special cause: lower", "quasi-binomial", "Power (%)" and "estimated survival" stood on cards,
    titles, legends and axes. Each page of each view, in every audience, says the plain words of views.vocabulary;
    the methodology page names both."""
    from harbour.views.vocabulary import ON_SCREEN_NEVER, TERMS

    f, queries = demo
    banned = re.compile("|".join(re.escape(t) for t in ON_SCREEN_NEVER), re.IGNORECASE)
    pages = ("/", "/retention", "/engagement", "/before-after", "/attribution", "/missing", "/value", "/benchmark")
    found = []
    for query in queries[:4]:
        for path in pages:
            for audience in (PUBLICATION, INTERNAL):
                view = build(path, query, f, audience)
                found += [(path, query, where, words) for where, words in _screen_words(view) if banned.search(words)]
    assert not found, found[:5]
    methodology = build("/methodology", {}, f)
    table = next(p.table for p in methodology.panels if p.panel_id == "method-vocabulary")
    assert [row[0] for row in table.rows] == [t[0] for t in TERMS]


def test_a_shift_at_the_pilots_start_is_said_where_the_pilots_points_run_on_one_side(demo):
    """The national deck's median hours fell from about 33 h to 5 h at the pilot's start, and the title said "no shift"
    (the pilot's mean lay inside the baseline's wide limits). Making Data Count recalculates limits at a sustained
    shift: 7 or more points in a row on one side of the old mean. Checked here from the table's own rows."""
    f, queries = demo
    said = 0
    for query in queries:
        for panel in build("/before-after", {**query, "grain": "quarter"}, f).panels:
            if panel.figure is None:
                continue
            rows = [[c.value if isinstance(c, Cell) else c for c in row] for row in panel.table.rows]
            means = [r[2] for r in rows if isinstance(r[2], (int, float))]
            if len(set(means)) != 2:
                continue  # one segment: no pilot start to shift at
            base_mean = means[0]
            after = [r for r in rows if isinstance(r[2], (int, float)) and r[2] != base_mean]
            sides = [1 if r[1] > base_mean else -1 if r[1] < base_mean else 0 for r in after[:7]]
            if len(sides) == 7 and len(set(sides)) == 1 and sides[0]:
                word = "higher" if sides[0] > 0 else "lower"
                assert f"{word} from the pilot's start" in panel.finding, (query, panel.finding)
                said += 1
    assert said or not any(q.get("force") == "F01" for q in queries)
