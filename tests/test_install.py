"""Harbour works as installed, not only from a checkout: a wheel built from the tree holds one package, `harbour`;
installed into a new virtual environment, it serves the dashboard with its stylesheet from outside the checkout, keeps
its warehouse
in the user's data folder (never inside site-packages), and fingerprints only its own code."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest

from .support import free_port

pytestmark = pytest.mark.xdist_group("install")  # its fixtures are built once, on one worker

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(
    ".git",
    "tests",
    "data",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "screenshots",
    "node_modules",
    ".pytest_cache",
    ".hypothesis",
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the new environment's python, a folder outside the checkout, its environment variables)."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    wheels = base / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(wheels.glob("harbour-*.whl"))
    venv = base / "venv"
    # The new environment sees the installed dependencies (this machine's), but Harbour only from the wheel.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
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
    found = _ask(
        python,
        elsewhere,
        env,
        "from harbour import app, settings; from harbour.views import store as c; print(app.__file__); "
        "print(settings.data_dir()); print(settings.warehouse_url()); "
        "print(c.code_fingerprint())",
    )
    module, data, url, _fingerprint = found.splitlines()
    site = Path(module).parent
    assert str(python.parent.parent) in module  # the wheel's copy, not the checkout's
    assert not Path(data).is_relative_to(site.parent)
    assert Path(data) == Path(env["XDG_DATA_HOME"]) / "harbour"
    assert url == f"sqlite:///{Path(data) / 'harbour.sqlite'}"
    assert (site / "assets" / "harbour.css").read_bytes() == (ROOT / "assets" / "harbour.css").read_bytes()


def test_the_fingerprint_reads_harbours_own_files_only(installed, tmp_path):
    """A package installed beside Harbour does not change the fingerprint; an edit to Harbour's own code does."""
    python, elsewhere, env = installed
    code = "from harbour.views import store as c; print(c.code_fingerprint())"
    site = Path(_ask(python, elsewhere, env, "from harbour import app; print(app.__file__)")).parent
    before = _ask(python, elsewhere, env, code)
    stranger = site.parent / "someone_else.py"
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


def test_the_wheel_installs_one_name_harbour(installed):
    """Nothing but the package `harbour` (and its metadata) lands in site-packages: no module of Harbour's can
    overwrite, or be overwritten by, another distribution's of the same name."""
    python, elsewhere, env = installed
    wheel = next((python.parents[2] / "wheels").glob("harbour-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        top = {name.split("/")[0] for name in archive.namelist()}
    assert top == {"harbour", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    site = Path(_ask(python, elsewhere, env, "import harbour; print(harbour.__file__)")).parents[1]
    record = next(site.glob("harbour-*.dist-info")) / "RECORD"
    paths = [line.split(",")[0] for line in record.read_text().splitlines()]
    assert all(p.startswith(("harbour/", "harbour-", "../")) for p in paths), paths
    assert not (site / "app.py").exists() and not (site / "metrics").exists()


def test_pyproject_installs_every_package_of_the_tree():
    """A new sub-package is installed: pyproject.toml's list is the tree's folders with an __init__.py, less the
    tests."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    tree = {
        ".".join(("harbour", *f.parent.relative_to(ROOT).parts))
        for f in ROOT.rglob("__init__.py")
        if f.relative_to(ROOT).parts[0] not in ("tests", "build", ".git")
    }
    assert listed == tree


def test_every_module_of_the_installed_wheel_imports(installed):
    """The installed package imports module by module from outside the repository (no module still asks for a
    top-level name of the old layout)."""
    python, elsewhere, env = installed
    code = (
        "import pkgutil, importlib, harbour; "
        "names = [m.name for m in pkgutil.walk_packages(harbour.__path__, 'harbour.') "
        "if '.migrations.versions.' not in m.name and not m.name.endswith(('.migrations.env', '__main__'))]; "
        "[importlib.import_module(n) for n in names]; print(len(names))"
    )
    assert int(_ask(python, elsewhere, env, code)) > 50
    # The perturbation table is part of the standard, and travels with the package.
    table = "from harbour.metrics.perturbation import harbour_table; print(sorted(harbour_table().ranges))"
    assert _ask(python, elsewhere, env, table) == "[0, 1, 2, 3, 4]"


def test_the_installed_harbour_serves_a_page_with_its_stylesheet(installed):
    python, elsewhere, env = installed
    port = free_port()
    harbour = python.parent / "harbour"
    server = subprocess.Popen(
        [str(harbour), "serve", "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
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
