"""Screenshots to look at before a release: every page at 1024, 1280 and 1920 px, the navigation at a
phone's width, the filter bar open, and presentation mode at 1280x720 and 1920x1080.

    python scripts/screenshots.py [--out screenshots/review] [--warehouse URL] [--disclosure suppression]
                                  [--widths 1280] [--query "force=ALL"]

Builds the synthetic demo in a temporary warehouse unless one is given, serves it with `harbour serve`,
and drives Debian's Chromium (selenium, from the test extra). Writes PNG files; prints their names.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = (
    "/",
    "/retention",
    "/engagement",
    "/before-after",
    "/attribution",
    "/planning",
    "/missing",
    "/value",
    "/benchmark",
    "/data-quality",
    "/methodology",
)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _browser(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    return browser


def _ready(browser, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if browser.execute_script(
            "return !!document.getElementById('page-title') && "
            "document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0"
        ):
            time.sleep(0.6)  # charts finish drawing
            return
        time.sleep(0.2)
    raise RuntimeError(f"{browser.current_url} did not finish drawing")


def _full_page(browser, path: Path, width: int) -> None:
    height = browser.execute_script("return document.scrollingElement.scrollHeight")
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": min(height, 6000), "deviceScaleFactor": 1, "mobile": False},
    )
    time.sleep(0.4)
    browser.save_screenshot(str(path))


@contextlib.contextmanager
def _opened(width: int, height: int):
    browser = _browser(width, height)
    try:
        yield browser
    finally:
        browser.quit()


def _shot(browser, url: str | None, path: Path, full: int | None = None, click: tuple[str, str] | None = None) -> Path:
    """Open ``url`` (None: stay), click ``click`` if given, and save the screen, or the whole page at width ``full``."""
    if url:
        browser.get(url)
        _ready(browser)
    if click:
        browser.find_element(*click).click()
        time.sleep(0.8)  # a menu or accordion finishes opening
    if full:
        _full_page(browser, path, full)
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": full, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        )
    else:
        browser.save_screenshot(str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots" / "review"))
    parser.add_argument("--warehouse")
    parser.add_argument("--disclosure", choices=("perturbation", "suppression"), default="perturbation")
    parser.add_argument("--widths", default="1024,1280,1920", help="page widths, comma-separated")
    parser.add_argument("--query", default="", help="a query string for every page, e.g. force=ALL")
    parser.add_argument("--pages", default="", help="only these pages, comma-separated (e.g. /attribution)")
    args = parser.parse_args()
    pages = tuple(p for p in args.pages.split(",") if p) or PAGES
    widths = [int(w) for w in args.widths.split(",")]
    query = f"?{args.query}" if args.query else ""
    joined = f"&{args.query}" if args.query else ""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.warehouse or f"sqlite:///{tmp}/demo.sqlite"
        if not args.warehouse:
            subprocess.run(
                [sys.executable, "-m", "harbour.cli", "demo", "--warehouse", url],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        port = _port()
        server = subprocess.Popen(
            [sys.executable, "-m", "harbour.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "HARBOUR_WAREHOUSE": url, "HARBOUR_DISCLOSURE": args.disclosure},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.3)
            shots = []
            for width in widths:
                with _opened(width, 900) as browser:
                    for page in pages:
                        shots.append(
                            _shot(
                                browser,
                                base + page + query,
                                out / f"{page.strip('/') or 'overview'}-{width}.png",
                                full=width,
                            )
                        )
            if pages == PAGES:  # the narrow navigation and the open filter bar, with the whole set
                with _opened(420, 900) as browser:
                    shots.append(_shot(browser, base + "/retention", out / "narrow-420.png"))
                    shots.append(_shot(browser, None, out / "narrow-420-menu.png", click=("id", "nav-toggle")))
                with _opened(1280, 900) as browser:
                    shots.append(
                        _shot(
                            browser,
                            base + "/retention",
                            out / "filters-open-1280.png",
                            full=1280,
                            click=("css selector", "#filter-bar .accordion-button"),
                        )
                    )
            for width, height in ((1280, 720), (1920, 1080)):
                with _opened(width, height) as browser:
                    for page in [
                        p for p in ("/", "/retention", "/attribution", "/missing", "/benchmark") if p in pages
                    ]:
                        shots.append(
                            _shot(
                                browser,
                                base + page + "?present=1&slide=1" + joined,
                                out / f"present-{page.strip('/') or 'overview'}-{width}x{height}.png",
                            )
                        )
            for shot in shots:
                print(shot)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
