"""Health for a load balancer: ``/healthz`` (this process answers) and ``/readyz`` (it can serve: the warehouse
is readable, the cache backend answers, the sign-in provider's metadata can be fetched).

Both answer outside sign-in and the page cache, in JSON that holds no figure and no setting: a check's name
and ``ok``, or the kind of problem in a few words. Each check has a short timeout, so a probe never hangs a
worker; ``/readyz`` answers 503 while any check fails, and 200 again as soon as they pass.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.request
from collections.abc import Callable

from flask import jsonify
from sqlalchemy import select, text

from harbour import access, settings
from harbour.warehouse import migrate

log = logging.getLogger(__name__)
PATHS = ("/healthz", "/readyz")
TIMEOUT_SECONDS = 1.0


def warehouse_check(engine_of: Callable, table, schema=None) -> Callable[[], str | None]:
    """The database answers a query on ``table`` and is at this Harbour's schema revision (``schema``: which
    database, warehouse.migrate.WAREHOUSE or HUB). A problem's words, or None."""

    def check():

        versions = schema or migrate.WAREHOUSE
        with engine_of().connect() as conn:
            conn.execute(select(table.c[next(iter(table.c.keys()))]).limit(1)).all()
            held = conn.execute(text(f"SELECT version_num FROM {versions.version_table}")).scalars().all()
        if held != [migrate.head(versions)]:
            return "not at this Harbour's schema revision"
        return None

    return check


def cache_check() -> str | None:
    """The cache backend that the pages use answers (none configured is fine)."""

    redis_url = settings.redis_url()
    if redis_url:
        import redis  # an optional dependency (the redis extra), needed only with HARBOUR_REDIS_URL

        client = redis.Redis.from_url(redis_url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
        return None
    folder = settings.cache_dir()
    if folder and os.path.isdir(folder) and not os.access(folder, os.W_OK):
        return "the cache folder cannot be written"
    return None


def provider_check() -> str | None:
    """With sign-in on, the provider's OpenID metadata can be fetched now."""

    if access.mode() != "oidc":
        return None
    url = settings.get("HARBOUR_OIDC_ISSUER").rstrip("/") + "/.well-known/openid-configuration"
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
        doc = json.loads(response.read(1_000_000))
    return (
        None if isinstance(doc, dict) and doc.get("authorization_endpoint") else "the provider's metadata is incomplete"
    )


def _run(check) -> str:
    try:
        problem = check()
    except Exception as exc:  # noqa: BLE001 - a probe reports what failed, never raises
        return f"failing ({type(exc).__name__})"
    return problem or "ok"


def install(server, checks: dict[str, Callable[[], str | None]]) -> None:
    """``/healthz`` and ``/readyz`` on the Flask ``server``; register before the page routes' catch-all."""

    def healthz():
        response = jsonify(status="ok")
        response.headers["Cache-Control"] = "no-store"
        return response

    def readyz():
        started = time.perf_counter()
        results = {name: _run(check) for name, check in checks.items()}
        ready = all(r == "ok" for r in results.values())
        if not ready:
            log.warning("not ready: %s", ", ".join(f"{k} {v}" for k, v in results.items() if v != "ok"))
        response = jsonify(
            status="ready" if ready else "not ready",
            checks=results,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        response.status_code = 200 if ready else 503
        response.headers["Cache-Control"] = "no-store"
        return response

    server.add_url_rule("/healthz", "harbour_healthz", healthz, methods=["GET", "HEAD"])
    server.add_url_rule("/readyz", "harbour_readyz", readyz, methods=["GET", "HEAD"])
