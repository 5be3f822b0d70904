"""The benchmarking hub as a web application: the API under /api/v1/ (bearer tokens, JSON in and out) and a few
pages for its operator (the admin role, behind the same sign-in as the dashboard).

The API:
- ``POST /api/v1/packs``: a force's signed pack (its token's force only); 201 stored, 200 already held,
  400 malformed or badly signed, 401 no live token, 403 another force's pack, 409 older than held,
  413 too large, 429 too many requests.
- ``GET /api/v1/packs[?since=ISO time]``: the latest pack of every force.
- ``GET /api/v1/keys``: each force's current public key and its fingerprint.
- ``POST /api/v1/keys``: a force's next key, announced with a signature by its current one.

The same defences as the dashboard (security.protect): headers, the Host allow-list, the body limit, no 500
with a traceback; and a rate limit per token (Flask-Limiter).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, dcc, html
from flask import Blueprint, current_app, jsonify, request
from flask_limiter import Limiter
from werkzeug.exceptions import HTTPException

from harbour import access, health, logs, security, settings
from harbour.exchange.packs import MAX_PACK_BYTES
from harbour.hub import schema as H
from harbour.hub import store
from harbour.untrusted import parse_search
from harbour.views import theme
from harbour.warehouse import migrate

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
API = "/api/v1"
URL_CONFIG = "HARBOUR_HUB_URL"
LIMITER = "harbour_hub_limiter"


def _engine():
    return store.engine_for(current_app.config[URL_CONFIG])


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _rate_key() -> str:
    # Counted per token (its hash: the token itself is never kept, even in the limiter), else per address.
    bearer = _bearer()
    return "token:" + store.token_hash(bearer)[:32] if bearer else _address_key()


def _address_key() -> str:
    # The client's address: a trusted proxy's X-Forwarded-For applied (security.ForwardedHeaders), anyone else's
    # dropped, so that no client can choose the bucket it is counted in.
    return "address:" + (request.remote_addr or "?")


def _failed(response) -> bool:
    return response.status_code in (401, 403)


_breaches: dict[str, int] = {}  # address -> the minute of its last audited breach (one audit row a minute)
_breach_lock = threading.Lock()


def _on_failed_breach(limit) -> None:
    """An address past its failed attempts: one audit row a minute for it from each worker, never one a request."""
    address, minute = request.remote_addr or "?", int(time.time() // 60)
    with _breach_lock:
        if _breaches.get(address) == minute:
            return
        if len(_breaches) > 10_000:  # many addresses: forget those not limited this minute
            for stale in [a for a, m in _breaches.items() if m != minute]:
                del _breaches[stale]
        _breaches[address] = minute
    refusal = store.Refused(429, "too-many-failures", f"more than {limit.limit} failed attempts from this address")
    try:
        store.audit_refusal(_engine(), "unauthenticated", None, "requests", refusal, address)
    except Exception:  # noqa: BLE001 - the limit holds whether or not the audit can be written
        log.warning("a limited address could not be audited")


def _refusal(refusal: store.Refused):
    return jsonify(error=refusal.code, message=refusal.message), refusal.status


def _answer(status: int, payload: dict):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


api = Blueprint("hub_api", __name__, url_prefix=API)


def _token(write: str | None = None):
    """(the request's live token, None), or (None, the refusal to answer). A failed attempt writes nothing: the
    rate limit counts it by address, and an address past its limit is audited once a minute (_on_failed_breach),
    so that a flood of bogus tokens neither fills the audit log nor holds the database's write lock. ``write``
    names the call, for the log line."""
    try:
        return store.authenticate(_engine(), _bearer()), None
    except store.Refused as refusal:
        log.info("refused %s: %s from %s", write or "a read", refusal.code, request.remote_addr)
        return None, _refusal(refusal)


@api.post("/packs")
def upload_pack():
    token, refused = _token("upload pack")
    if refused:
        return refused
    if not request.mimetype == "application/json":
        refusal = store.Refused(400, "not-json", "send the pack as application/json")
        store.audit_refusal(_engine(), token.actor, token.force_code, "upload pack", refusal, request.remote_addr)
        return _refusal(refusal)
    try:
        status, payload = store.accept_pack(_engine(), token, request.get_data(cache=False), request.remote_addr)
    except store.Refused as refusal:
        return _refusal(refusal)
    return _answer(status, payload)


@api.get("/packs")
def list_packs():
    _, refused = _token()
    if refused:
        return refused
    since = None
    if request.args.get("since"):
        try:
            since = datetime.fromisoformat(request.args["since"].strip().removesuffix("Z"))
            if since.tzinfo is not None:
                since = since.astimezone(UTC).replace(tzinfo=None)
        except (ValueError, TypeError):
            return _refusal(
                store.Refused(400, "bad-since", "since is a time in ISO 8601, for example 2026-12-01T09:00:00Z")
            )
    return _answer(200, {"packs": store.latest_packs(_engine(), since), "as_of": store.now().isoformat() + "Z"})


@api.get("/keys")
def list_keys():
    _, refused = _token()
    if refused:
        return refused
    return _answer(200, {"keys": store.current_keys(_engine())})


@api.post("/keys")
def rotate_key():
    token, refused = _token("rotate key")
    if refused:
        return refused
    try:
        return _answer(201, store.rotate(_engine(), token, request.get_data(cache=False), request.remote_addr))
    except store.Refused as refusal:
        return _refusal(refusal)


def unknown_call(rest):
    """Anything else under /api/: JSON, never the operator's pages (Dash would answer any path with them)."""
    if rest.strip("/") in ("v1/packs", "v1/keys"):
        return _refusal(store.Refused(405, "method-not-allowed", f"/api/{rest.strip('/')} takes GET and POST only"))
    return _refusal(
        store.Refused(404, "not-found", "no such call: the API is POST/GET /api/v1/packs and GET/POST /api/v1/keys")
    )


# --------------------------------------------------------------------------------------------- operator pages

PAGES = (("/", "Forces and packs"), ("/tokens", "Tokens"), ("/audit", "Audit log"))


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if isinstance(value, datetime) else "–"


def _table(caption: str, head: list[str], rows: list[list]) -> html.Table:
    return html.Div(
        html.Table(
            [
                html.Caption(caption),
                html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
                html.Tbody(
                    [html.Tr([html.Td("–" if v is None else str(v)) for v in row]) for row in rows]
                    or [html.Tr(html.Td("None yet.", colSpan=len(head)))]
                ),
            ],
            className="table table-sm data-table",
        ),
        className="table-responsive",
    )


def _forces_page(engine):
    rows = store.overview(engine)
    forces = f"{len(rows)} participating force{'s' if len(rows) != 1 else ''}"
    return [
        html.P(
            f"{forces}. A force's figures are its own signed pack: the hub checks the signature against "
            "the key registered here, and every Harbour that pulls checks it again against its own keyring."
        ),
        _table(
            "Participating forces, their keys and their latest packs",
            ["Force", "Name in its latest pack", "Current key", "Fingerprint (SHA-256)", "Latest extract", "Uploaded"],
            [
                [
                    r["force"],
                    r["name"],
                    r["key_id"],
                    grouped(r["fingerprint"]),
                    r["extract_month"],
                    _when(r["uploaded_at"]),
                ]
                for r in rows
            ],
        ),
    ]


def grouped(fingerprint: str | None) -> str | None:
    """A fingerprint in groups of eight digits, as it is read out over the phone (and so that it wraps)."""
    return fingerprint and " ".join(fingerprint[i : i + 8] for i in range(0, len(fingerprint), 8))


def _tokens_page(engine):
    rows = store.all_tokens(engine)
    now = store.now()

    def state(r):
        if r["revoked_at"] is not None:
            return f"revoked {_when(r['revoked_at'])}"
        return "expired" if r["expires_at"] <= now else "live"

    return [
        html.P(
            "Token values are shown once, when they are made (harbour hub token), and never stored: only their "
            "hashes are."
        ),
        _table(
            "Tokens",
            ["Id", "Force", "Made", "Expires", "State", "Last used"],
            [
                [
                    r["token_id"],
                    r["force_code"],
                    _when(r["created_at"]),
                    _when(r["expires_at"]),
                    state(r),
                    _when(r["last_used_at"]),
                ]
                for r in rows
            ],
        ),
    ]


def _audit_page(engine, before: int | None):
    entries, total = store.audit_entries(engine, 500, before)
    older = entries[-1]["entry_id"] if len(entries) == 500 else None
    entries_word = f"{total:,} entr{'ies' if total != 1 else 'y'}"
    parts = [
        html.P(f"{entries_word} in all, newest first: every write, accepted or refused."),
        _table(
            "Audit log",
            ["Entry", "When", "Who", "Force", "Action", "Outcome", "Status", "Detail"],
            [
                [
                    e["entry_id"],
                    _when(e["at"]),
                    e["actor"],
                    e["force_code"],
                    e["action"],
                    e["outcome"],
                    e["status"],
                    e["detail"],
                ]
                for e in entries
            ],
        ),
    ]
    if older is not None:
        parts.append(html.P(dcc.Link("Older entries", href=f"/audit?before={older}")))
    return parts


def _content(pathname: str, search: str):
    person = access.current_person()
    if not person.may("admin"):
        return [
            html.H1("Not available", id="page-title"),
            html.P("The hub's pages are for its operator: they need the admin role."),
        ]
    engine = store.engine_for(current_app.config[URL_CONFIG])
    title = dict(PAGES).get(pathname, "Forces and packs")
    if pathname == "/tokens":
        body = _tokens_page(engine)
    elif pathname == "/audit":
        before = parse_search(search).get("before", "")
        body = _audit_page(engine, int(before) if before.isdigit() else None)
    elif pathname == "/":
        body = _forces_page(engine)
    else:
        return [html.H1("Page not found", id="page-title"), html.P(dcc.Link("The hub's pages start here.", href="/"))]
    return [html.H1(title, id="page-title"), *body]


def create_hub(url: str, exposed: bool = False) -> Dash:
    """The hub on the database at ``url``; ``exposed`` as for the dashboard (access.setup)."""
    app = security.SetUpOnce(
        __name__,
        assets_folder=str(ROOT / "assets"),
        assets_ignore=r"^(vendor/|harbour\.js)",
        title="Harbour hub",
        update_title=None,
        serve_locally=True,
        suppress_callback_exceptions=True,
    )
    app.layout = html.Div(
        [
            html.A("Skip to main content", href="#main", className="skip-link"),
            dcc.Location(id="url"),
            dbc.Navbar(
                dbc.Container(
                    [
                        html.P(
                            [
                                html.Span("Harbour", className="brand"),
                                html.Span(" · benchmarking hub", className="tagline"),
                            ],
                            className="site-title",
                        ),
                        html.Nav(
                            dbc.Nav(
                                [dbc.NavItem(dbc.NavLink(name, href=path, active="exact")) for path, name in PAGES],
                                navbar=True,
                            ),
                            **{"aria-label": "Pages"},
                        ),
                    ],
                    fluid=True,
                ),
                tag="header",
                role="banner",
                dark=True,
                color=theme.COLOURS["header"],
                class_name="site-header",
            ),
            html.Main(html.Div(id="hub-content"), id="main", tabIndex="-1", className="container-fluid"),
            html.Footer(
                html.P("Harbour's benchmarking hub holds forces' signed, disclosure-controlled packs only."),
                className="site-footer",
            ),
        ]
    )
    app.index_string = (
        app.index_string.replace("<html>", '<html lang="en-GB">')
        .replace("<footer>", '<div class="dash-scripts">')
        .replace("</footer>", "</div>")
    )

    @app.callback(Output("hub-content", "children"), Input("url", "pathname"), Input("url", "search"))
    def _page(pathname, search):
        return _content(pathname or "/", search or "")

    server = app.server
    server.config[URL_CONFIG] = url
    server.register_blueprint(api)
    server.add_url_rule(
        "/api/<path:rest>",
        "hub_api_unknown",
        unknown_call,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    )
    store.engine_for(url)  # the tables, before the first request
    security.protect(app)
    # A pack is at most exchange.packs.MAX_PACK_BYTES; the body limit allows that and a little JSON around it.

    server.config["MAX_CONTENT_LENGTH"] = MAX_PACK_BYTES + 64 * 1024
    _rate_limits(server)

    @server.errorhandler(HTTPException)
    def _json_errors(error):
        if request.path.startswith(API + "/") or request.path == API:
            return jsonify(error=error.name.lower().replace(" ", "-"), message=error.description), error.code
        return error

    logs.install(server, lambda: (access.current_person().role, access.current_person().name))
    health.install(
        server,
        {
            "database": health.warehouse_check(lambda: store.engine_for(url), H.forces, migrate.HUB),
            "rate limits": _limiter_check(server),
            "sign-in": health.provider_check,
        },
    )
    access.setup(
        app, exposed, public_routes=[f"{API}/<path:rest>", *health.PATHS], sessions=lambda: store.engine_for(url)
    )
    return app


def _limiter_check(server):
    def check():
        limiter = server.extensions[LIMITER]
        return None if limiter.storage.check() else "the rate limits' store does not answer"

    return check


def _rate_limits(server) -> None:
    redis = settings.redis_url()
    limiter = Limiter(
        _rate_key,
        app=server,
        storage_uri=redis or "memory://",
        headers_enabled=True,
        key_prefix="harbour-hub",
        swallow_errors=True,
        in_memory_fallback_enabled=bool(redis),
    )
    limiter.limit(settings.hub_rate())(api)
    # Failed attempts (no live token, another force's pack) by address, checked before the request is read:
    # rotating bogus tokens gains nothing, and a real force's upload from its own address is never held up.
    limiter.limit(
        settings.hub_failed_rate(),
        key_func=_address_key,
        deduct_when=_failed,
        on_breach=_on_failed_breach,
        scope="failed-attempts",
    )(api)
    server.extensions[LIMITER] = limiter
