"""Time series for a view: the grain (month or quarter) chosen as docs/metrics.md says, and the
points as the view's audience may see them."""

from __future__ import annotations

from harbour.metrics.monthly import monthly_series
from harbour.views.format import SUPPRESSED

GRAINS = ("auto", "month", "quarter")
PUBLISHABLE_SHARE = 2 / 3
MIN_POINTS = 3  # below this a chart would be an axis around one or two dots: the table and a sentence instead


def publishable_share(values) -> float:
    values = list(values)
    if not values:
        return 0.0
    return sum(1 for v in values if v is not None and v != SUPPRESSED and v == v) / len(values)


def series_for(ctx, grain: str):
    """The view's points by ``grain`` (month or quarter), for its audience; made once per view."""
    return ctx.kept(("series", grain), lambda: fresh_series(ctx, grain))


def fresh_series(ctx, grain: str):
    too_few = [name for name, period in ctx.doc["periods"].items() if period.get("too_few")]
    return ctx.audience.series(
        monthly_series(ctx.filters.apply(ctx.facts.children), ctx.facts.extract_dates(), grain), too_few
    )


def choose(ctx, requested: str, measures: tuple[str, ...]):
    """(grain, series, words): months where at least two thirds of every measure's points can be shown,
    quarters otherwise; a grain the user asked for is kept, with a note where it hides most points."""
    requested = requested if requested in GRAINS else "auto"
    if requested != "auto":
        series = series_for(ctx, requested)
        return requested, series, None
    months = series_for(ctx, "month")
    if len(months) and min(publishable_share(months[m]) for m in measures) >= PUBLISHABLE_SHARE:
        return "month", months, "Points by month: at least two thirds of the months can be shown."
    return (
        "quarter",
        series_for(ctx, "quarter"),
        (
            "Points by quarter: fewer than two thirds of the months have enough "
            "children to be shown, so months are grouped into quarters."
        ),
    )
