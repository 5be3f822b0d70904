"""X-Forwarded-Host cannot point the sign-in redirect at another host: forwarded headers are dropped unless
they come from a proxy named in HARBOUR_TRUSTED_PROXIES, and a trusted proxy's forwarded host must be allowed.
Against a real OpenID Connect provider (oidc-provider-mock), whose authorize URL carries the redirect URI."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from .support import require


@pytest.fixture(scope="module")
def provider():
    try:
        from oidc_provider_mock import run_server_in_thread
    except ImportError:
        require(False, "oidc-provider-mock (the test extra)")
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def _redirect_uri(provider, monkeypatch, trusted: str, headers: dict, remote="127.0.0.1"):
    """The redirect URI that a first visit's sign-in sends to the provider (None: refused before sign-in)."""
    for key, value in {
        "HARBOUR_OIDC_ISSUER": provider,
        "HARBOUR_OIDC_CLIENT_ID": "harbour",
        "HARBOUR_OIDC_CLIENT_SECRET": "s" * 20,
        "HARBOUR_SECRET_KEY": "k" * 40,
        "HARBOUR_TRUSTED_PROXIES": trusted,
        "HARBOUR_ALLOWED_HOSTS": "127.0.0.1,localhost,harbour.force.example",
    }.items():
        monkeypatch.setenv(key, value)
    from harbour.hub.app import create_hub

    web = create_hub("sqlite://", exposed=True).server.test_client()  # the dashboard's own defences, on a small app
    answer = web.get("/", headers=headers, environ_base={"REMOTE_ADDR": remote})
    for _ in range(5):
        if answer.status_code != 302:
            return answer.status_code, None
        location = answer.headers["Location"]
        if location.startswith(provider):
            return 302, parse_qs(urlsplit(location).query)["redirect_uri"][0]
        answer = web.get(location, headers=headers, environ_base={"REMOTE_ADDR": remote})
    raise AssertionError("no redirect to the provider")


def test_a_forwarded_host_from_anyone_but_a_trusted_proxy_is_ignored(provider, monkeypatch):
    status, uri = _redirect_uri(
        provider, monkeypatch, "", {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    )
    assert status == 302 and urlsplit(uri).netloc == "localhost" and uri.startswith("http://")
    # A proxy's address trusted, but the request not from it: still ignored.
    status, uri = _redirect_uri(provider, monkeypatch, "10.0.0.5", {"X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in uri


def test_a_trusted_proxys_forwarded_host_is_used_only_when_it_is_allowed(provider, monkeypatch):
    status, uri = _redirect_uri(
        provider,
        monkeypatch,
        "10.0.0.5",
        {"X-Forwarded-Host": "harbour.force.example", "X-Forwarded-Proto": "https"},
        remote="10.0.0.5",
    )
    assert status == 302 and uri == "https://harbour.force.example/oidc/harbour/callback"
    status, uri = _redirect_uri(
        provider, monkeypatch, "10.0.0.5", {"X-Forwarded-Host": "evil.example"}, remote="10.0.0.5"
    )
    assert status == 400 and uri is None
