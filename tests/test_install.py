"""Harbour works as installed, not only from a checkout: a wheel built from the tree, installed into a new
virtual environment, serves the dashboard with its stylesheet from outside the checkout, keeps its warehouse
in the user's data folder (never inside site-packages), and fingerprints only its own code."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".git", "tests", "data", "build", "dist", "*.egg-info", "__pycache__", "screenshots",
                              "node_modules", ".pytest_cache", ".hypothesis")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the new environment's python, a folder outside the checkout, its environment variables)."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    wheels = base / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(wheels.glob("harbour-*.whl"))
    venv = base / "venv"
    # The new environment sees the installed dependencies (this machine's), but Harbour only from the wheel.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARBOUR_") or k == "HARBOUR_TEST_POSTGRES_URL"}
    env.update(HOME=str(base / "home"), XDG_DATA_HOME=str(base / "home" / "share"), PYTHONPATH="")
    return python, elsewhere, env


def _ask(python: Path, cwd: Path, env: dict, code: str) -> str:
    done = subprocess.run([str(python), "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_the_installed_harbour_is_the_wheel_and_keeps_its_data_outside_site_packages(installed):
    python, elsewhere, env = installed
    found = _ask(python, elsewhere, env, "import app, settings, reports.cache as c; print(app.__file__); "
                                         "print(settings.data_dir()); print(settings.warehouse_url()); "
                                         "print(c.code_fingerprint())")
    module, data, url, _fingerprint = found.splitlines()
    site = Path(module).parent
    assert str(python.parent.parent) in module  # the wheel's copy, not the checkout's
    assert not Path(data).is_relative_to(site)
    assert Path(data) == Path(env["XDG_DATA_HOME"]) / "harbour"
    assert url == f"sqlite:///{Path(data) / 'harbour.sqlite'}"
    assert (site / "assets" / "harbour.css").read_bytes() == (ROOT / "assets" / "harbour.css").read_bytes()


def test_the_fingerprint_reads_harbours_own_files_only(installed, tmp_path):
    """A package installed beside Harbour does not change the fingerprint; an edit to Harbour's own code does."""
    python, elsewhere, env = installed
    code = "import reports.cache as c; print(c.code_fingerprint())"
    site = Path(_ask(python, elsewhere, env, "import app; print(app.__file__)")).parent
    before = _ask(python, elsewhere, env, code)
    stranger = site / "someone_else.py"
    stranger.write_text("# another package's module\n")
    try:
        assert _ask(python, elsewhere, env, code) == before
    finally:
        stranger.unlink()
    own = site / "untrusted.py"
    original = own.read_bytes()
    own.write_bytes(original + b"\n# edited\n")
    try:
        assert _ask(python, elsewhere, env, code) != before
    finally:
        own.write_bytes(original)


def test_the_fingerprint_lists_what_pyproject_installs():
    from reports import store as cache

    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(tool["py-modules"]) == set(cache.OWN_MODULES)
    packages = {p.rstrip("*") for p in tool["packages"]["find"]["include"]} - {"assets"}
    assert packages == set(cache.OWN_PACKAGES)


def test_the_installed_harbour_serves_a_page_with_its_stylesheet(installed):
    python, elsewhere, env = installed
    port = _free_port()
    harbour = python.parent / "harbour"
    server = subprocess.Popen([str(harbour), "serve", "--port", str(port)], cwd=elsewhere, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(1)
        assert page is not None, server.stdout.read() if server.poll() is not None else "no answer in time"
        sheets = re.findall(r'href="(/assets/[^"]+\.css)[^"]*"', page)
        assert "/assets/harbour.css" in sheets and any("bootstrap" in s for s in sheets)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/assets/harbour.css", timeout=10) as response:
            assert response.status == 200
            assert response.read() == (ROOT / "assets" / "harbour.css").read_bytes()
        assert (Path(env["XDG_DATA_HOME"]) / "harbour" / "harbour.sqlite").is_file()  # the demo, where it belongs
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
