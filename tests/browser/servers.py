"""What the browser tests start and read: `harbour serve` in a subprocess on a free loopback port, headless
Chromium driven through ChromeDriver, and `harbour summary`'s document to compare a page with."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harbour.cli import main

from ..support import free_port, require
from .helpers import wait_ready

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ROLES = {
    "viewer": "harbour-viewer",
    "analyst": "harbour-analyst",
    "admin": "harbour-admin",
}  # the provider's role claims


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


def serving(warehouse_url, log_dir, *options, settings: dict | None = None):
    """`harbour serve` in a subprocess on a free loopback port, with ``options`` (and ``settings`` in its
    environment); yields its base URL."""
    port = free_port()
    env = {**os.environ, "HARBOUR_WAREHOUSE": warehouse_url, **(settings or {})}
    # The server's log goes to a file: a pipe that nobody reads fills up and then blocks the server.
    log = (log_dir / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "harbour.cli", "serve", "--port", str(port), *options],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/")
        yield base
    finally:
        process.terminate()
        try:  # its own shutdown (the warm-up, Kaleido's browser) is test_warm's; here it only has to go
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def make_driver(width: int = 1280, height: int = 1800):
    require(Path(CHROMIUM).exists(), "Chromium (/usr/bin/chromium)")
    require(Path(CHROMEDRIVER).exists(), "ChromeDriver (/usr/bin/chromedriver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(60)
    return browser


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


def sign_in(server: str, role: str):
    """A fresh browser that signs in as ``role`` through the provider's form, as a person would."""
    driver = make_driver()
    driver.get(server + "/")
    WebDriverWait(driver, 30).until(lambda d: "/oauth2/authorize" in d.current_url)
    field = driver.find_element(By.NAME, "sub")
    field.send_keys(role)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]:not([value=deny])").click()
    WebDriverWait(driver, 30).until(lambda d: d.current_url.startswith(server))
    wait_ready(driver, "#page-title")
    return driver
