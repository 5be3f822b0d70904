"""Engagement: how soon after first contact a child had a welfare conversation."""

from __future__ import annotations

from harbour.metrics.disclosure import hidden_if
from harbour.metrics.engagement import cumulative_counts, deciles
from harbour.pages.before_after import split_label
from harbour.views import series as series_module
from harbour.views.ask import Ask
from harbour.views.context import Context
from harbour.views.figures import headline_figure, lines, quartile_boxes, series_figure
from harbour.views.format import SUPPRESSED, hours, interval, is_value, long_date, p_value, pct, period_label, points
from harbour.views.model import Cell, Panel, Table, View
from harbour.views.report import Report
from harbour.views.theme import PERIOD_STYLE
from harbour.views.words import median_change

DEFINITION = (
    "Time to first engagement: hours from first contact to the start of the first welfare engagement "
    "(the pack interview in the pilot), in real elapsed hours. Children with no engagement recorded are "
    "counted as not recorded, not as zero."
)
CAVEAT = (
    "What this does not show: whether a quicker conversation caused children to stay; only that the two went together."
)


def _hours_label(h: float) -> str:
    if h < 168:
        return f"{int(h)} hour{'s' if int(h) != 1 else ''}"
    return f"{int(h // 24)} days"


def view(ctx: Context, grain: str = "auto") -> View:
    trend, grain, grain_words = _trend_panel(ctx, grain)
    return ctx.view(
        "/engagement",
        "Time to first engagement",
        "How quickly children were engaged as victims after first contact, in each period.",
        [_distribution_panel(ctx), _quartiles_panel(ctx), _within_panel(ctx), trend],
        [grain_words] if grain_words and trend.figure is not None else [],  # only where a chart shows them
        grain=grain,
    )


def _distribution_panel(ctx: Context) -> Panel:
    """The share engaged within each fixed time, both periods, with the medians compared."""
    periods, comparison, audience = ctx.periods, ctx.comparison, ctx.audience
    eb, ep = periods["baseline"]["engagement"], periods["pilot"]["engagement"]
    cumulative = {name: cumulative_counts(ctx.groups[name]) for name in ("baseline", "pilot")}
    labels = [_hours_label(h) for h in cumulative["baseline"]["hours"]]
    shown_recorded = {"baseline": eb["recorded"], "pilot": ep["recorded"]}  # the shares' denominator, as published

    def engaged_by(at):
        return lambda group: group["engagement_hours"].notna().to_numpy() & (group["engagement_hours"] <= at).to_numpy()

    shares = {
        name: [
            audience.rate(
                ctx.cell(name, engaged_by(r.hours)),
                ctx.cell(name, lambda group: group["engagement_hours"].notna().to_numpy()),
                shown_recorded[name],
            )["rate"]
            if r.recorded
            else None
            for r in cumulative[name].itertuples()
        ]
        for name in cumulative
    }
    for name in shares:
        for i, hours_at in enumerate(cumulative[name]["hours"]):

            def counts_of(group, at=hours_at):
                c = cumulative_counts(group, points=(at,)).iloc[0]
                return c["recorded"], c["engaged"], c["recorded"] - c["engaged"]

            # filters that cannot be subtracted, as the within-24-hours share
            shares[name][i] = hidden_if(ctx.small_step(name, counts_of), shares[name][i])
            if hours_at == 24:  # one measure, one number: the summary's (shielded the same way)
                shares[name][i] = (
                    periods[name]["engagement"]["within_24h"]["rate"] if shares[name][i] is not None else None
                )
    median_sentence = median_change(
        eb["median_hours"],
        ep["median_hours"],
        comparison.get("engagement_median_difference_hours"),
        comparison.get("engagement_p_value"),
    )
    # The title says what the chart shows, a share at a fixed time (it gave the median, which the quartiles'
    # slide gives, so two slides had one title), at the first of these times where both periods can be shown.
    finding = "Share engaged within a given time, before and during the pilot"
    for wanted in ("12 hours", "4 hours", "72 hours"):
        if wanted in labels:
            i = labels.index(wanted)
            b, p = shares["baseline"][i], shares["pilot"][i]
            if is_value(b) and is_value(p):
                finding = f"Engaged within {wanted}: {pct(b)} before the pilot, {pct(p)} during it"
                break
    return Panel(
        panel_id="chart-engagement-distribution",
        title="Share engaged within a given time",
        finding=finding,
        summary=median_sentence,
        figure=lines(
            labels,
            {name: [v * 100 if is_value(v) else v for v in values] for name, values in shares.items()},
            "Children engaged (%)",
            "Within this many hours of first contact",
            "%{y:.0f}% engaged within %{x}",
        ),
        table=Table(
            "table-engagement-distribution",
            "Children engaged within each time",
            ["Within", ("Baseline", "rate"), ("Pilot", "rate")],
            [[label, shares["baseline"][i], shares["pilot"][i]] for i, label in enumerate(labels)]
            + [["Median hours", Cell(eb["median_hours"], "hours"), Cell(ep["median_hours"], "hours")]],
        ),
        notes=[
            DEFINITION,
            (
                "Shares at fixed times, each from the perturbed counts; c where fewer than 10 children had an "
                "engagement recorded. Medians compared with the Mann-Whitney U test, two-sided."
                if audience.perturbing
                else "Shares at fixed times, each from exact counts; c where fewer than 10 children had an "
                "engagement recorded, or where the children recorded are themselves c (the 1 to 7 without one would "
                "be given back). Medians compared with the Mann-Whitney U test, two-sided."
            ),
            audience.footnote,
        ],
        speaker_notes=f"{median_sentence} Quartiles: baseline {hours(eb['q1_hours'])} to {hours(eb['q3_hours'])}, "
        f"pilot {hours(ep['q1_hours'])} to {hours(ep['q3_hours'])}. {CAVEAT}",
    )


def _quartiles_panel(ctx: Context) -> Panel:
    """Percentiles of hours to first engagement as boxes, both periods."""
    periods, comparison, audience = ctx.periods, ctx.comparison, ctx.audience
    eb, ep = periods["baseline"]["engagement"], periods["pilot"]["engagement"]
    quart_rows, boxes = [], []
    for name, e in (("baseline", eb), ("pilot", ep)):
        recorded = e["recorded"] if audience.perturbing else int(ctx.groups[name]["engagement_hours"].notna().sum())
        tails = {k: audience.statistic(v, recorded) for k, v in deciles(ctx.groups[name]).items()}
        quart_rows.append(
            [
                PERIOD_STYLE[name]["label"],
                e["recorded"],
                tails["p10_hours"],
                e["q1_hours"],
                e["median_hours"],
                e["q3_hours"],
                tails["p90_hours"],
                e["mean_hours"],
            ]
        )
        values = [tails["p10_hours"], e["q1_hours"], e["median_hours"], e["q3_hours"], tails["p90_hours"]]
        if all(is_value(v) for v in values):
            boxes.append(dict(zip(("p10", "q1", "median", "q3", "p90"), values), period=name))
    quart_summary = (
        f"Median {hours(eb['median_hours'])} in the baseline (quartiles {hours(eb['q1_hours'])} to "
        f"{hours(eb['q3_hours'])}) and {hours(ep['median_hours'])} in the pilot (quartiles "
        f"{hours(ep['q1_hours'])} to {hours(ep['q3_hours'])})"
        + (
            f"; {p_value(comparison.get('engagement_p_value'))}."
            if comparison.get("engagement_p_value") is not None
            else "."
        )
    )
    return Panel(
        panel_id="chart-engagement-quartiles",
        title="Quartiles of hours to first engagement",
        finding=f"Median hours to first engagement: {hours(eb['median_hours'])} before the pilot, "
        f"{hours(ep['median_hours'])} during it",
        summary=quart_summary,
        figure=quartile_boxes(boxes, "Hours from first contact to first engagement"),
        table=Table(
            "table-engagement-quartiles",
            "Percentiles of hours to first engagement",
            [
                "Period",
                ("Recorded", "count"),
                ("10th", "hours"),
                ("25th", "hours"),
                ("Median", "hours"),
                ("75th", "hours"),
                ("90th", "hours"),
                ("Mean", "hours"),
            ],
            quart_rows,
        ),
        notes=[
            "Box: 25th to 75th percentile with the median; whiskers: 10th and 90th percentiles (linear "
            "interpolation). Not drawn where fewer than 10 children had an engagement recorded.",
            audience.footnote,
        ],
        speaker_notes=f"{quart_summary} {CAVEAT}",
        open_table=True,
    )


def _within_panel(ctx: Context) -> Panel:
    """The share engaged within 24 hours, both periods, and its difference."""
    periods, comparison, audience = ctx.periods, ctx.comparison, ctx.audience
    w_b, w_p = periods["baseline"]["engagement"]["within_24h"], periods["pilot"]["engagement"]["within_24h"]
    w_diff = comparison.get("within_24h_difference") or {}
    within_sentence = (
        f"Engaged within 24 hours: {pct(w_b['rate'])} in the baseline "
        f"(95% interval {interval(w_b['ci_low'], w_b['ci_high'])}) and {pct(w_p['rate'])} in the pilot "
        f"({interval(w_p['ci_low'], w_p['ci_high'])}); difference {points(w_diff.get('difference'))} points "
        f"(95% interval {interval(w_diff.get('ci_low'), w_diff.get('ci_high'), points)})."
    )
    return Panel(
        panel_id="chart-engagement-within24",
        title="Engaged within 24 hours",
        finding=f"Engaged within 24 hours: {pct(w_b['rate'])} before the pilot, {pct(w_p['rate'])} during it",
        summary=within_sentence,
        figure=headline_figure([{"label": "Engaged within 24 hours", "baseline": w_b, "pilot": w_p}]),
        table=Table(
            "table-engagement-within24",
            "Share engaged within 24 hours",
            [
                "Period",
                ("Recorded", "count"),
                ("Within 24 hours", "count"),
                ("Share", "rate"),
                ("95% low", "rate"),
                ("95% high", "rate"),
            ],
            [
                ["Baseline", w_b["n"], w_b["count"], w_b["rate"], w_b["ci_low"], w_b["ci_high"]],
                ["Pilot", w_p["n"], w_p["count"], w_p["rate"], w_p["ci_low"], w_p["ci_high"]],
                [
                    "Difference (points)",
                    None,
                    None,
                    Cell(w_diff.get("difference"), "points"),
                    Cell(w_diff.get("ci_low"), "points"),
                    Cell(w_diff.get("ci_high"), "points"),
                ],
            ],
        ),
        notes=[
            "95% Wilson intervals; the difference is pilot minus baseline with Newcombe's interval.",
            audience.footnote,
        ],
        speaker_notes=f"{within_sentence} {CAVEAT}",
        open_table=True,
    )


def _course(series, grain: str) -> str:
    """What the chart's own points say, without a figure of its own (the periods' figures are the overview's):
    whether every shown point of the pilot lies above, or below, every shown point before it."""
    shown = {
        p: [v for v, q in zip(series["within_24h"], series["period"]) if q == p and is_value(v)]
        for p in ("baseline", "pilot")
    }
    if not shown["baseline"] or not shown["pilot"]:
        return ""
    if min(shown["pilot"]) > max(shown["baseline"]):
        return f": every {grain} of the pilot shown is above every {grain} before it"
    if max(shown["pilot"]) < min(shown["baseline"]):
        return f": every {grain} of the pilot shown is below every {grain} before it"
    return f": the {grain}s before and during the pilot overlap"


def _trend_panel(ctx: Context, grain: str) -> tuple[Panel, str, str | None]:
    """The share engaged within 24 hours by month or quarter of first contact: the panel, its grain and the words
    that explain the grain chosen."""
    audience = ctx.audience
    grain, series, grain_words = series_module.choose(ctx, grain, ("within_24h",))
    points_ = [(m, v * 100 if is_value(v) else v) for m, v in zip(series["month"], series["within_24h"])]
    shown = sum(1 for _, v in points_ if is_value(v))
    suppressed = sum(1 for _, v in points_ if v == SUPPRESSED)
    trend_summary = (
        f"{len(points_)} {grain}s; {shown} shown and {suppressed} not shown because fewer than 10 children "
        "had an engagement recorded."
    )
    enough = shown >= series_module.MIN_POINTS
    if not enough:
        trend_summary += f" Too few {grain}s can be shown to draw a chart; the table gives every {grain}."

    _, start, _ = split_label(ctx, grain)
    finding = f"Engaged within 24 hours, {grain} by {grain}{_course(series, grain) if enough else ''}"
    if start and enough:
        trend_summary += f" The pilot started on {long_date(start)} (the dotted line)."
    panel = Panel(
        panel_id="chart-engagement-trend",
        title=f"Engaged within 24 hours, by {grain} of first contact",
        finding=finding,
        summary=trend_summary,
        figure=series_figure(points_, "Engaged within 24 hours (%)", "Share within 24 hours", "%{y:.0f}%", start)
        if enough
        else None,
        table=trend_table(series, grain, audience.perturbing),
        notes=[f"Complete {grain}s only; c: fewer than 10 children with an engagement recorded.", audience.footnote],
        speaker_notes=f"{trend_summary} {CAVEAT}",
        open_table=not enough,
    )
    return panel, grain, grain_words


def trend_table(series, grain: str, perturbing: bool) -> Table:
    """The trend's table: each point's share, beside the children with an engagement recorded where the method
    allows. Under perturbation a point's counts beside its share would give its children not recorded (the point's
    children less them), and a run of months of 1 (a 1 is always published as 1) beside the period's count gave
    each 1 back: the shares alone, c where fewer than 10 were recorded."""
    recorded = [] if perturbing else [("Recorded", "count")]
    return Table(
        "table-engagement-trend",
        f"Share engaged within 24 hours by {grain}",
        [grain.title(), *recorded, ("Within 24 hours", "rate")],
        [
            [period_label(m), *([] if perturbing else [n]), v]
            for m, n, v in zip(series["month"], series["engagement_recorded"], series["within_24h"])
        ],
    )


def build(ask: Ask, facts) -> View:
    return view(ask.context(facts, attribution=False), ask.query.get("grain", "auto"))


REPORT = Report("/engagement", "Engagement", build, order=2, settings=("grain",), deck=True, warm=True)
