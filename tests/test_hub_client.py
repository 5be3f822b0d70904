"""The hub client against small real HTTP servers that misbehave as a hostile or overloaded hub would: a redirect
(the token must not follow it), 503 and 429 with Retry-After (retried, waiting as told), an answer that is not
JSON, one larger than the cap, one cut short."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harbour.exchange import hub_client
from harbour.exchange.hub_client import Hub, HubError

TOKEN = "t" * 43


class Script:
    """What a fake hub answers, in order, and what it was sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.seen: list[dict] = []
        self.times: list[float] = []


def serve(script: Script):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 - http.server's name
            script.seen.append({"path": self.path, "authorization": self.headers.get("Authorization")})
            script.times.append(time.monotonic())
            status, headers, body = script.answers.pop(0) if script.answers else (200, {}, b"{}")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def hubs():
    started = []

    def start(*answers):
        script = Script(*answers)
        server, base = serve(script)
        started.append(server)
        return script, base

    yield start
    for server in started:
        server.shutdown()


def test_a_redirect_is_refused_and_the_token_never_follows_it(hubs):
    elsewhere, elsewhere_url = hubs((200, {}, b'{"keys": []}'))
    script, base = hubs((302, {"Location": elsewhere_url + "/api/v1/keys"}, b""))
    with pytest.raises(HubError, match="redirect") as caught:
        Hub(base, TOKEN, backoff=0).get("/keys")
    assert elsewhere.seen == [] and TOKEN not in str(caught.value)
    assert script.seen[0]["authorization"] == f"Bearer {TOKEN}"


def test_an_overloaded_hub_is_retried_waiting_as_its_retry_after_says(hubs):
    script, base = hubs(
        (503, {"Retry-After": "1"}, b""), (429, {"Retry-After": "0.5"}, b""), (200, {}, b'{"keys": [1]}')
    )
    answer = Hub(base, TOKEN, backoff=0).get("/keys")
    assert answer.status == 200 and answer.body == {"keys": [1]} and len(script.seen) == 3
    waits = [b - a for a, b in zip(script.times, script.times[1:], strict=False)]
    assert waits[0] >= 0.95 and waits[1] >= 0.45  # as told, not the (zero) backoff
    # A Retry-After beyond the cap is not waited for in full.
    assert hub_client._retry_after("86400", 1.0) == hub_client.MOST_WAIT_SECONDS
    assert hub_client._retry_after("soon", 2.0) == 2.0


def test_a_hub_that_stays_down_gets_its_tries_then_one_line(hubs):
    script, base = hubs(*[(503, {}, b"")] * 4)
    with pytest.raises(HubError) as caught:
        Hub(base, TOKEN, backoff=0.01).get("/packs")
    assert "cannot be reached (it answered 503, 4 tries); nothing was changed here" in str(caught.value)
    assert len(script.seen) == 4


def test_answers_that_are_not_json_too_large_or_cut_short_are_refused_whole(hubs, monkeypatch):
    _, base = hubs((200, {}, b"<html>proxy error</html>"))
    with pytest.raises(HubError, match="not JSON"):
        Hub(base, TOKEN, backoff=0).get("/packs")
    _, base = hubs((200, {}, b"[1, 2]"))
    with pytest.raises(HubError, match="not an object"):
        Hub(base, TOKEN, backoff=0).get("/packs")
    monkeypatch.setattr(hub_client, "MOST_RESPONSE_BYTES", 1000)
    _, base = hubs((200, {}, json.dumps({"packs": ["x" * 2000]}).encode()))
    with pytest.raises(HubError, match="sent more than"):
        Hub(base, TOKEN, backoff=0).get("/packs")
    body = json.dumps({"packs": []}).encode()
    _, base = hubs(*[(200, {"Content-Length": str(len(body) + 500)}, body)] * 2)
    with pytest.raises(HubError, match="the connection was cut, 2 tries"):
        Hub(base, TOKEN, attempts=2, backoff=0, timeout=2).get("/packs")


def test_a_refusal_is_the_hubs_sentence_made_printable(hubs):
    _, base = hubs((403, {}, json.dumps({"error": "x", "message": "no\x1b[8m hidden"}).encode()))
    answer = Hub(base, TOKEN, backoff=0).get("/packs")
    assert answer.status == 403 and hub_client.message(answer) == "no?[8m hidden"


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://hub.example.org", "plain http"),
        ("https://u:p@hub.example.org", "no user name"),
        ("https://hub.example.org/?x=1", "no user name"),
        ("gopher://hub.example.org", "not a hub address"),
        ("https://hub.example.org:99999", "not a hub address"),
        ("", "not a hub address"),
    ],
)
def test_addresses_that_would_leak_the_token_are_refused(url, words):
    with pytest.raises(HubError, match=words):
        Hub(url, TOKEN)


def test_loopback_http_and_https_are_accepted_and_the_token_is_never_in_a_repr():
    for url in (
        "http://127.0.0.1:8060",
        "http://localhost:8060/",
        "http://[::1]:8060",
        "https://hub.example.org",
        "https://hub.example.org/api/v1",
    ):
        hub = Hub(url, TOKEN)
        assert TOKEN not in repr(hub) and not hub.url.endswith("/api/v1")
    with pytest.raises(HubError, match="no usable hub token"):
        Hub("https://hub.example.org", "two words")
