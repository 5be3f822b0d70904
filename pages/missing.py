"""Missing episodes: how many, how long, how they ended, and how soon after placement."""

from __future__ import annotations

from harbour.metrics.disclosure import SUPPRESSED, hidden_if, parts_of_a_total
from harbour.metrics.missing import (
    GRADES,
    cohort_episodes,
    first_missing_masks,
    first_missing_timing,
    grade_masks,
    interview_masks,
    missing_summary,
)
from harbour.metrics.perturbation import cell_of
from harbour.reference import dfe
from harbour.views import theme
from harbour.views.ask import Ask
from harbour.views.context import Context
from harbour.views.figures import grouped_bars
from harbour.views.format import hours, is_value, num, pct, plotly_text
from harbour.views.model import Cell, Panel, Table, View
from harbour.views.report import Report
from harbour.views.theme import figure, layout
from harbour.views.words import counts_compared

DEFINITION = (
    "Missing episodes: episodes of type M (whereabouts unknown) that start from the child's first placement "
    "to the end of follow-up, for placed children. 'Away' episodes (whereabouts known) are not counted."
)
CAVEAT = "What this does not show: where children went, or episodes that were never reported."


def view(ctx: Context) -> View:
    return ctx.view(
        "/missing",
        "Missing episodes",
        "Children who went missing from placement: how many times, for how long, how it ended, and how soon.",
        [_timing_panel(ctx), _outcomes_panel(ctx), dfe_panel(ctx)],
    )


def shielded(ctx: Context, name: str) -> bool:
    """Whether the period's missing figures are one small step from a wider view's (filters that cannot be
    subtracted), as the summary decides it (disclosure.shield_filters): its episodes per child are c then, and so are
    the shares of /missing for the period, which like it would pin the rounded counts on both sides of the step."""

    def counts_of(group):
        m = missing_summary(group, ctx.facts.episodes)
        return m["children"], m["episodes"], m["open"]

    return ctx.small_step(name, counts_of) and bool(
        int(missing_summary(ctx.groups[name], ctx.facts.episodes)["children"])
    )


def _timing_panel(ctx: Context) -> Panel:
    """How soon after first placement children first went missing, in three bands."""
    groups, audience = ctx.groups, ctx.audience
    rate = audience.rate
    # Three bands, so that a county force's numbers are not all suppressed; the first 72 hours matter most.
    masks = {name: first_missing_masks(groups[name], bands=(72, 672)) for name in ("baseline", "pilot")}
    timing = {name: [cell_of(groups[name], mask) for _, mask in masks[name]] for name in masks}
    bands = [label for label, _ in masks["baseline"]]
    if audience.cumulative_bands:  # running totals, the summary's own counts (see Audience.cumulative_bands)
        bands = ["Within 72 hours", "Within 28 days", "At any time after placement"]
    hidden = {name: shielded(ctx, name) for name in timing}
    timing_counts = {name: audience.time_bands(ctx.periods[name], timing[name]) for name in timing}
    first72 = {name: timing[name][0] for name in timing}
    placed = {name: ctx.cell(name, lambda g: g["placed"].to_numpy(dtype=bool)) for name in groups}
    shown_placed = {name: ctx.periods[name]["placed"] for name in groups}  # as the summary publishes it (a part)
    share72 = {name: rate(first72[name], placed[name], shown_placed[name]) for name in groups}

    def first72_counts(group):
        first = int(first_missing_timing(group, bands=(72, 672))["children"].iloc[0])
        placed_here = int(group["placed"].sum())
        return placed_here, first, placed_here - first

    for name in groups:  # filters that cannot be subtracted
        share72[name] = hidden_if(
            share72[name]["rate"] is not None
            and (timing_counts[name][0] == SUPPRESSED or hidden[name] or ctx.small_step(name, first72_counts)),
            share72[name],
        )
    timing_summary = (
        f"Children who went missing within 72 hours of placement: {num(timing_counts['baseline'][0])} of "
        f"{num(shown_placed['baseline'])} placed in the baseline ({pct(share72['baseline']['rate'])}) and "
        f"{num(timing_counts['pilot'][0])} of {num(shown_placed['pilot'])} in the pilot "
        f"({pct(share72['pilot']['rate'])}). The first 72 hours matter most."
    )
    finding = (
        f"Went missing within 72 hours of placement: {pct(share72['baseline']['rate'])} before the pilot, "
        f"{pct(share72['pilot']['rate'])} during it"
    )
    if all(v in (SUPPRESSED, None) for name in timing for v in [*timing_counts[name], share72[name]["rate"]]):
        # Nothing but c: say why once, rather than "c of c placed (c)" (small groups).
        finding = (
            "Time from placement to first going missing is c for this view: each band, or the share beside "
            "it, would give away a count too small to publish"
        )
        timing_summary = finding + "."
    return Panel(
        panel_id="chart-missing-timing",
        title="Time from first placement to first going missing",
        finding=finding,
        summary=timing_summary,
        figure=grouped_bars(
            bands, timing_counts, "Children" if audience.exact or audience.perturbing else "Children (rounded)"
        ),
        table=Table(
            "table-missing-timing",
            "Children by time from first placement to first missing episode",
            ["Time after placement", ("Baseline", "count"), ("Pilot", "count")],
            [[b, timing_counts["baseline"][i], timing_counts["pilot"][i]] for i, b in enumerate(bands)]
            + [
                [
                    "Share of placed children missing within 72 hours",
                    Cell(share72["baseline"]["rate"], "rate"),
                    Cell(share72["pilot"]["rate"], "rate"),
                ]
            ],
        ),
        notes=[
            DEFINITION,
            "Each child is counted once, at the first episode; an episode at exactly 72 hours is within 72 hours.",
            *(
                [
                    "Shown as running totals (within 72 hours, within 28 days, at any time): they are the children "
                    "not retained at 72 hours and at 28 days and the children who went missing, as published on "
                    "Retention and above; bands between them could give a count too small to publish away."
                ]
                if audience.cumulative_bands
                else []
            ),
            audience.footnote,
        ],
        speaker_notes=f"{timing_summary} {CAVEAT}",
    )


def _outcomes_panel(ctx: Context) -> Panel:
    """Episodes, how they ended, return interviews and risk gradings, both periods."""
    groups, episodes, audience = ctx.groups, ctx.facts.episodes, ctx.audience
    count, rate = audience.count, audience.rate
    mb, mp = ctx.periods["baseline"]["missing"], ctx.periods["pilot"]["missing"]
    mine = {name: cohort_episodes(groups[name], episodes) for name in groups}
    interviews = {name: {k: cell_of(mine[name], m) for k, m in interview_masks(mine[name]).items()} for name in groups}
    # Ended episodes are one part of the episodes (the other: still missing), published by the same rule as the
    # summary's, and the share of them offered an interview is c where they are.
    ended = {
        name: audience.ended_episodes(mb if name == "baseline" else mp, interviews[name]["ended"]) for name in groups
    }
    risks = {name: {g: cell_of(mine[name], m) for g, m in grade_masks(mine[name]).items()} for name in groups}

    def both(kind, b, p):
        return [Cell(b, kind), Cell(p, kind)]

    def offered_counts(group):
        i = interview_masks(cohort_episodes(group, episodes))
        return int(i["ended"].sum()), int(i["offered"].sum()), int(i["ended"].sum() - i["offered"].sum())

    offered_share = {}
    for name in groups:
        offered_share[name] = hidden_if(  # filters that cannot be subtracted
            shielded(ctx, name) or ctx.small_step(name, offered_counts),
            rate(interviews[name]["offered"], interviews[name]["ended"], ended[name])["rate"],
        )

    summary_rows = [
        ["Children with a missing episode", *both("count", mb["children"], mp["children"])],
        ["Missing episodes", *both("count", mb["episodes"], mp["episodes"])],
        ["Episodes per child who went missing", *both("ratio", mb["episodes_per_child"], mp["episodes_per_child"])],
        ["Median duration of ended episodes", *both("hours", mb["median_duration_hours"], mp["median_duration_hours"])],
        ["Still missing at the extract date", *both("count", mb["open"], mp["open"])],
        ["Came to harm", *both("count", mb["harmed"], mp["harmed"])],
        ["Ended episodes", *both("count", ended["baseline"], ended["pilot"])],
        [
            "Return interview offered",
            *both("count", count(interviews["baseline"]["offered"]), count(interviews["pilot"]["offered"])),
        ],
        [
            "Return interview accepted",
            *both("count", count(interviews["baseline"]["accepted"]), count(interviews["pilot"]["accepted"])),
        ],
        [
            "Share of ended episodes with an interview offered",
            *both("rate", offered_share["baseline"], offered_share["pilot"]),
        ],
    ]
    grades = GRADES
    graded = {name: [count(risks[name][g]) for g in grades] for name in groups}
    if not audience.perturbing:
        graded = {name: parts_of_a_total(values) for name, values in graded.items()}
    summary_rows += [
        [
            f"Episodes graded {grade.lower() if grade != 'U' else 'unknown'} risk",
            *both("count", graded["baseline"][i], graded["pilot"][i]),
        ]
        for i, grade in enumerate(grades)
    ]

    def each(m) -> str:
        per = m["episodes_per_child"]
        return f"{num(per, 1)} each" if is_value(per) else f"episodes per child: {num(per, 1)}"

    # Each figure said with its period, never "22.6 h and c".
    outcome_summary = (
        f"Before the pilot, {num(mb['episodes'])} missing episodes involving {num(mb['children'])} "
        f"children ({each(mb)}); during it, {num(mp['episodes'])} involving {num(mp['children'])} "
        f"children ({each(mp)}). Median duration of ended episodes: "
        f"{hours(mb['median_duration_hours'])} before the pilot, {hours(mp['median_duration_hours'])} "
        "during it. "
        + (
            "Episodes per child are computed from the perturbed counts."
            if audience.perturbing
            else "Episodes per child are computed from exact counts, so the rounded counts beside them may not "
            "reproduce them."
        )
    )
    return Panel(
        panel_id="chart-missing-outcomes",
        title="Episodes and outcomes",
        finding=counts_compared(
            "Missing episodes", mb["episodes"], mp["episodes"], ctx.periods["baseline"], ctx.periods["pilot"]
        ),
        summary=outcome_summary,
        figure=grouped_bars(
            ["Children missing", "Episodes", "Still missing", "Came to harm"],
            {
                "baseline": [mb["children"], mb["episodes"], mb["open"], mb["harmed"]],
                "pilot": [mp["children"], mp["episodes"], mp["open"], mp["harmed"]],
            },
            "Number" if audience.exact or audience.perturbing else "Number (rounded)",
        ),
        table=Table(
            "table-missing-summary",
            "Missing episodes, outcomes and return interviews",
            ["Measure", ("Baseline", "count"), ("Pilot", "count")],
            summary_rows,
        ),
        notes=[
            DEFINITION,
            "Episodes per child and shares are computed from the "
            + ("perturbed" if audience.perturbing else "exact")
            + " counts.",
            audience.footnote,
        ],
        speaker_notes=f"{outcome_summary} Still missing at the extract: {num(mb['open'])} and {num(mp['open'])}; "
        f"came to harm: {num(mb['harmed'])} and {num(mp['harmed'])}. {CAVEAT}",
        open_table=True,
    )


DFE_SHOWN = 3  # the force's authorities with the most of its children


def _authorities(ctx: Context) -> list[tuple[str, int]]:
    """(la_code, children) of the authorities the selected forces' bundles name, most children first."""
    found = ctx.facts.authorities
    if found is None or found.empty:
        return []
    mine = found[found["force_code"].isin(list(ctx.forces["force_code"]))]
    totals = mine.groupby("la_code")["children"].sum().sort_values(ascending=False, kind="stable")
    return [(code, int(n)) for code, n in totals.items()][:DFE_SHOWN]


def dfe_panel(ctx: Context) -> Panel:
    """The DfE's published figures for the force's authorities and England, over the years, with the force's own
    period marked: all looked-after children, by the DfE's definition of missing. Shown as published (never
    rounded again by Harbour's rules) and never on the same axis as Harbour's own rates."""

    table = dfe.shipped()
    wanted = [code for code, _ in _authorities(ctx)]
    by = {}
    for row in table:
        by.setdefault((row["la_code"], row["measure"]), {})[row["year"]] = row
    shown = [c for c in wanted if (c, "missing_percent") in by or (c, "missing_children") in by]
    series = [*shown, dfe.ENGLAND]
    names = {row["la_code"]: row["la_name"] for row in table}
    years = sorted({row["year"] for row in table})

    def value(code, measure, year):
        row = by.get((code, measure), {}).get(year)
        return row["value"] if row else None

    def number(text):
        return float(text) if text not in (None, "") and text not in dfe.SYMBOLS else None

    colours = (theme.SERIES["vermillion"], theme.SERIES["green"], theme.SERIES["purple"], theme.INK)
    symbols = ("square", "diamond", "triangle-up", "circle")
    data = []
    for i, code in enumerate(series):
        england = code == dfe.ENGLAND
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": years,
                "name": plotly_text(names.get(code, code)),
                "y": [number(value(code, "missing_percent", y)) for y in years],
                "connectgaps": False,
                "line": {
                    "color": theme.INK if england else colours[i % 3],
                    "width": 3,
                    "dash": "dash" if england else "solid",
                },
                "marker": {"symbol": "circle" if england else symbols[i % 3], "size": 9},
                "text": [plotly_text(names.get(code, code))] * len(years),
                "hovertemplate": "%{text}, year ending 31 March %{x}: %{y}%<extra></extra>",
            }
        )
    shapes, notes_ = [], []
    periods = ctx.periods
    first = periods["baseline"]["start"] or periods["pilot"]["start"]
    last = periods["pilot"]["end"] or periods["baseline"]["end"]
    if first and last:  # the force's own period, in the DfE's years ending 31 March
        start_year = int(first[:4]) + (first[5:7] > "03")
        end_year = int(last[:4]) + (last[5:7] > "03")
        shapes.append(
            {
                "type": "rect",
                "x0": start_year - 0.5,
                "x1": end_year + 0.5,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "fillcolor": "rgba(0, 0, 0, 0.06)",
                "line": {"width": 0},
            }
        )
        notes_.append(
            {
                "text": "this force's records",
                "x": start_year - 0.45,
                "y": 0.02,
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    fig = figure(
        data,
        layout(
            x_title="Year ending 31 March",
            y_title="Looked-after children who went missing (%)",
            xaxis={"dtick": 1},
            yaxis={"rangemode": "tozero"},
            shapes=shapes,
            annotations=notes_,
            height=440,
        ),
    )
    rows = []
    for code in series:
        for y in years:
            cells = [
                value(code, m, y)
                for m in (
                    "looked_after",
                    "missing_children",
                    "missing_percent",
                    "missing_incidents",
                    "incidents_per_child",
                    "missing_31_march",
                )
            ]
            if all(c is None for c in cells):
                continue
            release = next(
                (
                    by[(code, m)][y]["release"]
                    for m in ("missing_children", "missing_percent")
                    if y in by.get((code, m), {})
                ),
                "",
            )
            rows.append([names.get(code, code), str(y), *[c if c is not None else "–" for c in cells], release])
    uasc = [
        (y, value(dfe.ENGLAND, "uasc_looked_after_31_march", y), value(dfe.ENGLAND, "uasc_missing_31_march", y))
        for y in years
    ]
    uasc = [u for u in uasc if u[1] is not None or u[2] is not None]
    latest = next((y for y in reversed(years) if is_value(number(value(dfe.ENGLAND, "missing_percent", y)))), None)
    which = "the authority" if len(shown) == 1 else "the authorities"
    who = (
        "England's"
        if not shown
        else f"{' and '.join(names.get(c, c) for c in shown)}'s ({which} this force's children are placed with most), "
        "beside England's"
    )
    first_share = next((y for y in years if number(value(dfe.ENGLAND, "missing_percent", y)) is not None), None)
    england_latest = (
        f" In England, {value(dfe.ENGLAND, 'missing_percent', latest)}% of looked-after children went missing "
        f"in the year ending 31 March {latest}."
        if latest
        else ""
    )
    if uasc:
        y, n, m = uasc[-1]
        england_latest += (
            f" England looked after {int(float(n)):,} unaccompanied asylum-seeking children on 31 March {y}, "
            f"and {m} of them were missing that day."
        )
    earlier = (
        f" The DfE published the share from the year ending 31 March {first_share}; its earlier releases give "
        "counts only, which the table holds."
        if first_share and first_share > years[0]
        else ""
    )
    summary = (
        f"The Department for Education's published figures: {who} share of all looked-after children who went "
        f"missing in each year.{england_latest}{earlier}"
        + ("" if shown else " The synthetic demo names no real authorities, so England's series is shown alone.")
    )
    source = (
        f"{dfe.SOURCE}. Figures as the DfE published them (its symbols kept: "
        + "; ".join(f"{k} {v}" for k, v in dfe.SYMBOLS.items())
        + "); a later release replaces an earlier one's "
        f"figures for the same year. {dfe.LICENCE}"
    )
    table_rows = rows + [
        [
            "England (unaccompanied asylum-seeking children)",
            str(y),
            "–",
            "–",
            "–",
            "–",
            "–",
            m if m is not None else "–",
            f"looked after on 31 March: {n}",
        ]
        for y, n, m in uasc
    ]
    return Panel(
        panel_id="chart-dfe",
        title="Official context: the DfE's figures for all looked-after children",
        finding=(
            "Official figures: all looked-after children who went missing, "
            + (f"{names.get(shown[0], shown[0])} and England" if shown else "England")
        ),
        summary=summary,
        figure=fig,
        table=Table(
            "table-dfe",
            "Department for Education figures by authority and year ending 31 March, as published",
            [
                "Authority",
                "Year ending 31 March",
                "Looked after during the year",
                "Had a missing incident",
                "Percentage (%)",
                "Missing incidents",
                "Incidents per child who went missing",
                "Missing at 31 March",
                "Release",
            ],
            table_rows,
        ),
        notes=[
            source,
            "These are the DfE's measures, not Harbour's: every looked-after child of the authority, not "
            "unaccompanied children alone, counted a year at a time, by the DfE's definition of missing. They are "
            "never drawn on the same axis as retention.",
        ],
        speaker_notes=f"{summary} {source} What this does not show: how this force's own children fared; the DfE's "
        "figures are for all looked-after children of each authority.",
        source=(
            f"Figures as the DfE published them, its symbols kept; not rounded again by Harbour. | Source: "
            f"{dfe.SOURCE}; "
            f"latest, the {max(r['release'] for r in table)}. {dfe.LICENCE}"
        ),
    )


def build(ask: Ask, facts) -> View:
    return view(ask.context(facts, attribution=False))


REPORT = Report("/missing", "Missing episodes", build, order=4, deck=True, warm=True, nav_name="Missing")
