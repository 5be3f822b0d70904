"""Missing episodes: how many, how long, how they ended, and how soon after placement."""

from __future__ import annotations

from components.figures import grouped_bars
from components.format import hours, num, pct
from metrics.missing import first_missing_timing, return_interviews, risk_gradings
from reports.context import Context
from reports.model import Cell, Panel, Table, View

DEFINITION = ("Missing episodes: episodes of type M (whereabouts unknown) that start from the child's first placement "
              "to the end of follow-up, for placed children. 'Away' episodes (whereabouts known) are not counted.")
CAVEAT = "What this does not show: where children went, or episodes that were never reported."


def view(ctx: Context) -> View:
    return ctx.view("/missing", "Missing episodes",
                    "Children who went missing from placement: how many times, for how long, how it ended, and how soon.",
                    [_timing_panel(ctx), _outcomes_panel(ctx)])


def _timing_panel(ctx: Context) -> Panel:
    """How soon after first placement children first went missing, in three bands."""
    groups, audience = ctx.groups, ctx.audience
    count, rate = audience.count, audience.rate
    # Three bands, so that a county force's numbers are not all suppressed; the first 72 hours matter most.
    timing = {name: first_missing_timing(groups[name], bands=(72, 672)) for name in ("baseline", "pilot")}
    bands = list(timing["baseline"]["band"])
    timing_counts = {name: [count(int(n)) for n in timing[name]["children"]] for name in timing}
    first72 = {name: int(timing[name]["children"].iloc[0]) for name in timing}
    placed = {name: int(groups[name]["placed"].sum()) for name in groups}
    share72 = {name: rate(first72[name], placed[name]) for name in groups}
    timing_summary = (f"Children who went missing within 72 hours of placement: {num(count(first72['baseline']))} of "
                      f"{num(count(placed['baseline']))} placed in the baseline ({pct(share72['baseline']['rate'])}) and "
                      f"{num(count(first72['pilot']))} of {num(count(placed['pilot']))} in the pilot "
                      f"({pct(share72['pilot']['rate'])}). The first 72 hours matter most.")
    return Panel(
        panel_id="chart-missing-timing", title="Time from first placement to first going missing",
        finding=f"Went missing within 72 hours of placement: {pct(share72['baseline']['rate'])} before the pilot, "
        f"{pct(share72['pilot']['rate'])} during it", summary=timing_summary,
        figure=grouped_bars(bands, timing_counts, "Children" if audience.exact else "Children (rounded)"),
        table=Table("table-missing-timing", "Children by time from first placement to first missing episode",
              ["Time after placement", ("Baseline", "count"), ("Pilot", "count")],
              [[b, timing_counts["baseline"][i], timing_counts["pilot"][i]] for i, b in enumerate(bands)]
              + [["Share of placed children missing within 72 hours", Cell(share72["baseline"]["rate"], "rate"),
                  Cell(share72["pilot"]["rate"], "rate")]]),
        notes=[DEFINITION, "Each child is counted once, at the first episode; an episode at exactly 72 hours is in the first band.",
         audience.footnote], speaker_notes=f"{timing_summary} {CAVEAT}")


def _outcomes_panel(ctx: Context) -> Panel:
    """Episodes, how they ended, return interviews and risk gradings, both periods."""
    groups, episodes, audience = ctx.groups, ctx.facts.episodes, ctx.audience
    count, rate = audience.count, audience.rate
    mb, mp = ctx.periods["baseline"]["missing"], ctx.periods["pilot"]["missing"]
    interviews = {name: return_interviews(groups[name], episodes) for name in groups}
    risks = {name: risk_gradings(groups[name], episodes) for name in groups}

    def both(kind, b, p):
        return [Cell(b, kind), Cell(p, kind)]

    summary_rows = [
        ["Children with a missing episode", *both("count", mb["children"], mp["children"])],
        ["Missing episodes", *both("count", mb["episodes"], mp["episodes"])],
        ["Episodes per child who went missing", *both("ratio", mb["episodes_per_child"], mp["episodes_per_child"])],
        ["Median duration of ended episodes", *both("hours", mb["median_duration_hours"], mp["median_duration_hours"])],
        ["Still missing at the extract date", *both("count", mb["open"], mp["open"])],
        ["Came to harm", *both("count", mb["harmed"], mp["harmed"])],
        ["Ended episodes", *both("count", count(interviews["baseline"]["ended"]), count(interviews["pilot"]["ended"]))],
        ["Return interview offered", *both("count", count(interviews["baseline"]["offered"]),
                                           count(interviews["pilot"]["offered"]))],
        ["Return interview accepted", *both("count", count(interviews["baseline"]["accepted"]),
                                            count(interviews["pilot"]["accepted"]))],
        ["Share of ended episodes with an interview offered",
         *both("rate", rate(interviews["baseline"]["offered"], interviews["baseline"]["ended"])["rate"],
               rate(interviews["pilot"]["offered"], interviews["pilot"]["ended"])["rate"])],
    ] + [[f"Episodes graded {grade.lower() if grade != 'U' else 'unknown'} risk",
          *both("count", count(risks["baseline"][grade]), count(risks["pilot"][grade]))]
         for grade in ("HIGH", "MEDIUM", "LOW", "U")]
    outcome_summary = (f"{num(mb['episodes'])} missing episodes involving {num(mb['children'])} children in the baseline "
                       f"({num(mb['episodes_per_child'], 1)} each), and {num(mp['episodes'])} involving "
                       f"{num(mp['children'])} children in the pilot ({num(mp['episodes_per_child'], 1)} each). "
                       f"Median duration {hours(mb['median_duration_hours'])} and {hours(mp['median_duration_hours'])}.")
    return Panel(
        panel_id="chart-missing-outcomes", title="Episodes and outcomes",
        finding=f"Missing episodes: {num(mb['episodes'])} before the pilot, {num(mp['episodes'])} during it", summary=outcome_summary,
        figure=grouped_bars(["Children missing", "Episodes", "Still missing", "Came to harm"],
                     {"baseline": [mb["children"], mb["episodes"], mb["open"], mb["harmed"]],
                      "pilot": [mp["children"], mp["episodes"], mp["open"], mp["harmed"]]},
                     "Number" if audience.exact else "Number (rounded)"),
        table=Table("table-missing-summary", "Missing episodes, outcomes and return interviews",
              ["Measure", ("Baseline", "count"), ("Pilot", "count")], summary_rows),
        notes=[DEFINITION, "Episodes per child and shares are computed from exact counts.", audience.footnote],
        speaker_notes=f"{outcome_summary} Still missing at the extract: {num(mb['open'])} and {num(mp['open'])}; came to harm: "
        f"{num(mb['harmed'])} and {num(mp['harmed'])}. {CAVEAT}", open_table=True)
