"""Before and after: monthly XmR charts split at the pilot start (NHS 'Making Data Count' style)."""

from __future__ import annotations

from components.figures import xmr_figure
from components.format import SUPPRESSED
from components.theme import VARIATION_STYLE
from metrics.disclosure import FOOTNOTE, disclose_monthly
from metrics.monthly import monthly_series, quarter_of
from metrics.spc import RULE_NAMES, TRIAL_POINTS, xmr
from reports.context import Context
from reports.model import Panel, Table, View

MEASURES = (
    ("children", "Children first contacted", "Children", 0, ".0f"),
    ("retention_7d", "Retained 7 days after placement", "Retained at 7 days (%)", +1, ".0f"),
    ("median_engagement_hours", "Median hours to first engagement", "Median hours", -1, ".1f"),
)
SPC_NOTE = ("XmR chart: mean and process limits (mean ± 2.66 × mean moving range), recalculated at the pilot start. "
            "Special cause: " + "; ".join(RULE_NAMES.values()) + ". Blue triangles: improvement; orange diamonds: "
            "concern; purple: special cause where neither direction is better; grey circles: common cause. Computed on "
            "the published (rounded) points; suppressed points are left out.")
CAVEAT = ("What this does not show: a special cause says the process changed, not that the pilot changed it. "
          "Trial limits on few points are provisional.")


def split_label(ctx: Context, grain: str):
    starts = {d for d in ctx.forces["pilot_start"] if d is not None}
    if len(starts) != 1:
        return None, ("The forces chosen started their schemes on different dates (or have none), so the limits "
                      "are not recalculated at one pilot start." if len(ctx.forces) > 1 else "This force has no scheme yet.")
    start = starts.pop()
    month = f"{start.year:04d}-{start.month:02d}"
    return (month if grain == "month" else quarter_of(month)), None


def view(ctx: Context, grain: str = "month") -> View:
    grain = "quarter" if grain == "quarter" else "month"
    series = disclose_monthly(monthly_series(ctx.filters.apply(ctx.facts.children), ctx.facts.extract_dates(), grain))
    label, notice = split_label(ctx, grain)
    panels, notices, sparse = [], [notice] if notice else [], False
    for column, title, y_title, improvement, fmt in MEASURES:
        published = [(m, v) for m, v in zip(series["month"], series[column]) if v is not None and v != SUPPRESSED and v == v]
        suppressed = sum(1 for v in series[column] if v == SUPPRESSED)
        sparse = sparse or (len(series) and suppressed / len(series) > 0.5)
        scale = 100 if column == "retention_7d" else 1
        labels = [m for m, _ in published]
        values = [v * scale for _, v in published]
        split_at = next((i for i, m in enumerate(labels) if label and m >= label), None)
        frame = xmr(values, labels, split_at=split_at, improvement=improvement)
        panels.append(_panel(column, title, y_title, fmt, frame, suppressed, len(series), grain, split_at or None))
    if grain == "month" and sparse:
        notices.append("Most months have too few children to publish under disclosure control, so most monthly points "
                       "are suppressed: show quarterly points instead, or choose all forces together.")
    return View("/before-after", "Before and after the pilot",
                f"What changed when the pilot started: {grain}ly points with limits recalculated at the pilot start.",
                panels, ctx.synthetic, ctx.scope(), notices, extract_date=ctx.extract_date(), scheme=ctx.scheme(), grain=grain)


def _panel(column, title, y_title, fmt, frame, suppressed, total, grain, split_at) -> Panel:
    if frame.empty:
        summary = (f"No {grain} can be shown: all {total} are suppressed or have too few children. "
                   + ("Try grouping by quarter." if grain == "month" else "Try more forces together."))
        return Panel(f"chart-spc-{column}", title, f"{title}: too few children to chart", summary, None,
                     Table(f"table-spc-{column}", title, [grain.title()], []), [SPC_NOTE, FOOTNOTE], summary)
    special = frame[frame["special"]]
    warnings = []
    for segment, part in frame.groupby("segment"):
        if len(part) < TRIAL_POINTS:
            name = ("the baseline segment" if segment == 1 else "the pilot segment") if split_at is not None else "the series"
            warnings.append(f"{name} has {len(part)} point{'s' if len(part) != 1 else ''}, so its limits are trial limits")
    kinds: dict[str, int] = {}
    for variation in special["variation"]:
        kinds[variation] = kinds.get(variation, 0) + 1
    found = "; ".join(f"{n} {VARIATION_STYLE[v]['label'].lower()}" for v, n in kinds.items()) or "only common cause variation"
    summary = (f"{len(frame)} {grain}s shown, {suppressed} suppressed. {found.capitalize()}."
               + (f" Warning: {'; '.join(warnings)}." if warnings else ""))
    means = frame.groupby("segment")["mean"].first().tolist()
    if len(means) == 2:
        finding = f"{title}: mean {means[0]:{fmt}} before the pilot, {means[1]:{fmt}} during it"
    else:
        finding = f"{title}: mean {means[0]:{fmt}}"
    rows = [[r.label, f"{r.value:{fmt}}", f"{r.mean:{fmt}}", f"{r.lower:{fmt}}", f"{r.upper:{fmt}}",
             VARIATION_STYLE[r.variation]["label"], r.rules or "–", "trial" if r.trial else "–"]
            for r in frame.itertuples()]
    ceiling = 100.0 if column == "retention_7d" else None
    return Panel(f"chart-spc-{column}", title, finding, summary, xmr_figure(frame, y_title, fmt, split_at, 0.0, ceiling),
                 Table(f"table-spc-{column}", f"{title}: points, limits and special causes",
                       [grain.title(), "Value", "Mean", "Lower limit", "Upper limit", "Variation", "Rules", "Limits"], rows),
                 [SPC_NOTE, FOOTNOTE], f"{summary} {finding}. {CAVEAT}")
