"""Which view each page shows, built from a request's path and query: the one place that the pages,
the downloads and the slide decks all ask."""

from __future__ import annotations

from metrics.disclosure import PUBLICATION, Audience
from metrics.filters import Filters, resolve
from reports import before_after, data_quality, engagement, methodology, missing, overview, retention, value
from reports.context import Context
from reports.model import View

STANDARD_DECK = ("/", "/retention", "/engagement", "/before-after", "/missing", "/value")


def build(path: str, query: dict, facts, audience: Audience = PUBLICATION) -> View | None:
    """``build_uncached``'s view through the shared view cache (reports.cache)."""
    from reports.cache import cached_view

    return cached_view(path, query, facts, audience, lambda: build_uncached(path, query, facts, audience))


def build_uncached(path: str, query: dict, facts, audience: Audience = PUBLICATION) -> View | None:
    """The view of ``path`` for ``query`` (the URL's parameters) made for ``audience``, or None for an
    unknown path. Benchmarking and data quality are publication figures whatever the audience."""
    if path == "/methodology":
        return methodology.view(facts.synthetic, audience)
    if path == "/benchmark":
        from reports import benchmark
        from warehouse.current import engine
        from warehouse.peers import all_peers

        filters = resolve(Filters.from_query(query), facts.forces)
        selected = filters.force[0] if len(filters.force) == 1 else ""
        group = {p for p in str(query.get("peers", "")).split(",") if p}
        period = "baseline" if query.get("bench_period") == "baseline" else "pilot"
        return benchmark.view(facts, all_peers(engine()), selected, group, period, query.get("od") == "1")
    if path == "/access-log":
        from reports import access_log
        from warehouse.current import engine
        from warehouse.queries import access_entries

        return access_log.view(access_entries(engine()), facts.synthetic)
    if path == "/data-quality":
        from warehouse.current import engine
        from warehouse.queries import coverage, load_history, warnings_by_rule

        return data_quality.view(facts, load_history(engine()), warnings_by_rule(engine()), coverage(engine()))
    builders = {
        "/": lambda ctx: overview.view(ctx),
        "/retention": lambda ctx: retention.view(ctx),
        "/engagement": lambda ctx: engagement.view(ctx, query.get("grain", "auto")),
        "/before-after": lambda ctx: before_after.view(ctx, query.get("grain", "auto")),
        "/missing": lambda ctx: missing.view(ctx),
        "/value": lambda ctx: value.view(ctx, *value.inputs_from(query)),
    }
    if path not in builders:
        return None
    ctx = Context(facts, resolve(Filters.from_query(query), facts.forces), audience)
    return builders[path](ctx)


def standard_views(query: dict, facts, audience: Audience = PUBLICATION) -> list[View]:
    """The standard conference deck's views (time series at the grain their views choose)."""
    return [build(path, query, facts, audience) for path in STANDARD_DECK]
