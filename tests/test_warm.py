"""Every force's default pages are drawn before anyone asks: the first visitor is served from the cache."""

import time

import pytest
from click.testing import CliRunner

from harbour.cli import main
from harbour.web.inprocess import render


@pytest.fixture
def demo(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert CliRunner().invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    monkeypatch.setenv("HARBOUR_CACHE_DIR", str(tmp_path / "cache"))
    return url


def test_harbour_warm_draws_every_default_page_and_the_first_visitor_gets_them(demo, monkeypatch):
    from harbour.pages.registry import warmed
    from harbour.warehouse import current
    from harbour.web import cache

    PAGES = warmed()

    result = CliRunner().invoke(main, ["warm", "--warehouse", demo])
    assert result.exit_code == 0, result.output
    current.use(demo)
    facts = current.current_facts()
    forces = list(facts.forces["force_code"])
    assert f"{(len(forces) + 1) * len(PAGES)} default pages ready" in result.output

    drawn = []
    real = cache._cached

    def watching(path, facts_, name_of, build):
        return real(path, facts_, name_of, lambda: drawn.append(path) or build())

    monkeypatch.setattr(cache, "_cached", watching)
    from harbour.app import app

    client = app.server.test_client()
    for path in PAGES:
        for search in ("", f"?force={forces[-1]}"):
            started = time.perf_counter()
            status, body = render(client, path, search)
            assert status == 200 and b"page-title" in body
            assert time.perf_counter() - started < 0.5
    assert drawn == []  # nothing was drawn: every page came from the cache
    render(client, "/retention", f"?force={forces[-1]}&sex=F")
    assert drawn  # and a view nobody drew in advance is drawn on demand


def _descendants(pid: int) -> set[int]:
    """Every process started, directly or not, by ``pid`` (from /proc), and every process in a group it leads."""
    import os

    children: dict[int, list[int]] = {}
    groups: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        groups.setdefault(int(fields[2]), []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        for child in children.get(current, []) + groups.get(current, []):
            if child not in found and child != pid:
                found.add(child)
                todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def test_serve_answers_while_it_warms_and_sigterm_leaves_no_warm_up_behind(tmp_path):
    """Found: `harbour serve` answered nothing while it warmed, and SIGTERM during the warm-up left its forked
    workers running with no parent, at full CPU."""
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    from .hubs import free_port

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert CliRunner().invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    port = free_port()
    env = {**os.environ, "HARBOUR_WAREHOUSE": url, "HARBOUR_CACHE_DIR": str(tmp_path / "cache")}
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "harbour.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        started, seen, answered = time.monotonic(), set(), None
        while time.monotonic() - started < 60 and answered is None:
            seen |= _descendants(serve.pid)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    answered = response.status
            except OSError:
                time.sleep(0.1)
        seen |= _descendants(serve.pid)
        warming = _alive(seen)
        assert answered == 200
        assert warming, "the warm-up should still be drawing when the server first answers"
        for _ in range(20):  # its forked workers, once they exist
            seen |= _descendants(serve.pid)
            if len(_alive(seen)) > 1:
                break
            time.sleep(0.1)
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=10)
        time.sleep(1)
        assert _alive(seen) == set(), "warm-up processes outlived the server"
    finally:
        if serve.poll() is None:
            serve.kill()
        log.close()


def test_serve_starts_kaleidos_browser_before_anyone_asks_for_an_image(tmp_path):
    """Found: the first PNG after a start took 7.3 s (Kaleido's browser starting); later ones 0.6 s. The browser now
    starts with the server, before any image is asked for."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from .browser.servers import CHROMIUM
    from .hubs import free_port
    from .support import require

    require(Path(CHROMIUM).exists(), "Chromium (/usr/bin/chromium)")
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert CliRunner().invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    env = {**os.environ, "HARBOUR_WAREHOUSE": url, "HARBOUR_CACHE_DIR": str(tmp_path / "cache")}
    serve = subprocess.Popen(
        [sys.executable, "-m", "harbour.cli", "serve", "--port", str(free_port())],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        deadline, browser = time.monotonic() + 60, None
        while time.monotonic() < deadline and browser is None:
            for pid in _alive(_descendants(serve.pid)):
                try:
                    command = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ")
                except OSError:
                    continue
                # Kaleido's headless browser (the warm-up's own children are Python, not a browser).
                if b"chrom" in command and b"--headless" in command:
                    browser = pid
            time.sleep(0.3)
        assert browser is not None, "no browser for images was started with the server"
        family = _descendants(serve.pid)
        serve.terminate()
        serve.wait(timeout=15)
        for _ in range(50):
            if not _alive(family):
                break
            time.sleep(0.1)
        assert not _alive(family), "the image browser outlived the server"
    finally:
        if serve.poll() is None:
            serve.kill()
