"""Record keys (docs/metrics.md version 4, cell-key perturbation): made on load from the pseudonym key and kept with
each child's and each counted episode's facts; `harbour upgrade` makes them for a warehouse an older Harbour built,
and needs the pseudonym key to do it (one line when it is missing). The keys are written again here from the
standard's words (HMAC-SHA256, the first four bytes big-endian, modulo 4096), not imported."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3

from click.testing import CliRunner
from sqlalchemy import select

from harbour.cli import main
from harbour.etl.load import load_bundle
from harbour.warehouse import schema

from . import bundles
from .support import TEST_KEY


def key_of(secret: bytes, text: str) -> int:
    return int.from_bytes(hmac.new(secret, text.encode("utf-8"), hashlib.sha256).digest()[:4], "big") % 4096


def test_every_child_and_counted_episode_has_the_record_key_the_standard_defines(engine, tmp_path, pseudonymiser):
    load_bundle(engine, [bundles.write(tmp_path / "b", bundles.base())], pseudonymiser)
    with engine.connect() as conn:
        children = conn.execute(
            select(schema.child_facts.c.force_code, schema.child_facts.c.child_key, schema.child_facts.c.record_key)
        ).all()
        episodes = conn.execute(
            select(schema.missing_episodes.c.force_code, schema.missing_episodes.c.episode_id)
        ).all()
        episode_keys = conn.execute(select(schema.episode_facts.c.record_key)).scalars().all()
    assert len(children) == 2 and len(episodes) == 1
    for force, pseudonym, stored in children:
        assert stored == key_of(TEST_KEY, f"harbour-record-key:child:{force}:{pseudonym}")
    force, episode_id = episodes[0]
    assert episode_keys == [key_of(TEST_KEY, f"harbour-record-key:episode:{force}:{episode_id}")]
    # Another key, other record keys: without the pseudonym key the noise cannot be known.
    assert any(
        stored != key_of(b"another" + TEST_KEY, f"harbour-record-key:child:{f}:{p}") for f, p, stored in children
    )


def _keys(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT force_code, child_key, record_key FROM child_facts UNION ALL "
            "SELECT force_code, child_key || ':' || seq, record_key FROM episode_facts ORDER BY 1, 2"
        ).fetchall()


def _as_an_older_harbour_left_it(path) -> None:
    """A warehouse of the last release: facts without record keys, derived by the code before them."""
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE child_facts SET record_key = NULL")
        conn.execute("UPDATE episode_facts SET record_key = NULL")
        conn.execute("UPDATE load_batches SET derivation = 'the-last-release'")


def test_harbour_upgrade_makes_the_record_keys_a_fresh_load_makes(tmp_path, monkeypatch):
    real = bundles.real_bundle(tmp_path, seed=11)
    fresh, old = tmp_path / "fresh.sqlite", tmp_path / "old.sqlite"
    monkeypatch.setenv("HARBOUR_PSEUDONYM_KEY", TEST_KEY.decode())
    for path in (fresh, old):
        loaded = CliRunner().invoke(main, ["load", str(real), "--warehouse", f"sqlite:///{path}"])
        assert loaded.exit_code == 0, loaded.output
    expected = _keys(fresh)
    assert expected and all(key is not None for *_, key in expected)
    _as_an_older_harbour_left_it(old)

    monkeypatch.delenv("HARBOUR_PSEUDONYM_KEY")
    refused = CliRunner().invoke(main, ["upgrade", "--warehouse", f"sqlite:///{old}"])
    lines = refused.output.strip().splitlines()
    assert refused.exit_code != 0 and len(lines) == 1, refused.output
    assert "HARBOUR_PSEUDONYM_KEY" in lines[0] and "Nothing was changed" in lines[0]
    assert all(key is None for *_, key in _keys(old))  # nothing changed

    monkeypatch.setenv("HARBOUR_PSEUDONYM_KEY", "not-the-key-that-made-these-pseudonyms-at-all-0123456789")
    wrong = CliRunner().invoke(main, ["upgrade", "--warehouse", f"sqlite:///{old}"])
    assert wrong.exit_code != 0 and "another key" in wrong.output, wrong.output

    monkeypatch.setenv("HARBOUR_PSEUDONYM_KEY", TEST_KEY.decode())
    upgraded = CliRunner().invoke(main, ["upgrade", "--warehouse", f"sqlite:///{old}"])
    assert upgraded.exit_code == 0, upgraded.output
    assert _keys(old) == expected
    # And so the upgraded warehouse publishes the perturbed figures a fresh load publishes, force by force.
    for force in {code for code, *_ in expected}:
        summaries = [
            CliRunner()
            .invoke(
                main,
                ["summary", "--force", force, "--warehouse", f"sqlite:///{path}"],
                env={"HARBOUR_DISCLOSURE": "perturbation"},
            )
            .output
            for path in (old, fresh)
        ]
        assert summaries[0] == summaries[1] and '"disclosure": "perturbation"' in summaries[0]


def test_the_demo_upgrades_with_its_own_public_key(tmp_path):
    from .support import demo_copy

    url = demo_copy(tmp_path)
    path = url.removeprefix("sqlite:///")
    expected = _keys(path)
    _as_an_older_harbour_left_it(path)
    upgraded = CliRunner().invoke(main, ["upgrade", "--warehouse", url], env={"HARBOUR_PSEUDONYM_KEY": ""})
    assert upgraded.exit_code == 0, upgraded.output
    assert _keys(path) == expected
