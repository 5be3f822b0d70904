"""The server's defences, applied once to the Flask server under the Dash app.

- Security headers from a maintained library (flask-talisman): a strict Content-Security-Policy
  (scripts only from this origin, plus the hashes of Dash's own inline scripts), frame-ancestors
  'none', X-Frame-Options DENY, nosniff, Referrer-Policy no-referrer, and HSTS on HTTPS requests.
- A Host allow-list (HARBOUR_ALLOWED_HOSTS, loopback names by default): a page served on an officer's
  PC cannot be read through DNS rebinding.
- A request body limit (HARBOUR_MAX_REQUEST_KB): a huge POST is refused with 413 before it is read.
- No version disclosure: no Server header naming the software, no versions in Dash's config.
- Forwarded headers (X-Forwarded-For, -Proto, -Host, -Port, -Prefix, Forwarded) believed only from the proxies
  named in HARBOUR_TRUSTED_PROXIES (werkzeug's ProxyFix, one hop), and dropped from anyone else before anything
  reads them: a sign-in redirect can never be pointed at another host by a header.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from urllib.parse import urlsplit

from dash import Dash
from dash.exceptions import DependencyException
from flask import abort, request
from flask_talisman import Talisman
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import WSGIRequestHandler

from harbour import settings
from harbour.untrusted import depth

log = logging.getLogger(__name__)
STYLE_SOURCES = ["'self'", "'unsafe-inline'"]  # Plotly and Dash set inline styles on elements


class SetUpOnce(Dash):
    """Dash, set up by one thread while the others wait.

    Dash sets itself up at a worker's first request, and marks that done as it *starts*: a second thread of
    a new gthread worker, asked for react.js at the same moment, found no script registered yet and answered
    404, leaving a blank page (seen on the hub behind sign-in, whose index and scripts reach different workers).
    Subclasses put their own setting up in ``_set_up``.
    """

    _setup_lock = threading.Lock()
    _set_up_done = False

    def _setup_server(self):
        if self._set_up_done:
            return
        with self._setup_lock:
            if not self._set_up_done:
                self._set_up()
                self._set_up_done = True

    def _set_up(self):
        super()._setup_server()


def content_security_policy(script_hashes: list[str]) -> dict:
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *script_hashes],
        "style-src": STYLE_SOURCES,
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        # Sign-out's form ends at the provider's end-session page: its origin, where sign-in is on.
        "form-action": ["'self'", *_provider_origin()],
        "frame-ancestors": "'none'",
    }


def _provider_origin() -> list[str]:
    issuer = urlsplit(settings.get("HARBOUR_OIDC_ISSUER") or "")
    return [f"{issuer.scheme}://{issuer.netloc}"] if issuer.scheme in ("http", "https") and issuer.netloc else []


FORWARDED = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_FORWARDED",
)


class ForwardedHeaders:
    """WSGI middleware: a trusted proxy's forwarded headers applied (ProxyFix), anyone else's removed."""

    def __init__(self, wsgi_app, trusted: set[str]):

        self.plain, self.trusted = wsgi_app, trusted
        self.fixed = ProxyFix(wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=0)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.trusted:
            return self.fixed(environ, start_response)
        for name in FORWARDED:
            environ.pop(name, None)
        return self.plain(environ, start_response)


class SecureCookies:
    """WSGI middleware: every cookie set on a response to a request that arrived over TLS (directly, or through a
    trusted proxy whose forwarded scheme ForwardedHeaders applied) carries Secure, so that no browser ever sends it
    over plain HTTP."""

    def __init__(self, wsgi_app):
        self.app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.app(environ, start_response)

        def start(status, headers, exc_info=None):
            headers = [(name, _secure(value) if name.lower() == "set-cookie" else value) for name, value in headers]
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _secure(cookie: str) -> str:
    return cookie if re.search(r";\s*secure\s*(;|$)", cookie, re.I) else cookie + "; Secure"


def protect(app) -> None:
    """Headers, the Host allow-list, the body limit and no version disclosure, on ``app.server``."""

    server = app.server
    # Outermost, so that nothing (Flask's Host check, the sign-in's redirect) ever reads an untrusted forwarded header.
    server.wsgi_app = ForwardedHeaders(SecureCookies(server.wsgi_app), settings.trusted_proxies())
    server.config["TRUSTED_HOSTS"] = settings.allowed_hosts()
    server.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes()
    talisman = Talisman(
        server,
        content_security_policy=content_security_policy(app.csp_hashes()),
        content_security_policy_nonce_in=None,
        force_https=False,  # TLS ends at the reverse proxy (README); HSTS is still sent on HTTPS requests
        strict_transport_security=True,
        frame_options="DENY",
        referrer_policy="no-referrer",
        session_cookie_secure=False,
        session_cookie_http_only=True,
    )

    finished = []

    @server.before_request
    def _script_hashes():
        # Dash adds some inline scripts (the pages' title callback) while it sets up on the first request,
        # after this hook's sibling of its own has run: hash them all then, once.
        if not finished:
            talisman.content_security_policy["script-src"] = ["'self'", *app.csp_hashes()]
            finished.append(True)

    @server.before_request
    def _limits():
        # Checked before anything reads the body: a 300 MB POST costs nothing.
        length = request.content_length
        if length is not None and length > server.config["MAX_CONTENT_LENGTH"]:
            abort(413)
        request.host  # noqa: B018 - reading it checks it against TRUSTED_HOSTS (400 when not trusted)

    @server.before_request
    def _well_formed_callbacks():
        if request.path.endswith("/_dash-update-component") and request.method == "POST":
            problem = callback_problem(request.get_data(cache=True))
            if problem:
                log.info("refused a callback request: %s", problem)
                abort(400, description=problem)

    @server.after_request
    def _versioned_assets_last(response):
        # Dash names each asset with its modification time (?m=...): a changed file is a new URL, so a
        # browser may keep one for a year without asking again. (Dash's own scripts already are.)
        if request.path.startswith("/assets/") and "m" in request.args and response.status_code == 200:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = 31536000
            response.cache_control.immutable = True
        return response

    @server.errorhandler(Exception)
    def _no_500s(error):
        # A callback that fails on the input it was sent answers 400, never 500 with a traceback.

        if isinstance(error, HTTPException):
            return error

        if isinstance(error, DependencyException) or (
            request.path.startswith("/_dash-component-suites/") and isinstance(error, (KeyError, OSError))
        ):
            return "Not found.", 404  # a script or style Dash does not have: no such file, not a failure
        log.warning("a request failed: %s at %s", type(error).__name__, request.path)
        if request.path.endswith("/_dash-update-component"):
            return {"error": "the request could not be answered; reload the page"}, 400
        return "Harbour could not answer this request.", 500

    quiet_gunicorn()


MAX_DEPTH = 12


def callback_problem(body: bytes) -> str | None:
    """Why a callback request's body is not one that Dash's own client sends, or None when it is."""

    try:
        payload = json.loads(body or b"null")
    except (ValueError, RecursionError):
        return "not JSON"
    if not isinstance(payload, dict):
        return "not a JSON object"
    if depth(payload, MAX_DEPTH) > MAX_DEPTH:
        return "nested too deeply"
    if not isinstance(payload.get("output"), str):
        return "no output named"
    outputs = payload.get("outputs", [])
    if not isinstance(outputs, (dict, list)):  # one output is a dict, several a list
        return "'outputs' is not a property or a list of properties"
    for key in ("inputs", "state"):
        value = payload.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, (dict, list)) for v in value):
            return f"'{key}' is not a list of properties"
    return None


def quiet_gunicorn() -> None:
    """Under gunicorn, its Server header names no software either (it reads this at every response)."""

    wsgi = sys.modules.get("gunicorn.http.wsgi")
    if wsgi is not None:
        wsgi.SERVER = "Harbour"


def quiet_dev_server() -> None:
    """The development server names no software or Python version in its Server header."""

    WSGIRequestHandler.server_version = "Harbour"
    WSGIRequestHandler.sys_version = ""
