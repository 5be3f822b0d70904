"""Overview: the headline figures with their baseline, change and interval, in plain words."""

from __future__ import annotations

from components.figures import headline_figure
from components.format import hours, interval, num, p_value, pct, points
from components.words import median_change, rate_change
from metrics.disclosure import FOOTNOTE
from reports.context import Context
from reports.model import Panel, Table, View

RETENTION_NOTE = ("Retention: children placed who had not gone missing (an episode of type M) by 28 days after their "
                  "first placement, over those followed for 28 days or who went missing by then; 95% Wilson interval. "
                  "Differences: pilot minus baseline with Newcombe's hybrid score interval.")


def short_finding(sentence: str) -> str:
    """The first clause of a finding: what a slide title can hold."""
    return sentence.split(";")[0].rstrip(".")


def kpis(ctx: Context) -> list[dict]:
    base, pilot = ctx.periods["baseline"], ctx.periods["pilot"]
    comparison = ctx.comparison
    diff28 = (comparison.get("retention") or {}).get("28d")
    eb, ep = base["engagement"], pilot["engagement"]
    return [
        {"id": "kpi-retention", "title": "Retained 28 days after placement", "pilot": pct(pilot["retention"]["28d"]["rate"]),
         "baseline": pct(base["retention"]["28d"]["rate"]),
         "change": f"{points(diff28['difference'])} points" if diff28 else "–",
         "sentence": rate_change("28-day retention", base["retention"]["28d"]["rate"], pilot["retention"]["28d"]["rate"], diff28)},
        {"id": "kpi-engagement", "title": "Median hours to first engagement", "pilot": hours(ep["median_hours"]),
         "baseline": hours(eb["median_hours"]),
         "change": hours(comparison.get("engagement_median_difference_hours")) if comparison else "–",
         "sentence": median_change(eb["median_hours"], ep["median_hours"], comparison.get("engagement_median_difference_hours"),
                                   comparison.get("engagement_p_value"))},
        {"id": "kpi-children", "title": "Children first contacted", "pilot": num(pilot["children"]),
         "baseline": num(base["children"]), "change": "–",
         "sentence": (f"{num(base['children'])} children in the baseline and {num(pilot['children'])} in the pilot; "
                      f"{num(base['placed'])} and {num(pilot['placed'])} of them were placed.")},
        {"id": "kpi-missing", "title": "Missing episodes after placement", "pilot": num(pilot["missing"]["episodes"]),
         "baseline": num(base["missing"]["episodes"]), "change": "–",
         "sentence": (f"{num(base['missing']['episodes'])} missing episodes involving {num(base['missing']['children'])} "
                      f"children in the baseline; {num(pilot['missing']['episodes'])} involving "
                      f"{num(pilot['missing']['children'])} in the pilot.")},
    ]


def view(ctx: Context) -> View:
    base, pilot, comparison = ctx.periods["baseline"], ctx.periods["pilot"], ctx.comparison
    cards = kpis(ctx)
    rows = []
    for label, key in (("28-day retention", "28d"),):
        b, p = base["retention"][key], pilot["retention"][key]
        rows.append({"label": label, "baseline": b, "pilot": p})
    w = {"label": "Engaged within 24 hours", "baseline": base["engagement"]["within_24h"],
         "pilot": pilot["engagement"]["within_24h"]}
    rows.append(w)
    diff28 = (comparison.get("retention") or {}).get("28d") or {}
    wdiff = comparison.get("within_24h_difference") or {}
    table_rows = [[c["title"], c["baseline"], c["pilot"], c["change"]] for c in cards]
    speaker = (f"28-day retention: baseline {pct(base['retention']['28d']['rate'])} "
               f"({interval(base['retention']['28d']['ci_low'], base['retention']['28d']['ci_high'])}), pilot "
               f"{pct(pilot['retention']['28d']['rate'])} ({interval(pilot['retention']['28d']['ci_low'], pilot['retention']['28d']['ci_high'])}); "
               f"difference {points(diff28.get('difference'))} points, 95% interval "
               f"{interval(diff28.get('ci_low'), diff28.get('ci_high'), points)}, {p_value(diff28.get('p_value'))}. "
               f"Engaged within 24 hours: {pct(w['baseline']['rate'])} then {pct(w['pilot']['rate'])}, difference "
               f"{points(wdiff.get('difference'))} points ({interval(wdiff.get('ci_low'), wdiff.get('ci_high'), points)}). "
               "What this does not show: why it changed. A before-after comparison shows what changed, not what caused it.")
    panel = Panel(
        "overview-headline", "Headline figures, baseline and pilot", short_finding(cards[0]["sentence"]),
        f"{cards[0]['sentence']} {cards[1]['sentence']}",
        headline_figure(rows),
        Table("table-overview", "Headline figures: baseline, pilot and the change", ["Measure", "Baseline", "Pilot", "Change"],
              table_rows),
        [RETENTION_NOTE, FOOTNOTE], speaker, open_table=False,
    )
    return View("/", "Overview", f"Did the scheme keep more children in safe accommodation? {ctx.scope()}.",
                [panel], ctx.synthetic, ctx.scope(), extract_date=ctx.extract_date(), scheme=ctx.scheme(), kpis=cards)
