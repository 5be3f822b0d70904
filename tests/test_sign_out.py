"""Sign-out that no other page can trigger, and cookies that never travel in the clear, written as the attacks:
signed in through a real OpenID Connect provider (oidc-provider-mock), behind a real TLS-terminating proxy (TLS
from Python's ssl module with a certificate made here, forwarding over HTTP to Harbour as a force's nginx would,
X-Forwarded-Proto and -Host included), a GET of the sign-out address, a cross-site POST without the session's
token, and a POST with a wrong one sign nobody out; the sign-out button's POST does. Every cookie the proxy
hands the browser says Secure."""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import json
import re
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server

from harbour.security import SecureCookies
from harbour.web.inprocess import router_request

from .support import demo_copy, require


def _certificate(folder) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, False, False, False), True
        )  # digital signature, certificate signing
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "proxy.crt", folder / "proxy.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_file), str(key_file)


def _tls_proxy(backend_port: int, cert_file: str, key_file: str) -> ThreadingHTTPServer:
    """A reverse proxy that ends TLS and forwards over HTTP with X-Forwarded-Proto, -Host and -For, as nginx does."""

    class Forward(BaseHTTPRequestHandler):
        def _forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
            headers.update(
                {
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-Host": self.headers["Host"],
                    "X-Forwarded-For": self.client_address[0],
                }
            )
            upstream = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=60)
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            upstream.close()

        do_GET = do_POST = _forward

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return server


@pytest.fixture(scope="module")
def behind_tls(tmp_path_factory):
    """(the proxy's https base URL, the certificate file, the provider's base URL)."""
    try:
        from oidc_provider_mock import User, run_server_in_thread
    except ImportError:
        require(False, "oidc-provider-mock (the test extra)")
    folder = tmp_path_factory.mktemp("tls")
    url = demo_copy(folder)
    users = [User(sub="analyst", claims={"email": "analyst@force.example", "roles": ["harbour-analyst"]})]
    with run_server_in_thread(user_claims=users) as provider_server:
        provider = f"http://localhost:{provider_server.server_port}"
        patch = pytest.MonkeyPatch()
        for key, value in {
            "HARBOUR_OIDC_ISSUER": provider,
            "HARBOUR_OIDC_CLIENT_ID": "harbour",
            "HARBOUR_OIDC_CLIENT_SECRET": "s" * 20,
            "HARBOUR_SECRET_KEY": "k" * 40,
            "HARBOUR_TRUSTED_PROXIES": "127.0.0.1",
        }.items():
            patch.setenv(key, value)
        from harbour.warehouse import current

        current.use(url)
        from harbour import app as app_module

        app = app_module.create_app(exposed=True)
        backend = make_server("127.0.0.1", 0, app.server, threaded=True)
        threading.Thread(target=backend.serve_forever, daemon=True).start()
        cert_file, key_file = _certificate(folder)
        proxy = _tls_proxy(backend.server_port, cert_file, key_file)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        try:
            yield f"https://127.0.0.1:{proxy.server_port}", cert_file, provider
        finally:
            proxy.shutdown()
            backend.shutdown()
            patch.undo()


def _browser(cert_file: str) -> requests.Session:
    """A client that trusts the proxy's certificate alone (not the machine's bundle named in the environment)."""
    browser = requests.Session()
    browser.trust_env = False
    browser.verify = cert_file
    return browser


def _signed_in(base: str, cert_file: str, provider: str) -> tuple[requests.Session, list[str]]:
    """A browser's session signed in as the analyst through the provider's form; and the Set-Cookie headers the
    proxy handed it on the way."""
    browser = _browser(cert_file)
    set_cookies = []
    first = browser.get(base + "/", allow_redirects=False)
    assert first.status_code == 302 and first.headers["Location"].startswith(provider), first.headers
    set_cookies += first.raw.headers.getlist("Set-Cookie")
    back = browser.post(first.headers["Location"], data={"sub": "analyst"}, allow_redirects=False)
    callback = back.headers["Location"]
    assert callback.startswith(base + "/oidc/"), callback  # the proxy's https address, from the forwarded headers
    done = browser.get(callback, allow_redirects=False)
    assert done.status_code == 302, done.text
    set_cookies += done.raw.headers.getlist("Set-Cookie")
    return browser, set_cookies


def _still_signed_in(browser, base) -> bool:
    return browser.get(base + "/retention", allow_redirects=False).status_code == 200


def test_behind_a_tls_proxy_every_cookie_is_secure(behind_tls):
    base, cert_file, provider = behind_tls
    browser, set_cookies = _signed_in(base, cert_file, provider)
    assert any(c.startswith("session=") for c in set_cookies)
    for cookie in set_cookies:
        assert re.search(r";\s*Secure\b", cookie, re.I), cookie
        if cookie.startswith("session="):
            assert re.search(r";\s*HttpOnly\b", cookie, re.I) and re.search(r"SameSite=Lax", cookie, re.I), cookie


def test_a_get_or_a_cross_site_post_signs_nobody_out_and_the_buttons_post_does(behind_tls):
    base, cert_file, provider = behind_tls
    browser, _ = _signed_in(base, cert_file, provider)
    assert _still_signed_in(browser, base)
    # Any page on the web can make a browser GET an address (an <img>, a link): the GET shows a button only.
    shown = browser.get(base + "/oidc/logout", allow_redirects=False)
    assert shown.status_code == 200 and "<form method='post'" in shown.text
    assert _still_signed_in(browser, base)
    token = re.search(r"name='csrf' value='([^']+)'", shown.text).group(1)
    # The page's own sign-out button carries the same token.
    page = browser.post(base + "/_dash-update-component", json=router_request("/retention", "?force=FENWICK"))
    drawn = json.dumps(page.json())
    assert page.status_code == 200 and f'"value": "{token}"' in drawn and '"action": "/oidc/logout"' in drawn
    # Another site's form can POST with the browser's cookie, but cannot know the token.
    for forged in ({}, {"csrf": ""}, {"csrf": "x" * len(token)}, {"csrf": token[:-1]}):
        refused = browser.post(base + "/oidc/logout", data=forged, allow_redirects=False)
        assert refused.status_code == 400, forged
        assert _still_signed_in(browser, base)
    out = browser.post(base + "/oidc/logout", data={"csrf": token}, allow_redirects=False)
    assert out.status_code == 303 and out.headers["Location"].startswith(provider), out.headers
    assert "id_token_hint=" in urllib.parse.urlsplit(out.headers["Location"]).query
    assert not _still_signed_in(browser, base)


def test_the_csp_lets_the_sign_out_form_reach_the_providers_end_session_page_only(behind_tls):
    base, cert_file, provider = behind_tls
    answer = _browser(cert_file).get(base + "/healthz")
    policy = answer.headers["Content-Security-Policy"]
    form_action = next(p for p in policy.split(";") if p.strip().startswith("form-action")).split()[1:]
    assert form_action == ["'self'", provider]


def test_cookies_are_secure_only_where_the_request_came_over_tls():
    def app(environ, start_response):
        start_response("200 OK", [("Set-Cookie", "a=1; HttpOnly"), ("Set-Cookie", "b=2; Secure"), ("X-Other", "x")])
        return [b""]

    for scheme, expected in (
        ("http", ["a=1; HttpOnly", "b=2; Secure"]),
        ("https", ["a=1; HttpOnly; Secure", "b=2; Secure"]),
    ):
        seen = []
        SecureCookies(app)(
            {"wsgi.url_scheme": scheme}, lambda status, headers, exc=None, seen=seen: seen.extend(headers)
        )
        assert [v for k, v in seen if k == "Set-Cookie"] == expected and ("X-Other", "x") in seen
