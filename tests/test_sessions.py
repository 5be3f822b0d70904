"""Sessions that end: signed in through a real OpenID Connect provider (oidc-provider-mock), an analyst's
session cookie kept and replayed after sign-out, or after its ID token's expiry, signs in nobody; sign-out
calls the provider's end-session endpoint."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from harbour.web.inprocess import router_request

from .support import demo_copy, require


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    try:
        from oidc_provider_mock import User, run_server_in_thread
    except ImportError:
        require(False, "oidc-provider-mock (the test extra)")
    url = demo_copy(tmp_path_factory.mktemp("sessions"))
    users = [User(sub="analyst", claims={"email": "analyst@force.example", "roles": ["harbour-analyst"]})]
    with run_server_in_thread(user_claims=users) as server:
        provider = f"http://localhost:{server.server_port}"
        mp = pytest.MonkeyPatch()
        for key, value in {
            "HARBOUR_OIDC_ISSUER": provider,
            "HARBOUR_OIDC_CLIENT_ID": "harbour",
            "HARBOUR_OIDC_CLIENT_SECRET": "s" * 20,
            "HARBOUR_SECRET_KEY": "k" * 40,
        }.items():
            mp.setenv(key, value)
        from harbour.warehouse import current

        current.use(url)
        from harbour import app as app_module

        yield app_module.create_app(exposed=True), provider, url
        mp.undo()


def sign_in(app, provider):
    """A test client that signs in as the analyst through the provider's form, as a browser would."""
    web = app.server.test_client()
    answer = web.get("/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith(provider)
    form = urllib.parse.urlencode({"sub": "analyst"}).encode()
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(urllib.request.Request(answer.headers["Location"], data=form, method="POST"))
        raise AssertionError("the provider did not redirect back")
    except urllib.error.HTTPError as back:
        callback = back.headers["Location"]
    parts = urllib.parse.urlsplit(callback)
    done = web.get(f"{parts.path}?{parts.query}")
    assert done.status_code == 302, done.get_data(as_text=True)
    return web


def page(web, path="/retention", search="?force=FENWICK&audience=internal"):
    answer = web.post(
        "/_dash-update-component", data=json.dumps(router_request(path, search)), content_type="application/json"
    )
    return answer.status_code, answer.get_data(as_text=True)


def test_a_cookie_kept_after_sign_out_shows_nothing(signed):
    app, provider, _ = signed
    web = sign_in(app, provider)
    status, body = page(web)
    assert status == 200 and "OFFICIAL-SENSITIVE" in body  # exact figures, as the analyst may
    kept = web.get_cookie("session").value
    shown = web.get("/oidc/logout").get_data(as_text=True)  # the sign-out page: its button POSTs the token
    token = re.search(r"name='csrf' value='([^']+)'", shown).group(1)
    out = web.post("/oidc/logout", data={"csrf": token})
    assert out.status_code == 303 and out.headers["Location"].startswith(provider + "/oauth2/end_session")
    assert "id_token_hint=" in out.headers["Location"]
    replay = app.server.test_client()
    replay.set_cookie("session", kept)
    status, body = page(replay)
    assert status != 200 and "OFFICIAL-SENSITIVE" not in body
    assert replay.get("/retention").status_code == 302  # sent to sign in again


def test_a_cookie_replayed_after_its_token_expired_shows_nothing(signed):
    from sqlalchemy import update

    from harbour import access
    from harbour.warehouse.engine import engine_for

    app, provider, url = signed
    web = sign_in(app, provider)
    assert page(web)[0] == 200
    # The ID token's expiry passes (the provider's tokens last an hour; the clock is moved, not waited for).
    table = access._signed_in_table()
    with engine_for(url).begin() as conn:
        conn.execute(update(table).values(ends_at=access._now().replace(year=2020)))
    status, body = page(web)
    assert status != 200 and "OFFICIAL-SENSITIVE" not in body


def test_a_session_cookie_the_server_never_issued_is_refused_even_if_validly_signed(signed):
    """A cookie signed with the right key (a leaked HARBOUR_SECRET_KEY, an old backup) but whose sign-in the
    server does not hold."""
    app, _, _ = signed
    web = app.server.test_client()
    with web.session_transaction() as session:
        session["user"] = {"sub": "x", "email": "admin@force.example", "roles": ["harbour-admin"]}
        session["sid"] = "made-up"
    status, body = page(web, "/access-log", "")
    assert status != 200 and "table-access-log" not in body
    assert not re.search(r"admin@force\.example", body)
