"""Backups that restore: a backup taken while the dashboard serves and a load runs restores to a warehouse
with the same summaries as one of the states it was taken between (a load is one transaction); a restore onto a
key that cannot match the stored pseudonyms is refused with a line saying why; a load with another key is
refused too; on PostgreSQL through pg_dump and pg_restore."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from harbour.cli import main

from .bundles import real_bundle
from .hubs import ROOT, free_port, hub_database
from .support import demo_copy, require

KEY = "a-real-key-for-tests-only-0123456789abcdef"
OTHER_KEY = "another-real-key-for-tests-only-9876543210"


def harbour(*args: str, key: str | None = KEY):
    env = {"HARBOUR_PSEUDONYM_KEY": key} if key else {"HARBOUR_PSEUDONYM_KEY": ""}
    return CliRunner(env=env).invoke(main, list(args))


def summaries(url: str) -> dict:
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts

    engine_for.cache_clear()
    out = {}
    for code in sorted(facts(engine_for(url)).forces["force_code"]):
        result = harbour("summary", "--exact", "--force", code, "--warehouse", url)
        assert result.exit_code == 0, result.output
        out[code] = json.loads(result.output)
    return out


@pytest.mark.slow
def test_a_backup_taken_while_serving_and_loading_restores_to_the_same_summaries(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    first, second = real_bundle(tmp_path, 31), real_bundle(tmp_path, 32)
    assert harbour("load", str(first), "--warehouse", url).exit_code == 0
    before = summaries(url)
    port = free_port()
    env = {
        **os.environ,
        "HARBOUR_WAREHOUSE": url,
        "HARBOUR_PSEUDONYM_KEY": KEY,
        "HARBOUR_CACHE_DIR": str(tmp_path / "cache"),
    }
    serve = subprocess.Popen(
        [sys.executable, "-m", "harbour.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stop = threading.Event()

    def visit():  # a reader of the dashboard throughout
        while not stop.is_set():
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/retention", timeout=5).read()
            except OSError:
                time.sleep(0.2)

    reader = threading.Thread(target=visit, daemon=True)
    reader.start()
    try:
        load = subprocess.Popen(
            [sys.executable, "-m", "harbour.cli", "load", str(second)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        backups = []
        while load.poll() is None or not backups:
            out = tmp_path / f"backup-{len(backups)}.sqlite"
            result = harbour("backup", "--out", str(out), "--warehouse", url)
            assert result.exit_code == 0, result.output
            backups.append(out)
            if load.poll() is not None:
                break
            time.sleep(0.3)
        assert load.wait(timeout=120) == 0, load.stdout.read()
    finally:
        stop.set()
        serve.terminate()
        serve.wait(timeout=15)
    after = summaries(url)
    assert before != after
    for number, copy in enumerate(backups):
        restored = f"sqlite:///{tmp_path / f'restored-{number}.sqlite'}"
        result = harbour("restore", str(copy), "--warehouse", restored)
        assert result.exit_code == 0 and "is the key that made its pseudonyms" in result.output, result.output
        assert summaries(restored) in (before, after), copy  # one state or the other, never a half-load
    # The backup is readable by its owner only, and never overwritten.
    assert oct(backups[0].stat().st_mode & 0o777) == "0o600"
    again = harbour("backup", "--out", str(backups[0]), "--warehouse", url)
    assert again.exit_code == 1 and "never overwrites" in again.output


def test_a_restore_or_a_load_with_another_pseudonym_key_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    bundle = real_bundle(tmp_path, 41)
    assert harbour("load", str(bundle), "--warehouse", url).exit_code == 0
    assert harbour("backup", "--out", str(tmp_path / "b.sqlite"), "--warehouse", url).exit_code == 0
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    for key, words in (
        (OTHER_KEY, "is not the key that made this backup's pseudonyms"),
        (None, "set HARBOUR_PSEUDONYM_KEY to the key that made its pseudonyms"),
    ):
        result = harbour("restore", str(tmp_path / "b.sqlite"), "--warehouse", target, key=key)
        assert result.exit_code == 1 and words in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
        assert not (tmp_path / "target.sqlite").exists()  # nothing was replaced, or even made
    other = real_bundle(tmp_path, 42)
    refused = harbour("load", str(other), "--warehouse", url, key=OTHER_KEY)
    assert refused.exit_code == 1 and "not the key that made this warehouse's pseudonyms" in refused.output
    # Not a warehouse at all: refused before anything is touched.
    (tmp_path / "junk.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    junk = harbour("restore", str(tmp_path / "junk.sqlite"), "--warehouse", url)
    assert junk.exit_code == 1 and "The warehouse is as it was" in junk.output


@pytest.mark.postgres
def test_backup_and_restore_on_postgresql_with_pg_dump(tmp_path):
    require(os.environ.get("HARBOUR_TEST_POSTGRES_URL") is not None, "PostgreSQL (HARBOUR_TEST_POSTGRES_URL)")
    require(
        shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None,
        "pg_dump and pg_restore (Debian's postgresql-client)",
    )
    bundle = real_bundle(tmp_path, 51)
    with (
        hub_database("postgresql", tmp_path, f"harbour_backup_{os.getpid()}") as url,
        hub_database("postgresql", tmp_path, f"harbour_restore_{os.getpid()}") as target,
    ):
        assert harbour("load", str(bundle), "--warehouse", url).exit_code == 0
        made = harbour("backup", "--out", str(tmp_path / "pg.dump"), "--warehouse", url)
        assert made.exit_code == 0 and "pg_dump --format=custom" in made.output and "@" in made.output, made.output
        refused = harbour("restore", str(tmp_path / "pg.dump"), "--warehouse", target, key=OTHER_KEY)
        assert refused.exit_code == 1 and "is not the key" in refused.output
        restored = harbour("restore", str(tmp_path / "pg.dump"), "--warehouse", target)
        assert restored.exit_code == 0, restored.output
        assert summaries(target) == summaries(url)


@contextlib.contextmanager
def _small_disk(folder: Path, size: str):
    """A real file system of ``size`` (tmpfs), mounted at ``folder`` for the test: a disk that fills up."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)], capture_output=True, text=True
    )
    require(mounted.returncode == 0, f"a small tmpfs mounted for the test (root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_backup_onto_a_full_disk_says_so_in_one_line_and_leaves_nothing(tmp_path):
    url = demo_copy(tmp_path / "warehouse")
    with _small_disk(tmp_path / "small", "256k") as small:
        result = CliRunner().invoke(main, ["backup", "--out", str(small / "b.sqlite"), "--warehouse", url])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Refused: ") and "MiB free" in lines[0], lines
        assert list(small.iterdir()) == []


def test_a_disk_that_fills_during_the_backup_leaves_no_part_of_it(tmp_path, monkeypatch):
    """The free space looked enough (another writer took it meanwhile): SQLite's 'disk is full' is one line, and the
    partial file, its owner's alone while it existed, is gone."""
    from harbour.warehouse import backup as backups

    url = demo_copy(tmp_path / "warehouse")
    monkeypatch.setattr(backups.shutil, "disk_usage", lambda _folder: shutil._ntuple_diskusage(2**40, 0, 2**40))
    with _small_disk(tmp_path / "small", "256k") as small:
        result = CliRunner().invoke(main, ["backup", "--out", str(small / "b.sqlite"), "--warehouse", url])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "could not be written" in lines[0], lines
        assert list(small.iterdir()) == []
    made = tmp_path / "whole.sqlite"
    assert CliRunner().invoke(main, ["backup", "--out", str(made), "--warehouse", url]).exit_code == 0
    assert (made.stat().st_mode & 0o777) == 0o600
