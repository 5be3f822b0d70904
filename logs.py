"""Logs an operator can use: one line per request and per load, as JSON lines where HARBOUR_LOG_FORMAT=json
(plain text otherwise), each request with an id that is also sent back (X-Request-Id) and the person's role and
an opaque id, never their claims.

What a line may hold is chosen here, not by whoever logs: a request's method, path (never its query, whose
values come from bundles: force codes, nationalities), the names of its query's keys, its status and timing; a
load's outcome, batch and timing. Never a child identifier, a pseudonym, a count of children or a bundle's text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import g, request

from harbour import settings

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_configured = []


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the fields a call passed in ``extra={"fields":}``."""

    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        doc.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            doc["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else None  # its type, no text
        return json.dumps(doc, ensure_ascii=False, default=str)


class _Stderr(logging.StreamHandler):
    """A handler on whatever sys.stderr is when a line is written (a test's capture may have replaced the one there
    was when the handler was made, and closed it by the time a library logs at exit)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure() -> None:
    """Once per process, by what serves (harbour serve, gunicorn, a hub) or a command asked to log
    (HARBOUR_LOG_FORMAT set): Harbour's own lines (the ``harbour.*`` loggers, at INFO) and every library's warnings, on
    stderr, as JSON lines or plain text. Other libraries' INFO chatter stays out."""
    if _configured:
        return
    _configured.append(True)
    handler = _Stderr()
    if (settings.get("HARBOUR_LOG_FORMAT") or "").strip().lower() == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger("harbour").setLevel(logging.INFO)
    # The development server's own access log writes every URL whole, query values and all: the request line
    # above replaces it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def opaque(name: str) -> str:
    """A person's stable, opaque id for logs: an HMAC of their name under the server's key, never the name."""
    key = (settings.get("HARBOUR_SECRET_KEY") or "harbour-log-id").encode()
    return hmac.new(key, name.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:12]


def install(server, role_of) -> None:
    """A request id for every request (the caller's X-Request-Id when well formed, else a new one), sent back, and
    one log line when it is answered. ``role_of()`` -> (role, person name) of the current request."""

    log = logging.getLogger("harbour.request")

    @server.before_request
    def _start():
        given = request.headers.get("X-Request-Id", "")
        g.harbour_request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g.harbour_started = time.perf_counter()

    @server.after_request
    def _finish(response):
        request_id = getattr(g, "harbour_request_id", None) or uuid.uuid4().hex
        response.headers["X-Request-Id"] = request_id
        try:
            role, name = role_of()
        except Exception:  # noqa: BLE001 - a line is logged whoever asked
            role, name = None, None
        started = getattr(g, "harbour_started", None)
        fields = {
            "event": "request",
            "request_id": request_id,
            "method": request.method,
            "path": request.path[:200],
            "query_keys": sorted(k[:40] for k in request.args.keys())[:20],
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "role": role,
            "person": opaque(name) if name else None,
        }
        log.info("%s %s %s", request.method, request.path[:200], response.status_code, extra={"fields": fields})
        return response


def load_line(outcome: str, batch_id, seconds: float, synthetic: bool) -> None:
    """The one line a load leaves: what happened, its batch and how long; no force, no count, no file name."""
    logging.getLogger("harbour.load").info(
        "load %s (batch %s, %.1f s)",
        outcome,
        batch_id,
        seconds,
        extra={
            "fields": {
                "event": "load",
                "outcome": outcome,
                "batch_id": batch_id,
                "seconds": round(seconds, 2),
                "synthetic": synthetic,
            }
        },
    )
