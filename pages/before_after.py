"""Before and after: monthly XmR charts split at the pilot start (NHS 'Making Data Count' style)."""

from urllib.parse import urlencode

import dash
from dash import dcc, html

from components.chart import chart, data_table
from components.figures import xmr_figure
from components.format import SUPPRESSED, num
from components.shell import empty_warehouse, page_for
from components.theme import VARIATION_STYLE
from metrics.disclosure import FOOTNOTE, disclose_monthly
from metrics.filters import Filters, resolve
from metrics.monthly import monthly_series, quarter_of
from metrics.spc import RULE_NAMES, TRIAL_POINTS, xmr
from warehouse.current import current_facts

dash.register_page(__name__, path="/before-after", name="Before and after", title="Before and after · Harbour", order=3)

MEASURES = (
    ("children", "Children first contacted", "Children", 0, ".0f"),
    ("retention_7d", "Retained 7 days after placement", "Retained at 7 days (%)", +1, ".0f"),
    ("median_engagement_hours", "Median hours to first engagement", "Median hours", -1, ".1f"),
)
SPC_NOTE = ("XmR chart: mean and process limits (mean ± 2.66 × mean moving range), recalculated at the pilot start. "
            "Special cause: a point outside the limits; 7 or more points in a row on one side of the mean; 7 or more "
            "points in a row each rising or each falling; 2 of 3 points near or beyond a limit on the same side. "
            "Blue triangles: improvement; orange diamonds: concern; purple: special cause where neither direction is "
            "better; grey circles: common cause. Computed on the published (rounded) points; suppressed points are "
            "left out.")


def _split_label(facts, filters, grain):
    chosen = facts.forces[facts.forces["force_code"].isin(filters.force)] if filters.force else facts.forces
    starts = {d for d in chosen["pilot_start"] if d is not None}
    if len(starts) != 1:
        return None, ("The forces chosen started their schemes on different dates (or have none), so the limits "
                      "are not recalculated at one pilot start." if len(chosen) > 1 else "This force has no scheme yet.")
    start = starts.pop()
    month = f"{start.year:04d}-{start.month:02d}"
    return (month if grain == "month" else quarter_of(month)), None


def layout(grain="month", **query):
    facts = current_facts()
    if facts.forces.empty:
        return empty_warehouse()
    grain = "quarter" if grain == "quarter" else "month"
    filters = resolve(Filters.from_query(query), facts.forces)
    series = disclose_monthly(monthly_series(filters.apply(facts.children), facts.extract_dates(), grain))
    split_label, split_notice = _split_label(facts, filters, grain)
    charts, suppressed_share = [], []
    for column, title, y_title, improvement, fmt in MEASURES:
        points = [(m, v) for m, v in zip(series["month"], series[column]) if v is not None and v != SUPPRESSED
                  and v == v]
        suppressed = sum(1 for v in series[column] if v == SUPPRESSED)
        scale = 100 if column == "retention_7d" else 1
        labels = [m for m, _ in points]
        values = [v * scale for _, v in points]
        split_at = next((i for i, m in enumerate(labels) if split_label and m >= split_label), None)
        frame = xmr(values, labels, split_at=split_at, improvement=improvement)
        charts.append(_chart(column, title, y_title, fmt, frame, suppressed, len(series), grain,
                             split_at if split_at else None))
        suppressed_share.append(suppressed / len(series) if len(series) else 0)
    sparse = None
    if grain == "month" and suppressed_share and max(suppressed_share) > 0.5:
        sparse = html.P(["Most months have too few children to publish under disclosure control, so most monthly "
                         "points are suppressed. ", dcc.Link("Show quarterly points instead", href="?" + _query(query, "quarter")),
                         ", or choose all forces together."], className="notice", id="sparse-notice")
    switch = html.P(["Points by: ", dcc.Link("month", href="?" + _query(query, "month")), " · ",
                     dcc.Link("quarter", href="?" + _query(query, "quarter"))], className="grain-switch")
    return page_for(
        facts, filters, "Before and after the pilot",
        f"What changed when the pilot started: {grain}ly points with limits recalculated at the pilot start.",
        html.P(split_notice, className="notice") if split_notice else None,
        sparse, switch, *charts,
    )


def _chart(column, title, y_title, fmt, frame, suppressed, total, grain, split_at):
    if frame.empty:
        summary = (f"No {grain} can be shown: all {total} are suppressed or have too few children. "
                   + ("Try grouping by quarter." if grain == "month" else "Try more forces together."))
        return chart(f"chart-spc-{column}", title, None, summary,
                     data_table(f"table-spc-{column}", title, [grain.title()], []), [SPC_NOTE, FOOTNOTE])
    special = frame[frame["special"]]
    warnings = []
    for segment, part in frame.groupby("segment"):
        if len(part) < TRIAL_POINTS:
            name = ("the baseline segment" if segment == 1 else "the pilot segment") if split_at is not None else "the series"
            warnings.append(f"{name} has {len(part)} point{'s' if len(part) != 1 else ''}, so its limits are trial limits")
    kinds = {}
    for variation in special["variation"]:
        kinds[variation] = kinds.get(variation, 0) + 1
    found = "; ".join(f"{n} {VARIATION_STYLE[v]['label'].lower()}" for v, n in kinds.items()) or "only common cause variation"
    summary = (f"{len(frame)} {grain}s shown, {suppressed} suppressed. {found.capitalize()}."
               + (f" Warning: {'; '.join(warnings)}." if warnings else ""))
    rows = [[r.label, f"{r.value:{fmt}}", f"{r.mean:{fmt}}", f"{r.lower:{fmt}}", f"{r.upper:{fmt}}",
             VARIATION_STYLE[r.variation]["label"], r.rules or "–", "trial" if r.trial else "–"]
            for r in frame.itertuples()]
    return chart(f"chart-spc-{column}", title, xmr_figure(frame, y_title, fmt, split_at), summary,
                 data_table(f"table-spc-{column}", f"{title}: points, limits and special causes",
                            [grain.title(), "Value", "Mean", "Lower limit", "Upper limit", "Variation", "Rules", "Limits"],
                            rows),
                 [SPC_NOTE, "Rules: " + "; ".join(RULE_NAMES.values()) + ".", FOOTNOTE])


def _query(query: dict, grain: str) -> str:
    return urlencode({**{k: v for k, v in query.items() if k != "grain"}, "grain": grain}, safe=",")
