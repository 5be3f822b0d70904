"""Draw the default page of every force before anyone asks, so that the first visitor never waits.

Run after every load (``harbour load``, ``harbour demo``), when ``harbour serve`` starts, and by
gunicorn's ``when_ready`` hook (gunicorn.conf.py). Pages already in the cache are not drawn again,
so a restart on a warm cache costs a moment. Everything is drawn for nobody in particular: who is
signed in is put in on each request, and permissions are checked then, never here.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

from metrics.disclosure import PUBLICATION, Audience
from reports.registry import warmed

log = logging.getLogger(__name__)


def default_queries(facts) -> list[dict]:
    """The URL queries of the default views: no filter (the lead force), and each force on its own."""
    return [{}, *({"force": str(code)} for code in facts.forces["force_code"])]


def warm(facts, audience: Audience = PUBLICATION, processes: int | None = None) -> tuple[int, float]:
    """Draw every default page not yet cached; returns (pages drawn or found, seconds). Needs the app to
    exist (it registers the pages). Forces are shared between ``processes`` (default: one per core)
    forked from this one, which inherit the facts and write to the same cache."""
    started = time.perf_counter()
    if facts.forces.empty:
        return 0, 0.0
    queries = default_queries(facts)
    processes = max(1, min(processes or os.cpu_count() or 1, len(queries)))
    if processes == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _draw(facts, audience, queries), time.perf_counter() - started
    shares = [queries[i::processes] for i in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        done = sum(pool.map(_draw, [facts] * processes, [audience] * processes, shares))
    return done, time.perf_counter() - started


def _draw(facts, audience: Audience, queries: list[dict]) -> int:
    from reports.page import draw_page
    from reports.ask import Ask
    from warehouse.current import engine

    if multiprocessing.parent_process() is not None:
        engine().dispose(close=False)  # a forked child opens its own connections, never its parent's

    done = 0
    for query in queries:
        for path in warmed():
            draw_page(Ask(path, query, audience), facts)
            done += 1
    return done
