"""Engagement: how soon after first contact a child had a welfare conversation."""

from __future__ import annotations

from components.figures import grouped_bars, headline_figure, lines, quartile_boxes
from components.format import SUPPRESSED, hours, interval, is_value, num, p_value, pct, points
from components.theme import PERIOD_STYLE
from components.words import median_change
from metrics.disclosure import FOOTNOTE, disclose_monthly, rate, statistic
from metrics.engagement import cumulative_counts, deciles
from metrics.monthly import monthly_series
from reports.context import Context
from reports.model import Panel, Table, View

DEFINITION = ("Time to first engagement: hours from first contact to the start of the first welfare engagement "
              "(the pack interview in the pilot), in real elapsed hours. Children with no engagement recorded are "
              "counted as not recorded, not as zero.")
CAVEAT = "What this does not show: whether a quicker conversation caused children to stay; only that the two went together."


def _hours_label(h: float) -> str:
    return f"{int(h)} h" if h < 168 else f"{int(h // 24)} days"


def view(ctx: Context, grain: str = "month") -> View:
    grain = "quarter" if grain == "quarter" else "month"
    periods, comparison = ctx.periods, ctx.comparison
    eb, ep = periods["baseline"]["engagement"], periods["pilot"]["engagement"]

    cumulative = {name: cumulative_counts(ctx.groups[name]) for name in ("baseline", "pilot")}
    labels = [_hours_label(h) for h in cumulative["baseline"]["hours"]]
    shares = {name: [rate(int(r.engaged), int(r.recorded))["rate"] for r in cumulative[name].itertuples()]
              for name in cumulative}
    median_sentence = median_change(eb["median_hours"], ep["median_hours"],
                                    comparison.get("engagement_median_difference_hours"), comparison.get("engagement_p_value"))
    distribution = Panel(
        "chart-engagement-distribution", "Share engaged within a given time", median_sentence.split(",")[0],
        median_sentence,
        lines(labels, {name: [v * 100 if is_value(v) else v for v in values] for name, values in shares.items()},
              "Children engaged (%)", "Within this many hours of first contact", "%{y:.0f}% engaged within %{x}"),
        Table("table-engagement-distribution", "Children engaged within each time (published shares)",
              ["Within", "Baseline", "Pilot"],
              [[label, pct(shares["baseline"][i]), pct(shares["pilot"][i])] for i, label in enumerate(labels)]),
        [DEFINITION, "Shares at fixed times, from rounded counts, so that no step stands for one child. "
         "Medians compared with the Mann-Whitney U test, two-sided.", FOOTNOTE],
        f"{median_sentence} Quartiles: baseline {hours(eb['q1_hours'])} to {hours(eb['q3_hours'])}, pilot "
        f"{hours(ep['q1_hours'])} to {hours(ep['q3_hours'])}. {CAVEAT}")

    quart_rows, boxes = [], []
    for name, e in (("baseline", eb), ("pilot", ep)):
        tails = {k: statistic(v, int(ctx.groups[name]["engagement_hours"].notna().sum()))
                 for k, v in deciles(ctx.groups[name]).items()}
        quart_rows.append([PERIOD_STYLE[name]["label"], num(e["recorded"]), hours(tails["p10_hours"]), hours(e["q1_hours"]),
                           hours(e["median_hours"]), hours(e["q3_hours"]), hours(tails["p90_hours"]), hours(e["mean_hours"])])
        values = [tails["p10_hours"], e["q1_hours"], e["median_hours"], e["q3_hours"], tails["p90_hours"]]
        if all(is_value(v) for v in values):
            boxes.append(dict(zip(("p10", "q1", "median", "q3", "p90"), values), period=name))
    quart_summary = (f"Median {hours(eb['median_hours'])} in the baseline (quartiles {hours(eb['q1_hours'])} to "
                     f"{hours(eb['q3_hours'])}) and {hours(ep['median_hours'])} in the pilot (quartiles "
                     f"{hours(ep['q1_hours'])} to {hours(ep['q3_hours'])}); {p_value(comparison.get('engagement_p_value'))}.")
    quartiles = Panel(
        "chart-engagement-quartiles", "Quartiles of hours to first engagement",
        f"Median hours to first engagement: {hours(eb['median_hours'])} before the pilot, {hours(ep['median_hours'])} during it",
        quart_summary, quartile_boxes(boxes, "Hours from first contact to first engagement"),
        Table("table-engagement-quartiles", "Percentiles of hours to first engagement",
              ["Period", "Recorded", "10th", "25th", "Median", "75th", "90th", "Mean"], quart_rows),
        ["Box: 25th to 75th percentile with the median; whiskers: 10th and 90th percentiles (linear interpolation). "
         "Not drawn where fewer than 10 children had an engagement recorded.", FOOTNOTE],
        f"{quart_summary} {CAVEAT}", open_table=True)

    w_b, w_p = eb["within_24h"], ep["within_24h"]
    w_diff = comparison.get("within_24h_difference") or {}
    within_sentence = (f"Engaged within 24 hours: {pct(w_b['rate'])} in the baseline "
                       f"(95% interval {interval(w_b['ci_low'], w_b['ci_high'])}) and {pct(w_p['rate'])} in the pilot "
                       f"({interval(w_p['ci_low'], w_p['ci_high'])}); difference {points(w_diff.get('difference'))} points "
                       f"(95% interval {interval(w_diff.get('ci_low'), w_diff.get('ci_high'), points)}).")
    within = Panel(
        "chart-engagement-within24", "Engaged within 24 hours",
        f"Engaged within 24 hours: {pct(w_b['rate'])} before the pilot, {pct(w_p['rate'])} during it.", within_sentence,
        headline_figure([{"label": "Engaged within 24 hours", "baseline": w_b, "pilot": w_p}]),
        Table("table-engagement-within24", "Share engaged within 24 hours",
              ["Period", "Recorded", "Within 24 hours", "Share", "95% interval"],
              [["Baseline", num(w_b["n"]), num(w_b["count"]), pct(w_b["rate"]), interval(w_b["ci_low"], w_b["ci_high"])],
               ["Pilot", num(w_p["n"]), num(w_p["count"]), pct(w_p["rate"]), interval(w_p["ci_low"], w_p["ci_high"])]]),
        ["95% Wilson intervals; the difference is pilot minus baseline with Newcombe's interval.", FOOTNOTE],
        f"{within_sentence} {CAVEAT}", open_table=True)

    series = disclose_monthly(monthly_series(ctx.filters.apply(ctx.facts.children), ctx.facts.extract_dates(), grain))
    suppressed = sum(1 for v in series["within_24h"] if v == SUPPRESSED)
    notices = []
    if grain == "month" and len(series) and suppressed / len(series) > 0.5:
        notices.append("Most months have too few children to publish under disclosure control: show quarterly points "
                       "instead, or choose all forces together.")
    trend_summary = (f"{len(series)} {grain}s; {suppressed} are suppressed because fewer than 10 children had an "
                     f"engagement recorded." + (" Quarters group more children into each point." if grain == "month" and suppressed else ""))
    trend = Panel(
        "chart-engagement-trend", f"Engaged within 24 hours, by {grain} of first contact",
        f"Engaged within 24 hours, {grain} by {grain}", trend_summary,
        grouped_bars(list(series["month"]), {"baseline": [v * 100 if is_value(v) else v for v in series["within_24h"]]},
                     "Engaged within 24 hours (%)", "%{y:.0f}%", names={"baseline": "Share within 24 hours"}),
        Table("table-engagement-trend", f"Share engaged within 24 hours by {grain}", [grain.title(), "Recorded", "Within 24 hours"],
              [[m, num(n), pct(v)] for m, n, v in zip(series["month"], series["engagement_recorded"], series["within_24h"])]),
        [f"Complete {grain}s only; c: fewer than 10 children with an engagement recorded.", FOOTNOTE],
        f"{trend_summary} {CAVEAT}")
    return View("/engagement", "Time to first engagement",
                "How quickly children were engaged as victims after first contact, in each period.",
                [distribution, quartiles, within, trend], ctx.synthetic, ctx.scope(), notices,
                extract_date=ctx.extract_date(), scheme=ctx.scheme(), grain=grain)
