"""What the caches hold, as signed data: JSON that names only Harbour's own view types, with an HMAC-SHA256 of it.

Python's pickle (cachelib's default) runs code named in what it reads: whoever could write to the Redis or the
cache folder would run code in every worker. An entry here is ``HBC1`` + MAC + JSON; reading checks the MAC with
the cache key (views.store.cache_key) before parsing anything, and the JSON can build only the types named in
``TYPES`` (the view's dataclasses), bytes, dates and the plain JSON values. An entry that fails is refused with
:class:`Refused` and the view is built afresh.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import logging
import math
from datetime import date, datetime

import numpy as np
from cachelib.serializers import BaseSerializer

from harbour.views.model import Cell, Column, Panel, Table, View

log = logging.getLogger(__name__)
MAGIC = b"HBC1"
TAG = "__harbour__"


class Refused(ValueError):
    """A cache entry that is not Harbour's: no signature, a wrong one, or content it does not know."""


def _types() -> dict[str, type]:

    return {t.__name__: t for t in (Cell, Column, Panel, Table, View)}


def _encode(value):
    """``value`` as plain JSON values, Harbour's own types tagged."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else {TAG: "float", "value": repr(value)}
    if isinstance(value, dict):
        plain = {str(k): _encode(v) for k, v in value.items()}
        if TAG in plain or not all(isinstance(k, str) for k in value):
            return {TAG: "dict", "items": [[_encode(k), _encode(v)] for k, v in value.items()]}
        return plain
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {TAG: "tuple", "items": [_encode(v) for v in value]}
    if isinstance(value, (bytes, bytearray)):
        return {TAG: "bytes", "b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        return {TAG: "datetime", "iso": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "iso": value.isoformat()}
    if dataclasses.is_dataclass(value) and type(value).__name__ in _types():
        return {
            TAG: type(value).__name__,
            "fields": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }

    if isinstance(value, np.ndarray):
        return [_encode(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return _encode(value.item())
    raise TypeError(f"the cache does not hold {type(value).__name__}")


def _decode(node: dict):
    kind = node.get(TAG)
    if kind is None:
        return node
    if kind == "bytes":
        return base64.b64decode(node["b64"], validate=True)
    if kind == "float":
        return float(node["value"])  # nan, inf, -inf
    if kind == "tuple":
        return tuple(node["items"])
    if kind == "dict":
        return {_hashable(k): v for k, v in node["items"]}
    if kind == "datetime":
        return datetime.fromisoformat(node["iso"])
    if kind == "date":
        return date.fromisoformat(node["iso"])
    cls = _types().get(kind)
    if cls is None or not isinstance(node.get("fields"), dict):
        raise Refused(f"a cache entry names {str(kind)[:40]!r}, which is not one of Harbour's view types")
    return cls(**node["fields"])


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


def dumps(value, key: bytes) -> bytes:
    payload = json.dumps(_encode(value), separators=(",", ":"), allow_nan=False).encode("utf-8")
    return MAGIC + hmac.new(key, payload, hashlib.sha256).digest() + payload


def loads(data: bytes, key: bytes):
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 32:
        raise Refused("a cache entry without Harbour's signature")
    mac, payload = data[len(MAGIC) : len(MAGIC) + 32], data[len(MAGIC) + 32 :]
    if not hmac.compare_digest(mac, hmac.new(key, payload, hashlib.sha256).digest()):
        raise Refused("a cache entry whose signature does not match: written by someone without the cache key")
    try:
        return json.loads(payload, object_hook=_decode)
    except Refused:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise Refused(f"a signed cache entry that cannot be read ({type(exc).__name__})") from None


class Signed(BaseSerializer):
    """cachelib's serializer interface (files: dump/load; Redis: dumps/loads) over :func:`dumps`/:func:`loads`."""

    def __init__(self, key: bytes):
        self._key = key

    def dump(self, value, f, *args, **kwargs) -> None:
        f.write(dumps(value, self._key))

    def load(self, f, *args, **kwargs):
        return self.loads(f.read())

    def dumps(self, value, *args, **kwargs) -> bytes:
        return dumps(value, self._key)

    def loads(self, value, *args, **kwargs):
        """The entry, or None (as for a missing one) when it is refused: the caller builds afresh."""
        if value is None:
            return None
        try:
            return loads(value, self._key)
        except Refused as refused:
            log.warning("cache entry refused: %s", refused)
            return None
