"""The warehouse the running dashboard reads: set once by ``harbour serve``, else from settings."""

from __future__ import annotations

from harbour import settings
from harbour.warehouse.engine import engine_for
from harbour.warehouse.queries import Facts, facts

_url: str | None = None


def use(url: str | None) -> None:
    global _url
    _url = url


def url() -> str:
    return _url or settings.warehouse_url()


def engine():
    return engine_for(url())


def current_facts() -> Facts:
    return facts(engine())
