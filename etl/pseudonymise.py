"""Keyed pseudonyms for child identifiers: the privacy step, on its own.

A ``child_id`` is normalised (trimmed, case-folded, Unicode NFC) and replaced by
HMAC-SHA256 under a key held outside the warehouse. The value as sent goes no further than
this module: it is never stored, logged or echoed.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

# The synthetic demo is generated, not collected, so it needs no secret; a fixed key keeps its
# pseudonyms stable between builds. It must never be used for a real bundle.
DEMO_KEY = b"harbour-synthetic-demo-only"


class MissingKey(RuntimeError):
    pass


def normalise(child_id: str) -> str:
    return unicodedata.normalize("NFC", child_id.strip().casefold())


class Pseudonymiser:
    """Maps identifiers to pseudonyms, caching within one load (a child appears in 3 tables)."""

    def __init__(self, key: bytes | None):
        if not key:
            raise MissingKey(
                "HARBOUR_PSEUDONYM_KEY is not set. Set it to a long random secret kept outside the "
                "warehouse, for example:\n  export HARBOUR_PSEUDONYM_KEY=\"$(python -c 'import secrets; print(secrets.token_hex(32))')\"\n"
                "Use the same key for every load, or the same child will get a different pseudonym."
            )
        self._key = key
        self._cache: dict[str, str] = {}

    def __call__(self, child_id: str) -> str:
        found = self._cache.get(child_id)
        if found is None:
            found = hmac.new(self._key, normalise(child_id).encode("utf-8"), hashlib.sha256).hexdigest()
            self._cache[child_id] = found
        return found
