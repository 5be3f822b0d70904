"""Draw the default page of every force before anyone asks, so that the first visitor never waits.

Run after every load (``harbour load``, ``harbour demo``), when ``harbour serve`` starts, and by
gunicorn's ``when_ready`` hook (gunicorn.conf.py). Pages already in the cache are not drawn again,
so a restart on a warm cache costs a moment. Everything is drawn for nobody in particular: who is
signed in is put in on each request, and permissions are checked then, never here.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from harbour.metrics.disclosure import Audience, publication
from harbour.pages.registry import warmed
from harbour.views.ask import Ask
from harbour.warehouse.current import engine
from harbour.web.page import draw_page

log = logging.getLogger(__name__)


def default_queries(facts) -> list[dict]:
    """The URL queries of the default views: no filter (the lead force), and each force on its own."""
    return [{}, *({"force": str(code)} for code in facts.forces["force_code"])]


def warm(facts, audience: Audience | None = None, processes: int | None = None) -> tuple[int, float]:
    """Draw every default page not yet cached; returns (pages drawn or found, seconds). Needs the app to
    exist (it registers the pages). Forces are shared between ``processes`` (default: one per core)
    forked from this one, which inherit the facts and write to the same cache."""
    audience = audience or publication()  # the deployment's method (HARBOUR_DISCLOSURE)
    started = time.perf_counter()
    if facts.forces.empty:
        return 0, 0.0
    queries = default_queries(facts)
    processes = max(1, min(processes or os.cpu_count() or 1, len(queries)))
    if processes == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _draw(facts, audience, queries), time.perf_counter() - started
    shares = [queries[i::processes] for i in range(processes)]
    with ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent
    ) as pool:
        done = sum(pool.map(_draw, [facts] * processes, [audience] * processes, shares))
    return done, time.perf_counter() - started


def die_with_parent() -> None:
    """Make this process end when the one that started it ends, however that ends (kill -9 included): Linux's
    PR_SET_PDEATHSIG. For the warm-up's forked workers and for the warm-up started behind a server, so that a
    stopped server never leaves them drawing pages at full CPU with no parent."""

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's own clean-up (stop_background) still applies
        return
    if os.getppid() == 1:  # the parent was gone before the request took hold
        os._exit(0)


def start_background(audience: str, warehouse_url: str, say=None):
    """``harbour warm`` in a process of its own (its own process group, ending with its parent): a server answers
    at once while its default pages are drawn behind it. ``say(line)`` gets its last line when it is done.
    Returns the process."""

    env = {**os.environ, "HARBOUR_WAREHOUSE": warehouse_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "harbour.cli", "warm", "--audience", audience],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=die_with_parent,
    )  # prctl only, before exec

    def report():
        lines = (process.communicate()[0] or "").strip().splitlines()
        if say is not None and lines and process.returncode == 0:
            say(lines[-1])
        elif say is not None and process.returncode not in (0, -15):
            say("The default pages could not be drawn in advance; they are drawn as they are asked for.")

    threading.Thread(target=report, daemon=True, name="harbour-warm-report").start()
    return process


def stop_background(process) -> None:
    """End a background warm-up and every worker it forked (its whole process group), at once."""

    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    try:
        process.wait(timeout=5)
    except Exception:  # noqa: BLE001 - it is told to go; killed if it will not
        os.killpg(process.pid, signal.SIGKILL)


def _draw(facts, audience: Audience, queries: list[dict]) -> int:

    if multiprocessing.parent_process() is not None:
        engine().dispose(close=False)  # a forked child opens its own connections, never its parent's

    done = 0
    for query in queries:
        for path in warmed():
            draw_page(Ask(path, query, audience), facts)
            done += 1
    return done
