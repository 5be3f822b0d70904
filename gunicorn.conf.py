"""Production settings for `gunicorn app:server` (read from the working directory; see the README).

Measured with scripts/loadtest.py on 2 cores: see the README's "Running it for a force" section.
"""

import multiprocessing
import subprocess
import sys

# Each can be overridden on gunicorn's command line (--bind, --workers, --threads, ...).
bind = "127.0.0.1:8050"  # behind the force's reverse proxy, which ends TLS
workers = multiprocessing.cpu_count() * 2
worker_class = "gthread"
threads = 4
timeout = 60  # a chart image or a deck drawn afresh takes seconds; a view under one
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # a worker is replaced now and then, so that no slow growth of memory lasts
max_requests_jitter = 200
accesslog = None  # pages carry filters in their URLs; the app keeps its own access log of who saw what


def when_ready(server):
    """Before the workers take requests: draw every force's default pages into the shared page cache,
    in a process of its own that then exits (so the arbiter holds no warehouse in memory)."""
    result = subprocess.run([sys.executable, "-m", "cli", "warm"], capture_output=True, text=True, timeout=600)
    if result.returncode == 0:
        server.log.info(result.stdout.strip())
    else:
        server.log.warning("could not draw the default pages in advance; they will be drawn on demand: %s",
                           (result.stderr.strip().splitlines() or ["no message"])[-1][:300])


def post_worker_init(worker):
    """Each worker reads the warehouse's facts as it starts, not when its first visitor arrives."""
    try:
        from warehouse.current import current_facts

        current_facts()
    except Exception as exc:  # noqa: BLE001 - an unreadable warehouse is reported on the pages, not here
        worker.log.warning("the warehouse's facts were not read in advance: %s", type(exc).__name__)
