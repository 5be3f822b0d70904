"""The store behind every cache of Harbour's: Redis where the deployment has one (HARBOUR_REDIS_URL), files in
HARBOUR_CACHE_DIR otherwise (cachelib, the Pallets library under Flask-Caching), shared by every worker; and the
fingerprint of the code, which every key holds so that an upgraded Harbour never serves what its earlier
version made. It knows nothing of pages (harbour.web.cache keys the views and pages).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import secrets
import threading
from pathlib import Path

from cachelib import FileSystemCache, RedisCache

from harbour import settings
from harbour.files import write_whole
from harbour.views.serial import Signed

TIMEOUT_SECONDS = 7 * 24 * 3600
log = logging.getLogger(__name__)
_lock = threading.Lock()
_caches: dict[str, object] = {}


def _store():
    """Redis where HARBOUR_REDIS_URL names one; otherwise files in HARBOUR_CACHE_DIR; None when off."""
    redis_url = settings.redis_url()
    folder = settings.cache_dir()
    if not redis_url and not folder:
        return None
    where = redis_url or folder
    with _lock:
        if where not in _caches:
            signed = Signed(cache_key())  # signed JSON, never pickle (cachelib's default)
            if redis_url:
                import redis  # an optional dependency (the redis extra), needed only with HARBOUR_REDIS_URL

                client = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=0.5)
                cache = type("SignedRedisCache", (RedisCache,), {"serializer": signed})(
                    client, key_prefix="harbour:", default_timeout=TIMEOUT_SECONDS
                )
            else:
                # The serializer is the class's before cachelib writes its first file (the entry count).
                cache = type("SignedFileSystemCache", (FileSystemCache,), {"serializer": signed})(
                    folder, threshold=5000, default_timeout=TIMEOUT_SECONDS, mode=0o600
                )
                os.chmod(folder, 0o700)  # the cache folder is its owner's alone
            _caches[where] = cache
        return _caches[where]


class DamagedKey(Exception):
    """The machine's cache key is there but is no key (empty, cut short, or not one Harbour wrote)."""


KEY_HEX = 64  # the machine's key: 32 random bytes as hex


def cache_key() -> bytes:
    """The key that signs cache entries: HARBOUR_CACHE_KEY, else HARBOUR_SECRET_KEY, else this machine's own, made
    once in the data folder (outside the cache folder), whole or not at all, and readable by its owner only. A key
    file that is there but is no key is refused (DamagedKey), never read as a key everyone could compute."""
    configured = settings.get("HARBOUR_CACHE_KEY") or settings.get("HARBOUR_SECRET_KEY")
    if configured:
        return hashlib.sha256(b"harbour-cache\0" + configured.encode("utf-8")).digest()
    path = settings.data_dir() / "cache.key"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, secrets.token_hex(KEY_HEX // 2).encode(), replace=False)
    except OSError:  # a read-only data folder or a full disk: a key of this process's own (its entries are its own)
        if not path.exists():
            return _process_key
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return _process_key
    if len(text) != KEY_HEX or any(c not in "0123456789abcdef" for c in text):
        raise DamagedKey(
            f"the cache key {path} is not a whole key ({len(text)} characters, not {KEY_HEX}): remove the file and "
            "Harbour makes a new one (every cached page is then drawn afresh)"
        )
    return hashlib.sha256(b"harbour-cache\0" + text.encode()).digest()


_process_key = hashlib.sha256(b"harbour-cache\0" + secrets.token_bytes(32)).digest()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the code and assets that draw a page: every Python file of the package and every file under
    assets/, read once per process (the tests and scripts of a repository are not the package's). An upgrade, or
    any edit, makes new cache keys."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    files = [f for f in root.rglob("*.py") if f.relative_to(root).parts[0] not in NOT_THE_PACKAGE]
    files += [f for f in (root / "assets").rglob("*") if f.is_file()]
    for file in sorted(f for f in files if f.is_file() and "__pycache__" not in f.parts):
        digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


NOT_THE_PACKAGE = ("tests", "scripts", "docs", "data", "build", "dist")


def remember(name: str, build, kind: str = "view"):
    """What the store holds under ``name``, or ``build()``'s, stored for every worker. Any failure of the store
    builds afresh: a damaged cache must never break a page. ``kind`` ("view", "attribution") begins the entry's
    key, so that an operator can tell them apart."""
    store = _store()
    if store is None:
        return build()
    key = f"{kind}:{hashlib.sha256(name.encode()).hexdigest()}"
    try:
        found = store.get(key)  # None for an entry refused by its signature (views.serial)
    except Exception as exc:  # noqa: BLE001 - a damaged cache file must never break a page
        log.warning("view cache unreadable: %s", type(exc).__name__)
        found = None
    if found is not None:
        return found
    made = build()
    try:
        store.set(key, made)
    except Exception as exc:  # noqa: BLE001 - a full disk or a read-only folder: serve uncached
        log.warning("view cache not written: %s", type(exc).__name__)
    return made
