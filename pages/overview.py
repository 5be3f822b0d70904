"""Overview: the headline figures for the selected force and periods, in plain words."""

import dash
from dash import html

from components.format import hours, num, pct, points
from components.kpi import kpi
from components.shell import footnote, page
from components.words import median_change, rate_change
from metrics.disclosure import FOOTNOTE
from metrics.filters import Filters, resolve
from metrics.summary import build_summary
from warehouse.current import current_facts

dash.register_page(__name__, path="/", name="Overview", title="Overview · Harbour", order=0)


def layout(**query):
    facts = current_facts()
    filters = resolve(Filters.from_query(query), facts.forces)
    doc = build_summary(facts.children, facts.episodes, facts.forces, filters=filters)
    base, pilot = doc["periods"]["baseline"], doc["periods"]["pilot"]
    comparison = doc["comparison"] or {}
    r28b, r28p = base["retention"]["28d"], pilot["retention"]["28d"]
    diff28 = (comparison.get("retention") or {}).get("28d")
    eb, ep = base["engagement"], pilot["engagement"]
    forces = list(zip(facts.forces["force_code"], facts.forces["force_name"]))
    nationalities = sorted(facts.children["nationality"].unique())
    period_text = _periods(base, pilot)
    cards = html.Div([
        kpi("kpi-retention", "Retained 28 days after placement", pct(r28p["rate"]), pct(r28b["rate"]),
            f"{points(diff28['difference']) if diff28 else '–'} points" if diff28 else "–",
            rate_change("28-day retention", r28b["rate"], r28p["rate"], diff28)),
        kpi("kpi-engagement", "Median hours to first engagement", hours(ep["median_hours"]), hours(eb["median_hours"]),
            hours(comparison.get("engagement_median_difference_hours")) if comparison else "–",
            median_change(eb["median_hours"], ep["median_hours"], comparison.get("engagement_median_difference_hours"),
                          comparison.get("engagement_p_value"))),
        kpi("kpi-children", "Children first contacted", num(pilot["children"]), num(base["children"]), "–",
            f"{num(base['children'])} children in the baseline and {num(pilot['children'])} in the pilot; "
            f"{num(base['placed'])} and {num(pilot['placed'])} of them were placed."),
        kpi("kpi-missing", "Missing episodes after placement", num(pilot["missing"]["episodes"]),
            num(base["missing"]["episodes"]), "–",
            f"{num(base['missing']['episodes'])} missing episodes involving {num(base['missing']['children'])} children "
            f"in the baseline; {num(pilot['missing']['episodes'])} involving {num(pilot['missing']['children'])} in the pilot."),
    ], className="kpi-grid")
    return page(
        "Overview", f"Did the scheme keep more children in safe accommodation? {period_text}",
        filters, forces, nationalities, doc["synthetic"], cards,
        footnote(
            "Retention: children placed who had not gone missing (an episode of type M) by 28 days after their first "
            "placement, over those followed for 28 days or who went missing by then; 95% Wilson interval. Differences: "
            "pilot minus baseline with Newcombe's hybrid score interval.",
            FOOTNOTE,
        ),
    )


def _periods(base: dict, pilot: dict) -> str:
    if base["start"] and pilot["start"]:
        return f"Baseline {base['start']} to {base['end']}; pilot {pilot['start']} to {pilot['end']}."
    if base["start"]:
        return f"Baseline {base['start']} to {base['end']}; no scheme yet."
    return "All forces pooled: each child's period comes from its own force."
