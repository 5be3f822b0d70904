"""Screenshots to look at before a release: every page at 1024, 1280 and 1920 px, the navigation at a
phone's width, the filter bar open, and presentation mode at 1280x720 and 1920x1080.

    python scripts/screenshots.py [--out screenshots/review] [--warehouse URL]

Builds the synthetic demo in a temporary warehouse unless one is given, serves it with `harbour serve`,
and drives Debian's Chromium (selenium, from the test extra). Writes PNG files; prints their names.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("/", "/retention", "/engagement", "/before-after", "/missing", "/value", "/benchmark", "/data-quality",
         "/methodology")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _browser(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--hide-scrollbars", f"--window-size={width},{height}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    return browser


def _ready(browser, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if browser.execute_script("return !!document.getElementById('page-title') && "
                                  "document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0"):
            time.sleep(0.6)  # charts finish drawing
            return
        time.sleep(0.2)
    raise RuntimeError(f"{browser.current_url} did not finish drawing")


def _full_page(browser, path: Path, width: int) -> None:
    height = browser.execute_script("return document.scrollingElement.scrollHeight")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": min(height, 6000), "deviceScaleFactor": 1, "mobile": False})
    time.sleep(0.4)
    browser.save_screenshot(str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots" / "review"))
    parser.add_argument("--warehouse")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.warehouse or f"sqlite:///{tmp}/demo.sqlite"
        if not args.warehouse:
            subprocess.run([sys.executable, "-m", "cli", "demo", "--warehouse", url], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        port = _port()
        server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=ROOT,
                                  env={**os.environ, "HARBOUR_WAREHOUSE": url}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.3)
            shots = []
            for width in (1024, 1280, 1920):
                browser = _browser(width, 900)
                try:
                    for page in PAGES:
                        browser.get(base + page)
                        _ready(browser)
                        name = out / f"{(page.strip('/') or 'overview')}-{width}.png"
                        _full_page(browser, name, width)
                        shots.append(name)
                        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                                {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
                finally:
                    browser.quit()
            browser = _browser(420, 900)
            try:
                browser.get(base + "/retention")
                _ready(browser)
                browser.save_screenshot(str(out / "narrow-420.png"))
                browser.find_element("id", "nav-toggle").click()
                time.sleep(0.8)
                browser.save_screenshot(str(out / "narrow-420-menu.png"))
                shots += [out / "narrow-420.png", out / "narrow-420-menu.png"]
            finally:
                browser.quit()
            browser = _browser(1280, 900)
            try:
                browser.get(base + "/retention")
                _ready(browser)
                browser.find_element("css selector", "#filter-bar .accordion-button").click()
                time.sleep(0.8)
                _full_page(browser, out / "filters-open-1280.png", 1280)
                shots.append(out / "filters-open-1280.png")
            finally:
                browser.quit()
            for width, height in ((1280, 720), (1920, 1080)):
                browser = _browser(width, height)
                try:
                    for page in ("/", "/retention", "/missing", "/benchmark"):
                        browser.get(base + page + "?present=1&slide=1")
                        _ready(browser)
                        name = out / f"present-{(page.strip('/') or 'overview')}-{width}x{height}.png"
                        browser.save_screenshot(str(name))
                        shots.append(name)
                finally:
                    browser.quit()
            for shot in shots:
                print(shot)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
