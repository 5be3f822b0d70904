"""Every page Harbour draws, collected from the page modules: each module of harbour.pages holds its own record
(``REPORT``, a harbour.views.report.Report), its view, its controls and their callbacks, so that adding a page is
one module and its test.

Dash's page registration (harbour.app), the navigation, the cache keys (harbour.web.cache), ``harbour warm``,
``harbour slides --page``, the standard deck and the views themselves (harbour.web.build) are all derived from the
records collected here.
"""

from __future__ import annotations

import importlib
import pkgutil

import harbour.pages
from harbour.views.report import Report


def collect(package) -> dict[str, tuple[Report, str]]:
    """Each page's record in ``package`` (its modules' ``REPORT``) and the name of the module that holds it, by
    path, in the navigation's order."""
    found = []
    for module in pkgutil.iter_modules(package.__path__):
        name = f"{package.__name__}.{module.name}"
        record = getattr(importlib.import_module(name), "REPORT", None)
        if isinstance(record, Report):
            found.append((record, name))
    return {r.path: (r, name) for r, name in sorted(found, key=lambda pair: pair[0].order)}


_FOUND = collect(harbour.pages)
REPORTS: dict[str, Report] = {path: record for path, (record, _) in _FOUND.items()}
MODULES: dict[str, str] = {path: name for path, (_, name) in _FOUND.items()}


def add(report: Report, module: str) -> Report:
    """Add (or replace) the record of a page held by ``module`` (a page module outside harbour.pages, a plug-in's
    or a test's): everything derived from the registry then knows it."""
    REPORTS[report.path] = report
    MODULES[report.path] = module
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
