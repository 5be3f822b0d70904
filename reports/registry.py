"""Every report Harbour draws, described once: the one place that says what a page *is*.

A ``Report`` record holds everything the rest of Harbour asks about a page: its path and name, who may see
it, whether it takes the filter bar, whether the audience changes it, whether and how it is cached, which URL
settings besides the filters shape it, whether it is in the standard deck and the warm-up, and its builder.
Dash's page registration (``reports.page.register_page``), the navigation, the cache keys (``reports.cache``),
``harbour warm``, ``harbour slides --page``, the standard deck and the views themselves (``reports.views``)
are all derived from these records.

Adding a page is one module in ``reports/`` (its view), one in ``pages/`` (``register(__name__, PATH)``, and its
controls' callbacks if it has any), and one record below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harbour.reports.ask import Ask
from harbour.reports.model import View


@dataclass(frozen=True)
class Report:
    path: str
    name: str  # in the navigation and the browser's title
    build: Callable[[Ask, object], View]  # (what was asked, the facts) -> the view
    order: float = 99  # place in the navigation
    role: str = "viewer"  # the least role that may see it
    filtered: bool = True  # shows the filter bar and takes its filters
    audiences: bool = True  # exact figures differ from published ones (the analyst's switch means something)
    cached: bool = True  # False: drawn on every request (it reads what changes between loads)
    shaped_by: str = "filters"  # which filters shape its figures: "filters" (all of them) or "force" (the selection only)
    settings: tuple[str, ...] = ()  # URL parameters besides the filters that shape the view
    reads: Callable[[], str] | None = None  # a digest of what it reads besides the facts (part of its cache key)
    deck: bool = False  # in the standard conference deck
    slides: bool = True  # has a deck of its own (the page's Download slides, ``harbour slides --page``)
    warm: bool = False  # drawn by ``harbour warm`` for every force before anyone asks
    nav: bool = True  # linked from every page's navigation
    nav_name: str | None = None  # a shorter name for the navigation, where the page's own is long
    needs_data: bool = True  # an empty warehouse shows the page that says how to load one instead

    def title(self) -> str:
        return f"{self.name} · Harbour"


def _peers_fingerprint() -> str:
    from harbour.exchange.store import fingerprint
    from harbour.warehouse.current import engine

    return fingerprint(engine())


def _benchmark(ask: Ask, facts) -> View:
    from harbour.exchange.store import all_peers
    from harbour.reports import benchmark
    from harbour.warehouse.current import engine

    filters = ask.resolved(facts)
    selected = filters.force[0] if len(filters.force) == 1 else ""
    group = {p for p in str(ask.query.get("peers", "")).split(",") if p}
    period = "baseline" if ask.query.get("bench_period") == "baseline" else "pilot"
    view = benchmark.view(facts, all_peers(engine()), selected, group, period, ask.query.get("od") == "1")
    # A filter shown as applied is applied, or the page says it is not (#19: sex and age were ignored silently).
    labels = {"age_band": "age band", "sex": "sex", "nationality": "nationality", "contact_route": "contact route",
              "month_from": "months of first contact", "month_to": "months of first contact"}
    ignored = list(dict.fromkeys(label for name, label in labels.items() if getattr(filters, name)))
    if ignored:
        view.notices.insert(0, f"Benchmarking compares whole forces: the {' and '.join(ignored)} "
                               f"filter{'s are' if len(ignored) > 1 else ' is'} not applied here, since a peer's pack "
                               "holds its whole force's published figures only.")
    return view


def _data_quality(ask: Ask, facts) -> View:
    from harbour.reports import data_quality
    from harbour.warehouse.current import engine
    from harbour.warehouse.queries import coverage, load_history, warnings_by_rule

    return data_quality.view(facts, load_history(engine()), warnings_by_rule(engine()), coverage(engine()), ask.audience)


def _access_log(ask: Ask, facts) -> View:
    from harbour.reports import access_log
    from harbour.warehouse.current import engine
    from harbour.warehouse.queries import access_entries

    before = str(ask.query.get("before", ""))
    entries, total = access_entries(engine(), access_log.PAGE, int(before) if before.isdigit() else None)
    return access_log.view(entries, total, facts.synthetic)


def _overview(ask: Ask, facts) -> View:
    from harbour.reports import overview

    return overview.view(ask.context(facts))


def _retention(ask: Ask, facts) -> View:
    from harbour.reports import retention

    return retention.view(ask.context(facts))


def _engagement(ask: Ask, facts) -> View:
    from harbour.reports import engagement

    return engagement.view(ask.context(facts), ask.query.get("grain", "auto"))


def _before_after(ask: Ask, facts) -> View:
    from harbour.reports import before_after

    return before_after.view(ask.context(facts), ask.query.get("grain", "auto"))


def _attribution(ask: Ask, facts) -> View:
    from harbour.reports import attribution

    return attribution.view(ask.context(facts))


def _missing(ask: Ask, facts) -> View:
    from harbour.reports import missing

    return missing.view(ask.context(facts))


def _value(ask: Ask, facts) -> View:
    from harbour.reports import value

    return value.view(ask.context(facts), *value.inputs_from(ask.query))


def _methodology(ask: Ask, facts) -> View:
    from harbour.reports import methodology

    return methodology.view(facts.synthetic, ask.audience)


VALUE_SETTINGS = ("cost", "cost_low", "uplift", "scheme_cost")
REPORTS: dict[str, Report] = {r.path: r for r in (
    Report("/", "Overview", _overview, order=0, deck=True, warm=True),
    Report("/retention", "Retention", _retention, order=1, deck=True, warm=True),
    Report("/engagement", "Engagement", _engagement, order=2, settings=("grain",), deck=True, warm=True),
    Report("/before-after", "Before and after", _before_after, order=3, settings=("grain",), deck=True, warm=True,
           nav_name="Before/after"),
    # Filters: the cohort's apply to every force; the months do not (the page says so).
    Report("/attribution", "Attribution", _attribution, order=3.5, deck=True, warm=True),
    Report("/missing", "Missing episodes", _missing, order=4, deck=True, warm=True, nav_name="Missing"),
    Report("/value", "Value for money", _value, order=5, settings=VALUE_SETTINGS, deck=True, warm=True),
    # Benchmarking shows publication figures of every force whatever the audience; only the selection counts.
    Report("/benchmark", "Benchmarking", _benchmark, order=6, audiences=False, shaped_by="force",
           settings=("peers", "bench_period", "od"), reads=_peers_fingerprint, warm=True),
    # Data quality reads the load history, the access log itself: both change between loads.
    Report("/data-quality", "Data quality", _data_quality, order=7, role="admin", filtered=False, cached=False),
    Report("/methodology", "Methodology", _methodology, order=8, filtered=False, audiences=False, warm=True,
           needs_data=False),
    # For admins: linked from the data-quality page, not from every page.
    Report("/access-log", "Access log", _access_log, order=9, role="admin", filtered=False, audiences=False,
           settings=("before",),
           cached=False, slides=False, nav=False, needs_data=False),
)}


def add(report: Report) -> Report:
    """Add (or replace) a report's record: everything derived from the registry then knows it."""
    REPORTS[report.path] = report
    return report


def report_for(path: str | None) -> Report | None:
    return REPORTS.get(path or "/")


def standard_deck() -> tuple[str, ...]:
    return tuple(r.path for r in sorted(REPORTS.values(), key=lambda r: r.order) if r.deck)


def deck_pages() -> tuple[str, ...]:
    """The pages ``harbour slides --page`` takes."""
    return tuple(r.path for r in sorted(REPORTS.values(), key=lambda r: r.order) if r.slides)


def warmed() -> dict[str, bool]:
    """The pages ``harbour warm`` draws for every force, and whether each has the filter bar."""
    return {r.path: r.filtered for r in sorted(REPORTS.values(), key=lambda r: r.order) if r.warm}
