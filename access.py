"""Who is asking, and what they may see: sign-in (OpenID Connect through dash-auth, on Authlib), roles,
and the append-only access log.

Three ways to run:
- **local** (the default): `harbour serve` on 127.0.0.1 needs no sign-in; the person at the machine is its
  analyst and admin. Binding any other address, or running under gunicorn, refuses to start.
- **oidc** (HARBOUR_OIDC_ISSUER set): every request needs a signed-in user; the role comes from a claim
  (HARBOUR_ROLE_CLAIM) mapped by HARBOUR_ROLE_MAP: viewer, analyst or admin.
- **none** (HARBOUR_AUTH=none): a closed network without sign-in; everyone is a viewer, and every page
  says so in a banner.

Roles, enforced on the server in every page, callback and download, never by hiding links:
- viewer: publication figures, pages, chart images and slides;
- analyst: also exact (internal) figures, through an explicit switch, and table downloads;
- admin: also the load history (data quality) and the access log.
"""

from __future__ import annotations

import hmac
import html
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from flask import current_app, redirect, request, session
from sqlalchemy import delete, insert, select

from harbour import settings
from harbour.warehouse import current, schema
from harbour.warehouse.schema import signed_in_sessions

RANK = {"viewer": 1, "analyst": 2, "admin": 3}
MODE_CONFIG = "HARBOUR_ACCESS_MODE"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class RefuseToStart(RuntimeError):
    """The server would be reachable by others without sign-in; the message says what to set."""


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None  # None: signed in, but no Harbour role

    def may(self, role: str) -> bool:
        return self.role is not None and RANK[self.role] >= RANK[role]


def mode() -> str:
    if (settings.get("HARBOUR_AUTH") or "").strip().lower() == "none":
        return "none"
    return "oidc" if settings.get("HARBOUR_OIDC_ISSUER") else "local"


def refusal(exposed: bool) -> str | None:
    """Why a server with these settings must not start (reachable by others without sign-in, or sign-in
    half configured), or None."""
    chosen = mode()
    if chosen == "local" and exposed:
        return (
            "Harbour would be reachable from other machines without sign-in. Set HARBOUR_OIDC_ISSUER, "
            "HARBOUR_OIDC_CLIENT_ID, HARBOUR_OIDC_CLIENT_SECRET and HARBOUR_SECRET_KEY to turn on sign-in, or "
            "HARBOUR_AUTH=none for a closed network (every user a viewer, with a banner on every page); or serve "
            "on 127.0.0.1 only."
        )
    if chosen == "oidc":
        missing = [
            name
            for name in ("HARBOUR_OIDC_CLIENT_ID", "HARBOUR_OIDC_CLIENT_SECRET", "HARBOUR_SECRET_KEY")
            if not settings.get(name)
        ]
        if missing:
            return f"Sign-in is on (HARBOUR_OIDC_ISSUER) but {', '.join(missing)} is not set."
        if len(settings.get("HARBOUR_SECRET_KEY")) < 32:
            return (
                "HARBOUR_SECRET_KEY must be at least 32 random characters, for example "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'."
            )
    return None


def _signed_in_table():
    """Every live sign-in, by a random id that its session cookie carries: a cookie whose id is not there (signed
    out, expired, ended by the server) signs in nobody, however validly it is signed. The warehouse's table
    (warehouse.schema.signed_in_sessions); a hub makes the same on its own database."""

    return signed_in_sessions


_READY: set[int] = set()  # engines whose signed_in_sessions table is known to exist


def _now():

    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _sign_in_class():
    """dash-auth's OIDCAuth, with sessions that end: at sign-out (the provider's end-session endpoint is called too),
    at the ID token's expiry, and whenever the server forgets them."""
    from dash_auth import OIDCAuth  # only with sign-in on (HARBOUR_AUTH=oidc)

    class SessionsThatEnd(OIDCAuth):
        sessions = None  # () -> the SQLAlchemy engine that holds signed_in_sessions

        def _engine(self):
            engine = type(self).sessions()
            if id(engine) not in _READY:
                _signed_in_table().create(engine, checkfirst=True)
                _READY.add(id(engine))
            return engine

        def callback(self, idp: str):

            from authlib.integrations.base_client.errors import OAuthError  # only with sign-in on (HARBOUR_AUTH=oidc)

            if idp not in self.oauth._registry:
                return "unknown sign-in provider", 400
            client = self.get_oauth_client(idp)
            try:
                token = client.authorize_access_token()
            except OAuthError:
                return "Sign-in did not complete; go back and try again.", 401
            user = token.get("userinfo")
            if not user:
                return "Sign-in did not complete; go back and try again.", 401
            expiry = user.get("exp") or token.get("expires_at")
            ends = (
                datetime.fromtimestamp(int(expiry), UTC).replace(tzinfo=None) if expiry else _now() + timedelta(hours=1)
            ).replace(microsecond=0)
            sid = secrets.token_urlsafe(32)
            table = _signed_in_table()
            try:
                with self._engine().begin() as conn:
                    conn.execute(delete(table).where(table.c.ends_at <= _now()))
                    conn.execute(insert(table).values(sid=sid, started_at=_now(), ends_at=ends))
            except Exception:  # noqa: BLE001 - a sign-in that cannot be recorded does not happen
                return "Sign-in cannot be recorded just now; try again in a minute.", 503
            session.clear()
            session.update(
                user=dict(user), idp=idp, sid=sid, id_token=token.get("id_token"), csrf=secrets.token_urlsafe(32)
            )
            return redirect(self.app.config.get("url_base_pathname") or "/")

        def is_authorized(self):

            if not super().is_authorized():
                return False
            if "user" not in session:
                return True  # the sign-in routes themselves
            sid = session.get("sid")
            table = _signed_in_table()
            try:
                with self._engine().connect() as conn:
                    ends = conn.execute(select(table.c.ends_at).where(table.c.sid == str(sid))).scalar()
            except Exception:  # noqa: BLE001 - fail closed
                ends = None
            if ends is None or ends <= _now():
                session.clear()
                return False
            return True

        def logout(self):
            """GET: a page with the sign-out button (any page on the web can send a GET, so a GET signs nobody out).
            POST: signs out, when the form carries this session's own token (a cross-site POST cannot know it)."""
            if request.method != "POST":
                return _sign_out_page(session.get("csrf"))
            sent, expected = request.form.get("csrf", ""), session.get("csrf") or ""
            if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
                return (
                    "<p>This sign-out did not come from Harbour's own page, so nothing was done.</p>"
                    "<p><a href='/oidc/logout'>Sign out</a> from Harbour's page instead.</p>",
                    400,
                )
            sid, hint, idp = session.get("sid"), session.get("id_token"), session.get("idp")
            session.clear()
            if sid:
                table = _signed_in_table()
                with self._engine().begin() as conn:
                    conn.execute(delete(table).where(table.c.sid == str(sid)))
            if idp in self.oauth._registry:
                try:
                    end = self.get_oauth_client(idp).load_server_metadata().get("end_session_endpoint")
                except Exception:  # noqa: BLE001 - the provider is down: signed out here all the same
                    end = None
                if end:
                    query = {
                        "post_logout_redirect_uri": request.url_root,
                        "client_id": settings.get("HARBOUR_OIDC_CLIENT_ID"),
                    }
                    if hint:
                        query["id_token_hint"] = hint
                    return redirect(f"{end}{'&' if '?' in end else '?'}{urlencode(query)}", code=303)
            return ("<p>You are signed out of Harbour.</p><p><a href='/'>Sign in again</a></p>", 200)

    return SessionsThatEnd


def _sign_out_page(token: str | None):
    """The page a GET of the sign-out address shows: one button, which POSTs this session's token."""
    if not token:
        return "<p>You are not signed in to Harbour.</p><p><a href='/'>Sign in</a></p>", 200
    return (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><title>Sign out · Harbour</title>"
        "<link rel='stylesheet' href='/assets/bootstrap-5.3.9.min.css'>"
        "<link rel='stylesheet' href='/assets/harbour.css'>"
        "</head><body><main class='page container py-4'><h1>Sign out of Harbour?</h1>"
        "<p>You will need to sign in again to see any page.</p>"
        f"<form method='post' action='/oidc/logout'><input type='hidden' name='csrf' value='{html.escape(token)}'>"
        "<button type='submit' class='button primary'>Sign out</button></form>"
        "<p class='mt-3'><a href='/'>Stay signed in</a></p></main></body></html>",
        200,
    )


def csrf_token() -> str | None:
    """The signed-in session's token for its sign-out form (None outside a signed-in request)."""
    try:
        return session.get("csrf")
    except RuntimeError:  # outside a request
        return None


def setup(app, exposed: bool, public_routes: list[str] | None = None, sessions=None) -> str:
    """Sign-in for ``app`` as the settings say; ``exposed``: reachable from other machines (a non-loopback
    address, or gunicorn). ``public_routes`` need no sign-in (a hub's API, which checks its own bearer tokens).
    ``sessions``: () -> the engine that keeps the live sign-ins (default: the warehouse's). Returns the mode, or
    raises RefuseToStart."""
    chosen = mode()
    problem = refusal(exposed)
    if problem:
        raise RefuseToStart(problem)
    if chosen == "oidc":
        if sessions is None:
            sessions = current.engine
        auth_class = type("HarbourSignIn", (_sign_in_class(),), {"sessions": staticmethod(sessions)})
        auth = auth_class(
            app,
            secret_key=settings.get("HARBOUR_SECRET_KEY"),
            secure_session=False,
            public_routes=public_routes or None,
            force_https_callback=bool(settings.get("HARBOUR_FORCE_HTTPS_CALLBACK")),
        )
        issuer = settings.get("HARBOUR_OIDC_ISSUER").rstrip("/")
        auth.register_provider(
            "harbour",
            client_id=settings.get("HARBOUR_OIDC_CLIENT_ID"),
            client_secret=settings.get("HARBOUR_OIDC_CLIENT_SECRET"),
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile"},
        )
        server = app.server
        server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
        # Sign-out is a POST with the session's token; the GET that dash-auth registers shows the button only.
        server.add_url_rule(auth.logout_route, endpoint="oidc_logout_post", view_func=auth.logout, methods=["POST"])
    app.server.config[MODE_CONFIG] = chosen
    return chosen


def role_from_claims(claims: dict) -> str | None:
    """The highest Harbour role that the user's claim values map to, or None."""
    values = claims.get(settings.get("HARBOUR_ROLE_CLAIM") or "roles") or []
    if isinstance(values, str):
        values = [values]
    mapping = settings.role_map()
    roles = [mapping[v] for v in values if isinstance(v, str) and mapping.get(v) in RANK]
    return max(roles, key=RANK.get) if roles else None


def current_person() -> Person:
    """The person making the current request (outside a request: the local user, as the CLI is)."""
    try:
        chosen = current_app.config.get(MODE_CONFIG, "local")
    except RuntimeError:
        return Person("command line", "admin")
    if chosen == "none":
        return Person("unsigned (closed network)", "viewer")
    if chosen == "local":
        return Person("local user", "admin")
    user = session.get("user") or {}
    name = str(user.get("email") or user.get("preferred_username") or user.get("sub") or "unknown")[:120]
    return Person(name, role_from_claims(user))


def banner_text() -> str | None:
    """The banner every page shows when sign-in is off on a shared server."""
    try:
        if current_app.config.get(MODE_CONFIG) == "none":
            return "Sign-in is off (HARBOUR_AUTH=none): anyone who can reach this server sees these pages, as a viewer."
    except RuntimeError:
        pass
    return None


def record(engine, person: Person, path: str, query: dict, audience: str, download: str | None = None) -> None:
    """Append one line to the access log. Nothing child-level is in a query, so nothing child-level is logged."""

    text = "&".join(f"{k}={v}" for k, v in sorted(query.items()))[:500]
    with engine.begin() as conn:
        conn.execute(
            insert(schema.access_log).values(
                at=datetime.now(UTC).replace(tzinfo=None, microsecond=0),
                person=person.name[:120],
                role=person.role or "none",
                path=str(path)[:120],
                query=text,
                audience=audience,
                download=(download or None),
            )
        )
