"""The caches hold signed JSON, never pickles: a pickle planted in the cache folder or in Redis, as an
attacker who can write there would plant it, is never run; an entry signed with another key, or naming a type
that is not one of Harbour's views, is refused and the page built afresh; every page's view comes back equal."""

from __future__ import annotations

import os
import pickle
import stat
import struct

import pytest

from harbour.views import serial, store
from harbour.warehouse.engine import engine_for
from harbour.warehouse.queries import facts
from harbour.web.build import build, build_uncached

from .support import demo_copy


class Planted:
    """What an attacker writes: unpickling it runs a shell command that leaves a file behind."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = demo_copy(tmp_path_factory.mktemp("signed"))
    return facts(engine_for(url))


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("HARBOUR_CACHE_DIR", str(folder))
    monkeypatch.delenv("HARBOUR_REDIS_URL", raising=False)
    store._caches.clear()
    yield folder
    store._caches.clear()


PAGES = (
    "/",
    "/retention",
    "/engagement",
    "/before-after",
    "/attribution",
    "/missing",
    "/value",
    "/benchmark",
    "/methodology",
)


@pytest.mark.parametrize("path", PAGES)
def test_every_pages_view_comes_back_from_signed_json_equal(demo, path):
    key = b"k" * 32
    view = build_uncached(path, {"force": "ELMSHIRE"}, demo)
    assert serial.loads(serial.dumps(view, key), key) == view


def test_a_pickle_planted_in_the_cache_folder_is_never_run(demo, own_cache, tmp_path, caplog):
    first = build("/retention", {"force": "FENWICK"}, demo)
    files = [p for p in own_cache.rglob("*") if p.is_file()]
    assert files and stat.S_IMODE(own_cache.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert all(p.read_bytes()[4:8] == serial.MAGIC for p in files)  # cachelib's 4-byte expiry, then ours
    marker = tmp_path / "pwned"
    for path in files:  # every entry, the view's among them, overwritten as cachelib would read a pickle
        path.write_bytes(struct.pack("I", 0) + pickle.dumps(Planted(marker)))
    store._caches.clear()  # another worker, reading the folder afresh
    again = build("/retention", {"force": "FENWICK"}, demo)
    assert not marker.exists()
    assert again == first == build_uncached("/retention", {"force": "FENWICK"}, demo)
    assert "cache entry refused: a cache entry without Harbour's signature" in caplog.text


def test_a_pickle_planted_in_redis_is_never_run(demo, own_cache, tmp_path, monkeypatch):
    from .support import require

    url = os.environ.get("HARBOUR_TEST_REDIS_URL")
    require(url is not None, "Redis (HARBOUR_TEST_REDIS_URL)")
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    monkeypatch.setenv("HARBOUR_REDIS_URL", url)
    first = build("/missing", {"force": "OAKVALE"}, demo)
    keys = client.keys("harbour:*")
    assert keys and all(client.get(k).startswith(serial.MAGIC) for k in keys)
    marker = tmp_path / "pwned-redis"
    for k in keys:  # cachelib's Redis format for a pickle: '!' and the pickle
        client.set(k, b"!" + pickle.dumps(Planted(marker)))
    store._caches.clear()
    assert build("/missing", {"force": "OAKVALE"}, demo) == first
    assert not marker.exists()
    client.flushdb()


def test_entries_signed_with_another_key_or_naming_another_type_are_refused():
    key, other = b"a" * 32, b"b" * 32
    with pytest.raises(serial.Refused, match="does not match"):
        serial.loads(serial.dumps({"x": 1}, other), key)
    # Signed with the right key (an insider, or a key that leaked) but naming a class Harbour does not build.
    import hashlib
    import hmac

    payload = b'{"__harbour__": "Popen", "fields": {"args": "touch /tmp/x"}}'
    forged = serial.MAGIC + hmac.new(key, payload, hashlib.sha256).digest() + payload
    with pytest.raises(serial.Refused, match="not one of Harbour's view types"):
        serial.loads(forged, key)
    # Values the views hold come back as they went in: tuples, bytes, NaN, dict keys that are not text.
    value = {"t": (1, "a"), "b": b"\x00\xff", "nan": float("nan"), 3: [1.5], "__harbour__": "just text"}
    back = serial.loads(serial.dumps(value, key), key)
    assert back["t"] == (1, "a") and back["b"] == b"\x00\xff" and back["nan"] != back["nan"]
    assert back[3] == [1.5] and back["__harbour__"] == "just text"


def test_the_key_is_the_settings_or_one_made_once_for_the_machine(tmp_path, monkeypatch):
    monkeypatch.delenv("HARBOUR_CACHE_KEY", raising=False)
    monkeypatch.delenv("HARBOUR_SECRET_KEY", raising=False)
    monkeypatch.setenv("HARBOUR_DATA_DIR", str(tmp_path))
    made = store.cache_key()
    assert made == store.cache_key() and stat.S_IMODE((tmp_path / "cache.key").stat().st_mode) == 0o600
    monkeypatch.setenv("HARBOUR_SECRET_KEY", "s" * 40)
    assert store.cache_key() not in (made, b"s" * 40)
    monkeypatch.setenv("HARBOUR_CACHE_KEY", "c" * 40)
    assert store.cache_key() != made
