"""Which view each page shows, built from a request's path and query: the one place that the pages,
the downloads and the slide decks all ask."""

from __future__ import annotations

from metrics.filters import Filters, resolve
from reports import before_after, data_quality, engagement, methodology, missing, overview, retention, value
from reports.context import Context
from reports.model import View

STANDARD_DECK = ("/", "/retention", "/engagement", "/before-after", "/missing", "/value")


def build(path: str, query: dict, facts) -> View | None:
    """The view of ``path`` for ``query`` (the URL's parameters), or None for an unknown path."""
    if path == "/methodology":
        return methodology.view(facts.synthetic)
    if path == "/benchmark":
        from reports import benchmark
        from warehouse.current import engine
        from warehouse.peers import all_peers

        filters = resolve(Filters.from_query(query), facts.forces)
        selected = filters.force[0] if len(filters.force) == 1 else ""
        group = {p for p in str(query.get("peers", "")).split(",") if p}
        period = "baseline" if query.get("bench_period") == "baseline" else "pilot"
        return benchmark.view(facts, all_peers(engine()), selected, group, period, query.get("od") == "1")
    if path == "/data-quality":
        from warehouse.current import engine
        from warehouse.queries import load_history, warnings_by_rule

        return data_quality.view(facts, load_history(engine()), warnings_by_rule(engine()))
    builders = {
        "/": lambda ctx: overview.view(ctx),
        "/retention": lambda ctx: retention.view(ctx),
        "/engagement": lambda ctx: engagement.view(ctx, query.get("grain", "month")),
        "/before-after": lambda ctx: before_after.view(ctx, query.get("grain", "month")),
        "/missing": lambda ctx: missing.view(ctx),
        "/value": lambda ctx: value.view(ctx, value.inputs_from(query)),
    }
    if path not in builders:
        return None
    ctx = Context(facts, resolve(Filters.from_query(query), facts.forces))
    return builders[path](ctx)


def standard_views(query: dict, facts) -> list[View]:
    """The standard conference deck's views; before-after by quarter where months are mostly suppressed."""
    views = []
    for path in STANDARD_DECK:
        view = build(path, query, facts)
        if path in ("/before-after", "/engagement") and any("Most months" in n for n in view.notices):
            view = build(path, {**query, "grain": "quarter"}, facts)
        views.append(view)
    return views
