"""The harbour command: every subcommand, its help, its one-line account and its exit codes."""

import json

import pytest
from click.testing import CliRunner

from harbour.cli import main

from . import bundles
from .support import free_port


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'w.sqlite'}"


@pytest.mark.parametrize("command", ["load", "demo", "summary", "serve"])
def test_every_subcommand_has_help(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--warehouse" in result.output


def test_no_command_takes_one_option_twice():
    """Found: `harbour slides` took --period twice, the benchmarking deck's period compared and the filters' whole
    period; the one shadowed the other, so that a deck could not be filtered to a period."""
    import click

    def commands(group):
        for command in group.commands.values():
            yield command
            if isinstance(command, click.Group):
                yield from commands(command)

    for command in commands(main):
        names = [p.name for p in command.params]
        flags = [o for p in command.params if isinstance(p, click.Option) for o in (*p.opts, *p.secondary_opts)]
        for said in (names, flags):
            assert len(said) == len(set(said)), (command.name, sorted({n for n in said if said.count(n) > 1}))


def test_a_deck_is_filtered_to_a_whole_period(runner, tmp_path):
    from pptx import Presentation

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert runner.invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    texts = {}
    for period in (None, "pilot"):
        out = tmp_path / f"{period}.pptx"
        options = ["--period", period] if period else []
        result = runner.invoke(
            main, ["slides", "--page", "/retention", *options, "--out", str(out), "--warehouse", url]
        )
        assert result.exit_code == 0, result.output
        texts[period] = " ".join(
            shape.text_frame.text
            for slide in Presentation(out).slides
            for shape in slide.shapes
            if shape.has_text_frame
        )
    assert texts["pilot"] != texts[None]
    assert "pilot" in texts["pilot"].lower()


def test_a_deck_of_a_period_with_no_children_is_made_not_a_traceback(runner, tmp_path):
    """Found: a financial year before any contact (no points over time) raised "no record keys" under perturbation."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert runner.invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    out = tmp_path / "empty.pptx"
    result = runner.invoke(main, ["slides", "--period", "1999-00", "--out", str(out), "--warehouse", url])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


def test_load_without_the_key_exits_2_and_says_how_to_set_it(runner, tmp_path, url, monkeypatch):
    monkeypatch.delenv("HARBOUR_PSEUDONYM_KEY", raising=False)
    folder = bundles.write(tmp_path / "b", bundles.base())
    result = runner.invoke(main, ["load", str(folder), "--warehouse", url])
    assert result.exit_code == 2
    assert "HARBOUR_PSEUDONYM_KEY" in result.output and "export" in result.output


def test_load_then_reload_then_refuse(runner, tmp_path, url, monkeypatch):
    monkeypatch.setenv("HARBOUR_PSEUDONYM_KEY", "test-key-" + "0" * 40)
    folder = bundles.write(tmp_path / "b", bundles.base())
    first = runner.invoke(main, ["load", str(folder), "--warehouse", url])
    assert first.exit_code == 0, first.output
    assert first.output.strip().splitlines()[-1].startswith("Loaded bundle for TESTSHIRE")
    again = runner.invoke(main, ["load", str(folder), "--warehouse", url])
    assert again.exit_code == 0 and "already loaded" in again.output
    tables = bundles.base()
    tables["contacts"][0]["nationality"] = "XXX"
    bad = runner.invoke(main, ["load", str(bundles.write(tmp_path / "bad", tables)), "--warehouse", url])
    assert bad.exit_code == 1
    assert "contacts.csv (1):" in bad.output and "row 2, column nationality: E04" in bad.output
    assert "Traceback" not in bad.output
    assert bad.output.strip().splitlines()[-1].startswith("Refused")


def test_load_usage_errors_exit_2(runner, tmp_path, url, monkeypatch):
    monkeypatch.setenv("HARBOUR_PSEUDONYM_KEY", "test-key-" + "0" * 40)
    assert runner.invoke(main, ["load"]).exit_code == 2
    assert runner.invoke(main, ["load", str(tmp_path / "nowhere"), "--warehouse", url]).exit_code == 2


def test_demo_out_writes_a_bundle_and_loads_nothing(runner, tmp_path):
    result = runner.invoke(main, ["demo", "--out", str(tmp_path / "demo"), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "demo").iterdir()} == {
        "forces.csv",
        "contacts.csv",
        "placements.csv",
        "missing_episodes.csv",
    }
    assert "synthetic" in result.output


def test_demo_is_deterministic(runner, tmp_path):
    runner.invoke(main, ["demo", "--out", str(tmp_path / "a"), "--seed", "5"])
    runner.invoke(main, ["demo", "--out", str(tmp_path / "b"), "--seed", "5"])
    runner.invoke(main, ["demo", "--out", str(tmp_path / "c"), "--seed", "6"])
    a, b, c = ((tmp_path / x / "contacts.csv").read_text() for x in "abc")
    assert a == b and a != c


def test_demo_loads_and_summary_prints_the_document(runner, url):
    built = runner.invoke(main, ["demo", "--warehouse", url])
    assert built.exit_code == 0, built.output
    assert "Loaded synthetic bundle" in built.output
    result = runner.invoke(main, ["summary", "--force", "elmshire", "--warehouse", url])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["force"] == "ELMSHIRE" and doc["exact"] is False and doc["synthetic"] is True
    assert doc["standard_version"] == 4 and doc["disclosure"] in ("perturbation", "suppression")  # metrics.md v4
    rate = doc["periods"]["baseline"]["retention"]["28d"]["rate"]
    assert rate == round(rate, 2)  # whole percentage points, as a fraction
    exact = json.loads(runner.invoke(main, ["summary", "--exact", "--force", "ALL", "--warehouse", url]).output)
    assert exact["exact"] is True and exact["force"] is None and exact["extract_date"] is None
    # With no --force, the lead force, as the pages and `harbour slides` default to (it pooled every force).
    default = json.loads(runner.invoke(main, ["summary", "--warehouse", url]).output)
    assert default["force"] == "ELMSHIRE"
    h = exact["periods"]["pilot"]["retention"]["28d"]
    assert h["rate"] == h["retained"] / h["at_risk"]  # full precision
    unknown = runner.invoke(main, ["summary", "--force", "NOPE", "--warehouse", url])
    assert unknown.exit_code == 2 and "no force 'NOPE'" in unknown.output


def test_summary_of_an_empty_warehouse_is_a_clear_error(runner, url):
    result = runner.invoke(main, ["summary", "--warehouse", url])
    assert result.exit_code == 1 and "empty" in result.output


def test_an_unreachable_warehouse_is_a_clear_error(runner):
    result = runner.invoke(main, ["summary", "--warehouse", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"])
    assert result.exit_code == 1
    assert "cannot open the warehouse" in result.output and "secret" not in result.output
    assert "Traceback" not in result.output


def test_summary_takes_the_filter_bar_filters(runner, url):
    assert runner.invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    everyone = json.loads(runner.invoke(main, ["summary", "--exact", "--force", "ELMSHIRE", "--warehouse", url]).output)
    each = [
        json.loads(
            runner.invoke(main, ["summary", "--exact", "--force", "ELMSHIRE", "--sex", sex, "--warehouse", url]).output
        )
        for sex in ("F", "M", "U")
    ]
    for period in ("baseline", "pilot"):
        assert sum(doc["periods"][period]["children"] for doc in each) == everyone["periods"][period]["children"]
    # Version 3: a filter takes one value or all, never a list ("all but one" would subtract from "all").
    listed = runner.invoke(main, ["summary", "--force", "ELMSHIRE", "--sex", "M,U", "--warehouse", url])
    assert listed.exit_code == 2 and "takes one value" in listed.output
    bad = runner.invoke(main, ["summary", "--sex", "X", "--warehouse", url])
    assert bad.exit_code == 2 and "--sex" in bad.output
    # Version 4: for publication, months in whole periods; a range of quarters needs --exact (version 3: months in
    # whole quarters, since two views a month apart would give that month's children away).
    ranged = runner.invoke(main, ["summary", "--month-from", "2017-01", "--warehouse", url])
    assert ranged.exit_code == 2 and "whole periods" in ranged.output
    exact = ["--exact", "--warehouse", url]
    month = runner.invoke(main, ["summary", "--month-from", "2017-02", *exact])
    assert month.exit_code == 2 and "--month-from '2017-02' does not begin a quarter" in month.output
    month = runner.invoke(main, ["summary", "--month-from", "2017-01", "--month-to", "2017-08", *exact])
    assert month.exit_code == 2 and "--month-to '2017-08' does not end a quarter" in month.output
    quarters = runner.invoke(main, ["summary", "--month-from", "2017-01", "--month-to", "2017-09", *exact])
    assert quarters.exit_code == 0, quarters.output


def test_serve_refuses_an_internal_audience_on_a_non_loopback_address(runner, url):
    result = runner.invoke(main, ["serve", "--audience", "internal", "--host", "0.0.0.0", "--warehouse", url])
    assert result.exit_code == 2 and "loopback" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("key", ["a", "short-but-not-32-bytes", "harbour-synthetic-demo-only"])
def test_a_weak_or_public_key_never_pseudonymises_a_real_bundle(runner, tmp_path, url, monkeypatch, key):
    # With a one-byte key (recovered in 0.1 ms) or the public demo key, child ids could be recovered by
    # hashing every id of the source system's format: such a key is refused for real children.
    monkeypatch.setenv("HARBOUR_PSEUDONYM_KEY", key)
    result = runner.invoke(main, ["load", str(bundles.write(tmp_path / "b", bundles.base())), "--warehouse", url])
    assert result.exit_code == 1, result.output
    assert "secrets.token_hex(32)" in result.output and "Nothing was loaded" in result.output
    assert "Traceback" not in result.output
    monkeypatch.setenv("HARBOUR_PSEUDONYM_KEY", "k" * 32)
    assert (
        runner.invoke(main, ["load", str(bundles.write(tmp_path / "c", bundles.base())), "--warehouse", url]).exit_code
        == 0
    )


def test_help_lists_every_command_with_its_whole_first_sentence():
    """Found: the top-level --help cut every description with '...'; demo --help miscounted the pilot's forces."""
    from click.testing import CliRunner

    from harbour.cli import main

    for args in ([], ["benchmark"], ["hub"], ["reference"]):
        result = CliRunner().invoke(main, [*args, "--help"], terminal_width=80)
        listed = result.output.split("Commands:", 1)[1]
        assert result.exit_code == 0 and "..." not in listed, (args, listed)
    demo = CliRunner().invoke(main, ["demo", "--help"]).output
    assert "the lead force and five others (six in all)" in " ".join(demo.split())


def test_serve_says_where_it_serves_once(runner, url, tmp_path):
    """Found: the development server printed "Dash is running" twice (printed and logged) and Flask's banner."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    assert runner.invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    port = free_port()
    env = {**os.environ, "HARBOUR_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("HARBOUR_DEBUG", None)
    serve = subprocess.Popen(
        [sys.executable, "-m", "harbour.cli", "serve", "--port", str(port), "--warehouse", url],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                assert time.time() < deadline, "the server never answered"
                time.sleep(0.3)
    finally:
        serve.terminate()
        output = serve.communicate(timeout=30)[0]
    assert output.count(f"Serving Harbour on http://127.0.0.1:{port}/") == 1, output
    assert "Dash is running" not in output and "Serving Flask app" not in output
    assert "development server" not in output.lower(), output


def test_slides_without_a_browser_say_so_at_once(runner, tmp_path, monkeypatch):
    """Found: on a machine without Chromium, `harbour slides` waited 15 minutes (Kaleido looking for a browser)
    before failing. Now one line says what to do, before any work: for a BROWSER_PATH that names nothing, and for
    no browser at all."""
    import time

    import choreographer.browsers.chromium as chromium

    from harbour.render import images

    from .support import demo_copy

    url = demo_copy(tmp_path)
    out = tmp_path / "deck.pptx"
    started = time.perf_counter()
    result = runner.invoke(
        main, ["slides", "--out", str(out), "--warehouse", url], env={"BROWSER_PATH": str(tmp_path / "no-such")}
    )
    assert result.exit_code == 1 and not out.exists()
    assert time.perf_counter() - started < 20
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("Error: Charts are drawn") and "BROWSER_PATH names" in lines[-1], lines
    assert "Traceback" not in result.output
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setattr(images.shutil, "which", lambda name: None)
    monkeypatch.setattr(chromium.Chromium, "find_browser", classmethod(lambda cls, **_: None))
    with pytest.raises(images.NoBrowser, match="none was found: install Chromium"):
        images.browser()
