"""Talking to a benchmarking hub (hub.app) over HTTP, with the standard library only.

Everything a hub sends is untrusted: its answers are size-capped and parsed as JSON, and a pack from it goes
through the same checks as a file (exchange.packs.validate, then the local keyring). The token travels only
in the Authorization header, to the hub's own address: redirects are refused (they would carry it elsewhere),
plain http is allowed only to this machine, and the token is never part of a message. A hub that is down, slow
or overloaded is retried with backoff (honouring Retry-After); when it cannot be reached, :class:`HubError`
says so in one line.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from harbour.untrusted import loopback, printable

API = "/api/v1"
TIMEOUT_SECONDS = 20
ATTEMPTS = 4
RETRY_STATUSES = {429, 502, 503, 504}
MOST_WAIT_SECONDS = 30
BACKOFF_SECONDS = 1.0  # the first wait; each retry waits twice as long as the one before
# Every force's latest pack (each at most exchange.packs.MAX_PACK_BYTES) fits well within this.
MOST_RESPONSE_BYTES = 256 * 2**20


class HubError(Exception):
    """The hub could not be used; the message is one line, naming the hub and never the token."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise HubError(
            f"the hub at {_origin(req.full_url)} answered with a redirect ({code}), which is not "
            "followed: the token would go with it. Give the hub's address as it serves the API"
        )


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")


def base_url(url: str) -> str:
    """The hub's address as given (``https://hub.example``, with or without a path), checked: https, or http to
    this machine; no user name or password in it; no query or fragment."""
    text = str(url).strip().rstrip("/")
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        raise HubError(f"{text[:80]!r} is not a hub address (for example https://hub.example.org)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HubError(f"{text[:80]!r} is not a hub address (for example https://hub.example.org)")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise HubError(
            "a hub address carries no user name, password, query or fragment: give the token with "
            "--token or HARBOUR_HUB_TOKEN"
        )
    if parts.scheme == "http" and not loopback(parts.hostname):
        raise HubError(
            f"the hub at {_origin(text)} is plain http: the token would cross the network unencrypted. "
            "Use its https address"
        )
    return text.removesuffix(API)


class Hub:
    def __init__(
        self,
        url: str,
        token: str,
        timeout: float = TIMEOUT_SECONDS,
        attempts: int = ATTEMPTS,
        backoff: float | None = None,
    ):
        self.url = base_url(url)
        if not token or any(ch in token for ch in "\r\n\0 "):
            raise HubError("no usable hub token: give --token or set HARBOUR_HUB_TOKEN")
        self._token = token
        self.timeout, self.attempts = timeout, attempts
        self.backoff = BACKOFF_SECONDS if backoff is None else backoff
        self._opener = urllib.request.build_opener(_NoRedirects)

    def __repr__(self) -> str:  # the token never reaches a log through a repr
        return f"Hub({self.url!r})"

    def get(self, path: str, query: dict | None = None) -> Answer:
        suffix = ("?" + urllib.parse.urlencode(query)) if query else ""
        return self._call("GET", path + suffix, None)

    def post(self, path: str, payload: bytes) -> Answer:
        return self._call("POST", path, payload)

    def _call(self, method: str, path: str, payload: bytes | None) -> Answer:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
            "User-Agent": "harbour-hub-client",
        }
        if payload is not None:
            headers["Content-Type"] = "application/json"
        problem = "no answer"
        for attempt in range(self.attempts):
            request = urllib.request.Request(self.url + API + path, data=payload, method=method, headers=headers)
            wait = self.backoff * 2**attempt
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    return Answer(response.status, self._read(response))
            except urllib.error.HTTPError as error:
                with error:
                    if error.code in RETRY_STATUSES:  # overloaded or down behind its proxy: tried again
                        wait = _retry_after(error.headers.get("Retry-After"), wait)
                        problem = f"it answered {error.code}"
                    else:
                        try:
                            body = self._read(error, quiet=True)
                        except (http.client.HTTPException, OSError):
                            body = {}  # a refusal whose words were cut: its status still says what happened
                        return Answer(error.code, body)
            except HubError:
                raise
            except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
                problem = _reason(error)
            if attempt + 1 < self.attempts:
                time.sleep(wait)
        raise HubError(
            f"the hub at {_origin(self.url)} cannot be reached ({problem}, {self.attempts} tries); "
            "nothing was changed here"
        )

    def _read(self, response, quiet: bool = False) -> dict:
        too_large = HubError(
            f"the hub at {_origin(self.url)} sent more than {MOST_RESPONSE_BYTES:,} bytes; nothing of it was used"
        )
        declared = response.headers.get("Content-Length")
        declared = int(declared) if declared and declared.isdigit() else None
        if declared is not None and declared > MOST_RESPONSE_BYTES:
            raise too_large
        data = response.read(MOST_RESPONSE_BYTES + 1)
        if len(data) > MOST_RESPONSE_BYTES:
            raise too_large
        if declared is not None and len(data) < declared:
            # A read of a given size returns what came before the connection closed: a cut answer, not an answer.
            raise http.client.IncompleteRead(data, declared - len(data))
        try:
            body = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            if quiet:
                return {}
            raise HubError(
                f"the hub at {_origin(self.url)} sent something that is not JSON; nothing of it was used"
            ) from None
        if not isinstance(body, dict):
            if quiet:
                return {}
            raise HubError(f"the hub at {_origin(self.url)} sent JSON that is not an object; nothing of it was used")
        return body


def _retry_after(value: str | None, default: float) -> float:
    try:
        return min(max(float(value), 0.0), MOST_WAIT_SECONDS)
    except (TypeError, ValueError):
        return default


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", error)
    if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in str(reason):
        return "it did not answer in time"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "its name does not resolve"
    if (
        isinstance(reason, (ConnectionResetError, ConnectionAbortedError, http.client.HTTPException))
        or "closed" in str(reason).lower()
    ):
        return "the connection was cut"
    return type(reason).__name__


def message(answer: Answer) -> str:
    """A refusal's sentence from the hub (untrusted text: printable characters only, bounded)."""

    text = answer.body.get("message") if isinstance(answer.body, dict) else None
    return printable(str(text), 300) if text else f"HTTP {answer.status}"
