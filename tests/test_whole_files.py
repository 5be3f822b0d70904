"""Secrets and state files made whole or not at all, written as the faults that broke them: a first start on a full
disk left an empty cache.key, and every later process then signed the cache with sha256("harbour-cache\\0"), a
constant anyone can compute. Now a full disk leaves no key file (the process signs with a key of its own), and a
key file that is there but is no key is refused at start, in one line."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harbour import files
from harbour.views import store

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_CONSTANT = hashlib.sha256(b"harbour-cache\0").digest()


def _full_disk(monkeypatch):
    """Every flush to the disk fails as a full one does (ENOSPC), after the file was opened and written to."""

    def fsync(_descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", fsync)


@pytest.fixture
def machine_key(monkeypatch, tmp_path):
    """No configured key: the machine's own, in a data folder of this test's."""
    monkeypatch.delenv("HARBOUR_CACHE_KEY", raising=False)
    monkeypatch.delenv("HARBOUR_SECRET_KEY", raising=False)
    monkeypatch.setenv("HARBOUR_DATA_DIR", str(tmp_path))
    return tmp_path / "cache.key"


def test_a_first_start_on_a_full_disk_leaves_no_key_file_and_signs_with_a_key_of_its_own(machine_key, monkeypatch):
    _full_disk(monkeypatch)
    key = store.cache_key()
    assert not machine_key.exists()
    assert [p.name for p in machine_key.parent.iterdir()] == []  # no partial file either
    assert key != PUBLIC_CONSTANT and key == store._process_key
    monkeypatch.undo()


def test_a_later_start_makes_the_key_whole_and_readable_by_its_owner_only(machine_key):
    first = store.cache_key()
    assert len(machine_key.read_text()) == 64 and (machine_key.stat().st_mode & 0o777) == 0o600
    assert store.cache_key() == first != PUBLIC_CONSTANT


@pytest.mark.parametrize("content", ["", "\n", "0123abcd", "z" * 64, "ab" * 31])
def test_a_key_file_that_is_no_key_is_refused(machine_key, content):
    machine_key.write_text(content)
    with pytest.raises(store.DamagedKey, match="not a whole key"):
        store.cache_key()


def test_the_dashboard_refuses_to_start_on_an_empty_key_in_one_line(tmp_path):
    (tmp_path / "cache.key").write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("HARBOUR_CACHE_KEY", "HARBOUR_SECRET_KEY")}
    env.update(HARBOUR_DATA_DIR=str(tmp_path), HARBOUR_WAREHOUSE=f"sqlite:///{tmp_path / 'w.sqlite'}")
    done = subprocess.run(
        [sys.executable, "-c", "import harbour.app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 3
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cache key" in lines[0] and "remove the file" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_a_file_written_whole_replaces_the_old_one_or_leaves_it_as_it_was(tmp_path, monkeypatch):
    target = tmp_path / "pack.json"
    files.write_whole(target, b"old", mode=None)
    _full_disk(monkeypatch)
    with pytest.raises(OSError):
        files.write_whole(target, b"new and longer")
    monkeypatch.undo()
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["pack.json"]
    files.write_whole(target, b"new")
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o600


def test_of_two_writers_of_a_new_file_the_first_wins_whole(tmp_path):
    target = tmp_path / "private.pem"
    assert files.write_whole(target, b"first", replace=False) is True
    assert files.write_whole(target, b"second", replace=False) is False
    assert target.read_bytes() == b"first" and sorted(p.name for p in tmp_path.iterdir()) == ["private.pem"]
