"""Missing episodes: how many, how long, how they ended, and how soon after placement."""

import dash

from components.chart import chart, data_table
from components.figures import grouped_bars
from components.format import hours, num, pct
from components.shell import empty_warehouse, page_for
from metrics.disclosure import FOOTNOTE, count, rate
from metrics.filters import Filters, resolve
from metrics.missing import first_missing_timing, return_interviews, risk_gradings
from metrics.summary import build_summary, cohorts
from warehouse.current import current_facts

dash.register_page(__name__, path="/missing", name="Missing episodes", title="Missing episodes · Harbour", order=4)

DEFINITION = ("Missing episodes: episodes of type M (whereabouts unknown) that start from the child's first placement "
              "to the end of follow-up, for placed children. 'Away' episodes (whereabouts known) are not counted.")


def layout(**query):
    facts = current_facts()
    if facts.forces.empty:
        return empty_warehouse()
    filters = resolve(Filters.from_query(query), facts.forces)
    doc = build_summary(facts.children, facts.episodes, facts.forces, filters=filters)
    groups = cohorts(facts.children, filters)
    mb, mp = doc["periods"]["baseline"]["missing"], doc["periods"]["pilot"]["missing"]

    timing = {name: first_missing_timing(groups[name]) for name in ("baseline", "pilot")}
    bands = list(timing["baseline"]["band"])
    timing_counts = {name: [count(int(n)) for n in timing[name]["children"]] for name in timing}
    first72 = {name: int(timing[name]["children"].iloc[:2].sum()) for name in timing}
    placed = {name: int(groups[name]["placed"].sum()) for name in groups}
    share72 = {name: rate(first72[name], placed[name]) for name in groups}
    timing_summary = (f"Children who went missing within 72 hours of placement: {num(count(first72['baseline']))} of "
                      f"{num(count(placed['baseline']))} placed in the baseline ({pct(share72['baseline']['rate'])}) and "
                      f"{num(count(first72['pilot']))} of {num(count(placed['pilot']))} in the pilot "
                      f"({pct(share72['pilot']['rate'])}). The first 72 hours matter most.")

    interviews = {name: return_interviews(groups[name], facts.episodes) for name in groups}
    risks = {name: risk_gradings(groups[name], facts.episodes) for name in groups}

    summary_rows = [
        ["Children with a missing episode", num(mb["children"]), num(mp["children"])],
        ["Missing episodes", num(mb["episodes"]), num(mp["episodes"])],
        ["Episodes per child who went missing", num(mb["episodes_per_child"], 1), num(mp["episodes_per_child"], 1)],
        ["Median duration of ended episodes", hours(mb["median_duration_hours"]), hours(mp["median_duration_hours"])],
        ["Still missing at the extract date", num(mb["open"]), num(mp["open"])],
        ["Came to harm", num(mb["harmed"]), num(mp["harmed"])],
        ["Ended episodes", num(count(interviews["baseline"]["ended"])), num(count(interviews["pilot"]["ended"]))],
        ["Return interview offered", num(count(interviews["baseline"]["offered"])), num(count(interviews["pilot"]["offered"]))],
        ["Return interview accepted", num(count(interviews["baseline"]["accepted"])), num(count(interviews["pilot"]["accepted"]))],
        ["Share of ended episodes with an interview offered",
         pct(rate(interviews["baseline"]["offered"], interviews["baseline"]["ended"])["rate"]),
         pct(rate(interviews["pilot"]["offered"], interviews["pilot"]["ended"])["rate"])],
    ] + [[f"Episodes graded {grade.lower() if grade != 'U' else 'unknown'} risk", num(count(risks["baseline"][grade])),
          num(count(risks["pilot"][grade]))] for grade in ("HIGH", "MEDIUM", "LOW", "U")]

    outcome_fig = grouped_bars(
        ["Children missing", "Episodes", "Still missing", "Came to harm"],
        {"baseline": [mb["children"], mb["episodes"], mb["open"], mb["harmed"]],
         "pilot": [mp["children"], mp["episodes"], mp["open"], mp["harmed"]]}, "Number (rounded)")
    outcome_summary = (f"{num(mb['episodes'])} missing episodes involving {num(mb['children'])} children in the baseline "
                       f"({num(mb['episodes_per_child'], 1)} each), and {num(mp['episodes'])} involving "
                       f"{num(mp['children'])} children in the pilot ({num(mp['episodes_per_child'], 1)} each). "
                       f"Median duration {hours(mb['median_duration_hours'])} and {hours(mp['median_duration_hours'])}.")
    return page_for(
        facts, filters, "Missing episodes",
        "Children who went missing from placement: how many times, for how long, how it ended, and how soon.",
        chart("chart-missing-timing", "Time from first placement to first going missing",
              grouped_bars(bands, timing_counts, "Children (rounded)"), timing_summary,
              data_table("table-missing-timing", "Children by time from first placement to first missing episode",
                         ["Time after placement", "Baseline", "Pilot"],
                         [[b, num(timing_counts["baseline"][i]), num(timing_counts["pilot"][i])] for i, b in enumerate(bands)]),
              [DEFINITION, "Each child is counted once, at the first episode; an episode at exactly 24 hours is in "
               "the first band.", FOOTNOTE]),
        chart("chart-missing-outcomes", "Episodes and outcomes", outcome_fig, outcome_summary,
              data_table("table-missing-summary", "Missing episodes, outcomes and return interviews",
                         ["Measure", "Baseline", "Pilot"], summary_rows),
              [DEFINITION, "Episodes per child and shares come from rounded counts.", FOOTNOTE], open_table=True),
    )


