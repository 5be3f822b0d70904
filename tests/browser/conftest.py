"""Browser tests: the real `harbour serve` in a subprocess, driven by headless Chromium."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from harbour.cli import main
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="session")
def warehouse_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.sqlite'}"
    result = CliRunner().invoke(main, ["demo", "--warehouse", url])
    assert result.exit_code == 0, result.output
    return url


def serving(warehouse_url, log_dir, *options):
    """`harbour serve` in a subprocess on a free loopback port, with ``options``; yields its base URL."""
    port = free_port()
    env = {**os.environ, "HARBOUR_WAREHOUSE": warehouse_url}
    # The server's log goes to a file: a pipe that nobody reads fills up and then blocks the server.
    log = (log_dir / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "harbour.cli", "serve", "--port", str(port), *options], cwd=ROOT,
                               env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(warehouse_url, tmp_path_factory):
    yield from serving(warehouse_url, tmp_path_factory.mktemp("server"))


@pytest.fixture(scope="session")
def internal_server(warehouse_url, tmp_path_factory):
    """The same warehouse served for one analyst: exact figures, marked OFFICIAL-SENSITIVE."""
    yield from serving(warehouse_url, tmp_path_factory.mktemp("internal"), "--audience", "internal")


def make_driver(width: int = 1280, height: int = 1800):
    require(Path(CHROMIUM).exists(), "Chromium (/usr/bin/chromium)")
    require(Path(CHROMEDRIVER).exists(), "ChromeDriver (/usr/bin/chromedriver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(60)
    return browser


@pytest.fixture(scope="session")
def driver():
    browser = make_driver()
    yield browser
    browser.quit()


@pytest.fixture
def projector_driver():
    """A browser of its own, opened at a projector's 1024 pixels."""
    browser = make_driver(1024, 1400)
    yield browser
    browser.quit()


def summary(warehouse_url: str, *args: str) -> dict:
    """`harbour summary`'s document. Published, each c retention rate that a page shows as a band (docs/metrics.md
    version 3: 1 to 7 went missing) carries "_band", the whole points of 100 x (at_risk - 7) / at_risk rounded down,
    counted here from the exact summary, so that a test compares a page with it."""
    result = CliRunner().invoke(main, ["summary", "--warehouse", warehouse_url, *args])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    if "--exact" not in args:
        exact = json.loads(CliRunner().invoke(main, ["summary", "--exact", "--warehouse", warehouse_url, *args]).output)
        for period, p in doc["periods"].items():
            for label, h in p["retention"].items():
                e = exact["periods"][period]["retention"][label]
                if h["rate"] == "c" and e["at_risk"] >= 10 and 1 <= e["not_retained"] <= 7 and e["retained"] > 7:
                    h["_band"] = (100 * (e["at_risk"] - 7)) // e["at_risk"]
    return doc


@pytest.fixture(scope="session")
def axe_source():
    path = os.environ.get("HARBOUR_AXE_JS", "")
    require(bool(path) and Path(path).exists(), "axe-core (HARBOUR_AXE_JS)")
    return Path(path).read_text(encoding="utf-8")
