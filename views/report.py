"""A page's record: everything the rest of Harbour asks about a page, held once.

Its path and name, who may see it, whether it takes the filter bar, whether the audience changes it, whether and
how it is cached, which URL settings besides the filters shape it, whether it is in the standard deck and the
warm-up, and its builder. Each page module (harbour.pages) holds its own record as ``REPORT``; the registry
(harbour.pages.registry) collects them, and Dash's page registration, the navigation, the cache keys, the
warm-up and the decks are derived from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harbour.views.ask import Ask
from harbour.views.model import View


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
    shaped_by: str = (
        "filters"  # which filters shape its figures: "filters" (all of them) or "force" (the selection only)
    )
    settings: tuple[str, ...] = ()  # URL parameters besides the filters that shape the view
    reads: Callable[[], str] | None = None  # a digest of what it reads besides the facts (part of its cache key)
    deck: bool = False  # in the standard conference deck
    slides: bool = True  # has a deck of its own (the page's Download slides, ``harbour slides --page``)
    warm: bool = False  # drawn by ``harbour warm`` for every force before anyone asks
    nav: bool = True  # linked from every page's navigation
    nav_name: str | None = None  # a shorter name for the navigation, where the page's own is long
    needs_data: bool = True  # an empty warehouse shows the page that says how to load one instead
    controls: Callable[[dict, object], list] | None = None  # (query, facts) -> what the page shows above its figures

    def title(self) -> str:
        return f"{self.name} · Harbour"
