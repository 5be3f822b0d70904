"""Before and after: XmR charts split at the pilot start (NHS 'Making Data Count' style), by month
or quarter as the view's grain says."""

from __future__ import annotations

import numpy as np

from harbour.metrics.monthly import quarter_of
from harbour.metrics.spc import RULE_NAMES, RUN, TRIAL_POINTS, xmr
from harbour.views import series as series_module
from harbour.views.ask import Ask
from harbour.views.context import Context
from harbour.views.figures import xmr_figure
from harbour.views.format import SUPPRESSED, display, long_date, period_label
from harbour.views.model import Panel, Table, View
from harbour.views.report import Report
from harbour.views.theme import VARIATION_STYLE

MEASURES = (
    ("children", "Children first contacted", "Children", 0, ".0f", "count"),
    ("retention_7d", "Retained 7 days after placement", "Retained at 7 days (%)", +1, ".0f", "number"),
    ("median_engagement_hours", "Median hours to first engagement", "Median hours", -1, ".1f", "hours"),
)
VALUE_KINDS = {"retention_7d": "rate", "median_engagement_hours": "hours"}  # others are plain numbers
SPC_NOTE = (
    "XmR chart: mean and process limits (mean ± 2.66 × mean moving range, the moving ranges of 3.267 times their "
    "mean or more left out, as NHSRplotthedots does), recalculated at the pilot start. "
    "Special cause: " + "; ".join(RULE_NAMES.values()) + ". Blue triangles: improvement; orange diamonds: "
    "concern; purple: special cause where neither direction is better; grey circles: common cause. Computed on "
    "the points shown; a point that cannot be shown leaves a gap. A limit beyond what is possible (below 0, above "
    "100%) is shown at that bound."
)
UNUSUAL = {  # the unusual points said in words (views.vocabulary): "2 worse than usual"
    "improvement": "better than usual",
    "concern": "worse than usual",
    "neutral high": "higher than usual",
    "neutral low": "lower than usual",
}
CAVEAT = (
    "What this does not show: a special cause says the process changed, not that the pilot changed it. "
    "Trial limits on few points are provisional."
)


def split_label(ctx: Context, grain: str):
    starts = {d for d in ctx.forces["pilot_start"] if d is not None}
    if len(starts) != 1:
        return (
            None,
            None,
            (
                "The forces chosen started their schemes on different dates (or have none), so the limits "
                "are not recalculated at one pilot start."
                if len(ctx.forces) > 1
                else "This force has no scheme yet."
            ),
        )
    start = starts.pop()
    month = f"{start.year:04d}-{start.month:02d}"
    return (month if grain == "month" else quarter_of(month)), start.isoformat(), None


def _number(v):
    return v is not None and v != SUPPRESSED and v == v


def view(ctx: Context, grain: str = "auto") -> View:
    grain, series, grain_words = series_module.choose(ctx, grain, tuple(m[0] for m in MEASURES))
    label, start, notice = split_label(ctx, grain)
    panels = []
    # A quarter (or month) that straddles the pilot's start holds children of both periods: it belongs to neither
    # period's limits (metrics.md version 4), drawn apart and said.
    mixed = set(series["month"][series["period"] == "mixed"]) if "period" in series and label else set()
    for column, title, y_title, improvement, fmt, kind in MEASURES:
        scale = 100 if column == "retention_7d" else 1
        points = [(m, v * scale if _number(v) else v) for m, v in zip(series["month"], series[column])]
        published = [(m, v) for m, v in points if _number(v) and m not in mixed]
        apart = [(m, v) for m, v in points if _number(v) and m in mixed]
        labels = [m for m, _ in published]
        split_at = next((i for i, m in enumerate(labels) if label and m >= label), None)
        frame = xmr([v for _, v in published], labels, split_at=split_at, improvement=improvement)
        panels.append(
            _panel(ctx, column, title, y_title, fmt, kind, frame, points, grain, split_at or None, start, apart)
        )
    charted = any(p.figure is not None for p in panels)  # why months or quarters: only where a chart shows them
    notices = [n for n in (notice, grain_words if charted else None) if n]
    return ctx.view(
        "/before-after",
        "Before and after the pilot",
        f"What changed when the pilot started: {grain}ly points with limits recalculated at the pilot start.",
        panels,
        notices,
        grain=grain,
    )


def _panel(ctx, column, title, y_title, fmt, kind, frame, points, grain, split_at, start, apart=()) -> Panel:
    suppressed = sum(1 for _, v in points if v == SUPPRESSED)
    notes = [SPC_NOTE, ctx.audience.footnote]
    if len(frame) < series_module.MIN_POINTS:
        summary = f"Too few {grain}s can be shown to chart: {len(frame)} of {len(points)} have enough children" + (
            ". Try grouping by quarter, or more forces together."
            if grain == "month"
            else ". Try more forces together, or a longer time."
        )
        rows = [[period_label(m), v] for m, v in points]
        return Panel(
            panel_id=f"chart-spc-{column}",
            title=title,
            finding=f"{title}: too few children to chart by {grain}",
            summary=summary,
            figure=None,
            table=Table(f"table-spc-{column}", f"{title} by {grain}", [grain.title(), ("Value", kind)], rows),
            notes=notes,
            speaker_notes=summary,
            open_table=True,
        )
    special = frame[frame["special"]]
    warnings = []
    for segment, part in frame.groupby("segment"):
        if len(part) < TRIAL_POINTS:
            name = (
                ("the baseline segment" if segment == 1 else "the pilot segment")
                if split_at is not None
                else "the series"
            )
            warnings.append(
                f"{name} has {len(part)} point{'s' if len(part) != 1 else ''}, so its usual range is provisional"
            )
    kinds: dict[str, int] = {}
    for variation in special["variation"]:
        kinds[variation] = kinds.get(variation, 0) + 1
    found = "; ".join(f"{n} {UNUSUAL[v]}" for v, n in kinds.items()) or "only usual variation"
    summary = (
        f"{len(frame) + len(apart)} {grain}s shown, {suppressed} not shown (too few children). {found.capitalize()}."
        + (f" Warning: {'; '.join(warnings)}." if warnings else "")
    )
    if apart:
        straddling = ", ".join(period_label(m) for m, _ in apart)
        summary += f" {straddling} straddles the pilot's start: in neither period's mean and range."
    digits = int(fmt[1])
    # The table's numbers carry their unit (a rate as a rate, hours as hours), and the title says the
    # means exactly as the table shows them: "mean 86% before the pilot", "mean 37.8 h".
    unit = VALUE_KINDS.get(column, "number")

    def cell(x):
        x = round(x, digits)
        return round(x / 100, digits + 2) if unit == "rate" else x

    means = [display(unit, cell(m)) for m in frame.groupby("segment")["mean"].first().tolist()]
    # The title says what the chart shows, never a level that competes with the headline (metrics.md version 4):
    # "the quarters averaged 9.4 h" beside a median of 5.1 h was a mean of quarterly medians. The means are said in
    # the words below, named for what they are.
    unusual = len(special)
    shift = None
    if len(means) == 2:
        # A shift at the pilot's start, as Making Data Count justifies recalculating limits: the pilot's points, against
        # the baseline's mean and limits, run 7 or more on one side of it, or their mean lies beyond its limits.
        (_, before), (_, after) = list(frame.groupby("segment"))
        base = before.iloc[0]
        sides = np.sign(after["value"].to_numpy() - base["mean"])
        run = 0
        while run < len(sides) and sides[run] != 0 and sides[run] == sides[0]:
            run += 1
        mean_after = after["value"].mean()
        if mean_after > base["upper"] or (run >= RUN and sides[0] > 0):
            shift = "higher from the pilot's start"
        elif mean_after < base["lower"] or (run >= RUN and sides[0] < 0):
            shift = "lower from the pilot's start"
    said = [shift] if shift else []
    if unusual:
        said.append(f"{unusual} unusual {grain}{'s' if unusual != 1 else ''} ({found})")
    if not said:
        few = len(means) == 2 and (frame["segment"] == 2).sum() < RUN  # no run of 7 could have shown a shift yet
        said = [
            f"{(frame['segment'] == 2).sum()} {grain}s since the pilot's start, where a shift needs {RUN} in a row; "
            f"no unusual {grain}"
            if few
            else f"no shift at the pilot's start and no unusual {grain}"
            if len(means) == 2
            else f"no unusual {grain}"
        ]
    finding = f"{title}, {grain} by {grain}: " + "; ".join(said)
    of_what = {"count": "counts", "rate": "rates", "hours": "medians"}.get(unit if unit != "number" else kind, "values")
    summary += (
        f" The mean of the {grain}s' {of_what}: {means[0]} before the pilot, {means[1]} during it."
        if len(means) == 2
        else f" The mean of the {grain}s' {of_what}: {means[0]}."
    )
    # What the chart asks, in its notes and the speaker notes (the words beside a projected chart stay short).
    asks = (
        "The chart asks whether single points stand out from their own period's range; whether the periods differ "
        "as a whole is the before-after test of the overview and its page, on every child of each period."
    )
    notes = [asks, *notes]
    ceiling = 100.0 if column == "retention_7d" else None

    def bound(x):  # a limit beyond what is possible is shown at that bound, as on the chart
        if x != x:  # no limit (NaN): a segment of one point
            return None
        return cell(min(max(x, 0.0), ceiling) if ceiling is not None else max(x, 0.0))

    rows = [
        [
            period_label(r.label),
            cell(r.value),
            cell(r.mean),
            bound(r.lower),
            bound(r.upper),
            VARIATION_STYLE[r.variation]["label"],
            r.rules or "–",
            "trial" if r.trial else "–",
        ]
        for r in frame.itertuples()
    ]
    for m, v in apart:  # in its place in time, with no limits of its own
        at = next((i for i, later in enumerate(frame["label"]) if str(later) > str(m)), len(frame))
        at += sum(1 for earlier, _ in apart if str(earlier) < str(m))  # rows already inserted before it
        rows.insert(at, [period_label(m), cell(v), None, None, None, "Straddles the pilot's start", "–", "–"])
    figure = xmr_figure(
        frame, y_title, fmt, points, start if split_at is not None else None, 0.0, ceiling, apart=list(apart)
    )
    if start and split_at is not None:
        summary += f" The pilot started on {long_date(start)}."
    return Panel(
        panel_id=f"chart-spc-{column}",
        title=title,
        finding=finding,
        summary=summary,
        figure=figure,
        table=Table(
            f"table-spc-{column}",
            f"{title}: points, usual range and unusual points",
            [
                grain.title(),
                ("Value", unit),
                ("Mean", unit),
                ("Lower limit", unit),
                ("Upper limit", unit),
                "Variation",
                "Rules",
                "Limits",
            ],
            rows,
        ),
        notes=notes,
        speaker_notes=f"{summary} {finding}. {asks} {CAVEAT}",
    )


def build(ask: Ask, facts) -> View:
    return view(ask.context(facts, attribution=False), ask.query.get("grain", "auto"))


REPORT = Report(
    "/before-after",
    "Before and after",
    build,
    order=3,
    settings=("grain",),
    deck=True,
    warm=True,
    nav_name="Before/after",
)
