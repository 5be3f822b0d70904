"""Keyed pseudonyms for child identifiers: the privacy step, on its own.

A ``child_id`` is normalised (trimmed, case-folded, Unicode NFC) and replaced by
HMAC-SHA256 under a key held outside the warehouse. The value as sent goes no further than
this module: it is never stored, logged or echoed.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from harbour.metrics.perturbation import record_key

# The synthetic demo is generated, not collected, so it needs no secret; a fixed key keeps its
# pseudonyms stable between builds. It must never be used for a real bundle.
DEMO_KEY = b"harbour-synthetic-demo-only"


MIN_KEY_BYTES = 32
HOW_TO_MAKE_ONE = (
    "  export HARBOUR_PSEUDONYM_KEY=\"$(python -c 'import secrets; print(secrets.token_hex(32))')\"\n"
    "Keep it outside the warehouse, and use the same key for every load, or the same child will get a "
    "different pseudonym."
)


class MissingKey(RuntimeError):
    pass


def normalise(child_id: str) -> str:
    return unicodedata.normalize("NFC", child_id.strip().casefold())


CACHE_LIMIT = 500_000  # pseudonyms remembered (a child's id repeats across contacts, placements and episodes)


class Pseudonymiser:
    """Maps identifiers to pseudonyms, caching within one load (a child appears in 3 tables)."""

    def __init__(self, key: bytes | None):
        if not key:
            raise MissingKey(
                "HARBOUR_PSEUDONYM_KEY is not set. Set it to a long random secret kept outside the "
                "warehouse, for example:\n" + HOW_TO_MAKE_ONE
            )
        self._key = key
        self._cache: dict[str, str] = {}

    def weakness(self) -> str | None:
        """Why this key must not pseudonymise real children, or None. A short or public key lets anyone
        who sees the warehouse recover child ids by hashing every id of the source system's format."""
        if hmac.compare_digest(self._key, DEMO_KEY):
            return (
                "HARBOUR_PSEUDONYM_KEY is the synthetic demo's public key, which must never pseudonymise "
                "real children. Make a key of your own:\n" + HOW_TO_MAKE_ONE
            )
        if len(self._key) < MIN_KEY_BYTES:
            return (
                f"HARBOUR_PSEUDONYM_KEY is {len(self._key)} bytes long; a key for real children needs at least "
                f"{MIN_KEY_BYTES} bytes of random secret. Make one:\n" + HOW_TO_MAKE_ONE
            )
        return None

    def key_check(self) -> str:
        """A check value of the key (an HMAC of a fixed text, not of any identifier): stored with the warehouse, it
        tells whether a later load or a restore uses the key that made its pseudonyms, and reveals nothing else."""
        return hmac.new(self._key, b"harbour-pseudonym-key-check\0", hashlib.sha256).hexdigest()[:32]

    def record_key(self, kind: str, force_code: str, identifier: str) -> int:
        """A child's or an episode's record key (docs/metrics.md version 4, cell-key perturbation), made from this
        key: kept with the facts, never exported, shown or logged."""
        return record_key(self._key, kind, force_code, identifier)

    def many(self, child_ids: list[str]) -> list[str]:
        """The pseudonyms of many distinct identifiers at once (a column's), as :meth:`__call__` gives each; the
        first ``CACHE_LIMIT`` remembered for the tables that follow."""
        key, cache, out = self._key, self._cache, []
        for child_id in child_ids:
            found = cache.get(child_id)
            if found is None:
                found = hmac.digest(key, normalise(child_id).encode("utf-8"), "sha256").hex()
                if len(cache) < CACHE_LIMIT:
                    cache[child_id] = found
            out.append(found)
        return out

    def __call__(self, child_id: str) -> str:
        found = self._cache.get(child_id)
        if found is None:
            found = hmac.digest(self._key, normalise(child_id).encode("utf-8"), "sha256").hex()  # one C call
            if len(self._cache) < CACHE_LIMIT:  # a junk file of millions of ids cannot fill memory with them
                self._cache[child_id] = found
        return found
