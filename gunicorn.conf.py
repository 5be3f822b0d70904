"""Production settings for `gunicorn harbour.app:server` (read from the working directory; see the README).

Measured with scripts/loadtest.py on 2 cores: see the README's "Running it for a force" section.
"""

import multiprocessing

# The hooks import Harbour when gunicorn calls them, in the master before it forks: gunicorn reads this file
# before it has chosen a Python path or the app, so nothing of Harbour's is imported here at the top.

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


_warming = []


def on_starting(server):
    """Before any worker starts: Harbour's log lines (inherited by every worker), and a warehouse at another schema
    revision than this Harbour's refused, in one line that says which command to run (harbour upgrade)."""
    import sys

    from harbour import logs

    logs.configure()

    from harbour.settings import warehouse_url
    from harbour.warehouse.engine import make_engine
    from harbour.warehouse.migrate import NotCurrent, check

    engine = make_engine(warehouse_url())
    try:
        check(engine)
    except NotCurrent as exc:
        print(f"Harbour refuses to start: {exc}.", file=sys.stderr)
        sys.exit(3)
    except Exception:  # noqa: BLE001 - an unreadable warehouse is reported by /readyz and on the pages
        pass
    finally:
        engine.dispose()


def when_ready(server):
    """As the workers start taking requests: draw every force's default pages into the shared page cache behind
    them, in a process of its own (so the arbiter holds no warehouse in memory) that ends with the arbiter."""
    from harbour.settings import warehouse_url
    from harbour.web.warm import start_background

    _warming.append(start_background("publication", warehouse_url(), server.log.info))


def on_exit(server):
    """Stopping gunicorn stops a warm-up still running, and every worker it forked."""
    from harbour.web.warm import stop_background

    for process in _warming:
        stop_background(process)


def post_worker_init(worker):
    """Each worker reads the warehouse's facts as it starts, not when its first visitor arrives."""
    from harbour.render.images import start_in_background

    start_in_background()  # Kaleido's browser, so that the first image a worker draws is as quick as the rest
    try:
        from harbour.warehouse.current import current_facts

        current_facts()
    except Exception as exc:  # noqa: BLE001 - an unreadable warehouse is reported on the pages, not here
        worker.log.warning("the warehouse's facts were not read in advance: %s", type(exc).__name__)
