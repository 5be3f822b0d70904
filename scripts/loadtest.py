"""Load test: many people at once on `gunicorn app:server`, the national demo, Locust headless.

    pip install -e ".[test,load]"
    python scripts/loadtest.py [--users 50] [--seconds 60] [--workers 4] [--threads 4] [--warehouse URL]

What it does, in order:

1. Builds the national synthetic demo in a temporary SQLite warehouse (unless --warehouse is given).
2. Starts gunicorn with the repository's gunicorn.conf.py (which draws every force's default pages
   before the workers take requests), sign-in off on the loopback address, a fresh page cache.
3. Opens the overview in a fresh Chromium and times it (the first page view after the start), and
   counts the bytes that first visit downloads.
4. Records the real requests a browser sends: Chromium opens each page, then changes a filter in
   the filter bar and applies it. The callback bodies Dash's client sent are kept as templates.
5. Replays them with Locust. The user model: each simulated person arrives with an empty browser
   cache (so fetches the page, Dash's scripts and the stylesheet once), then every 2 to 5 seconds
   either opens a page (60%) or changes a filter on the page they are on (40%), choosing among
   all forces, sexes, age bands, contact routes and month ranges at random. A page open is the
   HTML page, the layout, the callback list and the page's callbacks, timed together; a filter
   change is the filter bar's callback and the callbacks the new URL fires, timed together.
6. Prints p50, p95 and p99 for page opens and filter changes, the error count, and the resident
   memory of every gunicorn worker (the largest seen while the test ran).

The targets are printed beside the results. This is a script, not a test: timings
depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PAGES = ("/", "/retention", "/engagement", "/before-after", "/missing", "/value", "/benchmark")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 900) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not answer within {seconds:.0f} s")


# --- recording, in a process of its own (Locust patches the standard library with gevent) -------------


def _driver(profile: Path):
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(options=options)


def _idle(driver, marker: str = "#page-title", seconds: float = 60) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        # Ready means drawn: the page idle and every chart's SVG in place (plotly.js loaded and run).
        WebDriverWait(driver, seconds, poll_frequency=0.02).until(
            lambda d: d.execute_script(
                f"return !!document.querySelector('{marker}') && "
                "document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0 && "
                "[...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg'))"
            )
        )
    except TimeoutException:
        shown = driver.execute_script("return document.body ? document.body.innerText.slice(0, 300) : ''")
        raise SystemExit(f"{driver.current_url} did not finish within {seconds:.0f} s; it shows: {shown!r}") from None


def _network(driver) -> list[dict]:
    events = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    return [e for e in events if e["method"].startswith("Network.")]


def _posts(events) -> list[dict]:
    return [
        {
            "path": e["params"]["request"]["url"].split("//", 1)[1].split("/", 1)[1],
            "body": json.loads(e["params"]["request"]["postData"]),
        }
        for e in events
        if e["method"] == "Network.requestWillBeSent"
        and e["params"]["request"]["method"] == "POST"
        and "_dash-update-component" in e["params"]["request"]["url"]
    ]


def record(base: str, out: Path) -> None:
    """The first visit's time and bytes, then each page's callbacks and a filter change's."""
    with tempfile.TemporaryDirectory() as profile:
        driver = _driver(Path(profile))
        try:
            started = time.perf_counter()
            driver.get(base + "/")
            _idle(driver)
            first_view = time.perf_counter() - started
            events = _network(driver)
            # Only what came from the app: Chromium's own new-tab page loads resources of its own.
            ours = {
                e["params"]["requestId"]
                for e in events
                if e["method"] == "Network.requestWillBeSent" and e["params"]["request"]["url"].startswith(base)
            }
            downloaded = sum(
                e["params"].get("encodedDataLength", 0)
                for e in events
                if e["method"] == "Network.loadingFinished" and e["params"]["requestId"] in ours
            )
            hosts = sorted(
                {
                    e["params"]["request"]["url"].split("/")[2]
                    for e in events
                    if e["method"] == "Network.requestWillBeSent" and e["params"]["request"]["url"].startswith("http")
                }
            )
            pages = {}
            for path in PAGES:
                driver.get(base + path)
                _idle(driver)
                opened = _posts(_network(driver))
                # A filter change, as a person makes it: tick a force in the filter bar and apply.
                driver.execute_script(
                    "const radios = [...document.querySelectorAll('#filter-force input[type=radio]')];"
                    "const next = radios.find(r => !r.checked && r.value); if (next) next.click();"
                    "document.getElementById('filter-apply').click();"
                )
                time.sleep(0.3)
                _idle(driver)
                changed = _posts(_network(driver))
                pages[path] = {"open": opened, "change": changed}
        finally:
            driver.quit()
    out.write_text(
        json.dumps({"first_view_seconds": first_view, "first_view_bytes": downloaded, "hosts": hosts, "pages": pages})
    )


# --- replay -------------------------------------------------------------------------------------------------


def _gunicorn(url: str, port: int, workers: int, threads: int, cache: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "HARBOUR_WAREHOUSE": url, "HARBOUR_AUTH": "none", "HARBOUR_CACHE_DIR": str(cache)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "harbour.app:server",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _worker_memory(master: int) -> dict[int, int]:
    import psutil

    try:
        return {child.pid: child.memory_info().rss for child in psutil.Process(master).children()}
    except psutil.Error:
        return {}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def _searches(forces: list[str], rng: random.Random) -> str:
    force = rng.choice(forces)
    options = [
        f"force={force}",
        "force=ALL",
        f"force={force}&sex={rng.choice(['M', 'F'])}",
        f"force={force}&age_band={rng.choice(['13-15', '16-17'])}",
        f"force={force}&contact_route=VEHICLE,PORT",
        f"force=ALL&sex={rng.choice(['M', 'F'])}&age_band=16-17",
        f"force={force}&month_from={rng.choice(['2015', '2017', '2019'])}-0{rng.randint(1, 9)}",
    ]
    return "?" + rng.choice(options)


def _with_search(body: dict, search: str, path: str | None = None) -> dict:
    """A recorded callback body, as the browser would send it at another URL."""
    body = json.loads(json.dumps(body))
    for group in ("inputs", "state"):
        for item in body.get(group, []):
            if isinstance(item, dict) and item.get("id") == "_pages_location":
                if item.get("property") == "search":
                    item["value"] = search
                elif item.get("property") == "pathname" and path is not None:
                    item["value"] = path
    return body


def replay(base: str, recorded: dict, forces: list[str], users: int, seconds: int, master: int) -> dict:
    """Locust, in this process: ``users`` people as the module's docstring describes."""
    import gevent
    from locust import HttpUser, between, events, task
    from locust.env import Environment

    results = {"page open": [], "filter change": [], "errors": [], "memory": {}, "total": 0}
    pages = recorded["pages"]
    scripts = recorded["scripts"]

    def timed(name, user, steps):
        started = time.perf_counter()
        failure = None
        for method, path, body in steps:
            with (
                user.client.get(path, name=name, catch_response=True)
                if method == "GET"
                else user.client.post(path, json=body, name=name, catch_response=True)
            ) as response:
                if response.status_code != 200:
                    failure = (
                        f"{method} {path.split('?')[0]} -> {response.status_code or type(response.error).__name__}"
                    )
                    response.failure(failure)
                else:
                    response.success()
        elapsed = time.perf_counter() - started
        if failure:
            results["errors"].append(failure)
        else:
            results[name].append(elapsed)

    class Person(HttpUser):
        wait_time = between(2, 5)
        host = base

        def on_start(self):
            self.rng = random.Random()
            self.path = "/"
            self.search = ""
            self.first = True

        def _open_steps(self, path, search):
            steps = [("GET", path + search, None)]
            if self.first:  # an empty browser cache: Dash's scripts and the stylesheet, once
                steps += [("GET", s, None) for s in scripts]
                self.first = False
            steps += [("GET", "/_dash-layout", None), ("GET", "/_dash-dependencies", None)]
            steps += [
                ("POST", "/_dash-update-component", _with_search(p["body"], search, path)) for p in pages[path]["open"]
            ]
            return steps

        @task(6)
        def open_page(self):
            self.path = self.rng.choice(PAGES)
            self.search = self.rng.choice(["", _searches(forces, self.rng)])
            timed("page open", self, self._open_steps(self.path, self.search))

        @task(4)
        def change_filter(self):
            if self.first:
                return self.open_page()
            search = _searches(forces, self.rng)
            steps = []
            for p in pages[self.path]["change"]:
                # The filter bar's own callback is sent from the old URL; what it fires, from the new one.
                fires = p["body"].get("output", "").startswith("_pages_location.search")
                steps.append(
                    (
                        "POST",
                        "/_dash-update-component",
                        _with_search(p["body"], self.search if fires else search, self.path),
                    )
                )
            self.search = search
            timed("filter change", self, steps)

    env = Environment(user_classes=[Person], events=events, stop_timeout=30)  # at the end, let each finish
    runner = env.create_local_runner()
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            now = _worker_memory(master)
            for pid, rss in now.items():
                results["memory"][pid] = max(rss, results["memory"].get(pid, 0))
            results["total"] = max(results["total"], sum(now.values()))  # all workers at one moment
            gevent.sleep(2)

    sampler = gevent.spawn(sample)
    runner.start(users, spawn_rate=max(1, users // 10))
    gevent.sleep(seconds)
    runner.stop()
    runner.quit()
    stop.set()
    sampler.join(timeout=5)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--warehouse", default=None, help="SQLAlchemy URL (default: the national demo, built now)")
    parser.add_argument("--record", nargs=2, metavar=("BASE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.record:
        return record(args.record[0], Path(args.record[1]))

    with tempfile.TemporaryDirectory(prefix="harbour-load-") as tmp:
        tmp = Path(tmp)
        url = args.warehouse
        if url is None:
            url = f"sqlite:///{tmp / 'national.sqlite'}"
            print("building the national demo …", flush=True)
            subprocess.run(
                [sys.executable, "-m", "harbour.cli", "demo", "--scale", "national", "--warehouse", url],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        server = _gunicorn(url, port, args.workers, args.threads, tmp / "cache", tmp / "gunicorn.log")
        try:
            wait_for(base + "/")
            ready = time.perf_counter() - started
            print(
                f"gunicorn: {args.workers} workers x {args.threads} threads (gthread), ready in {ready:.1f} s "
                f"(including drawing every force's default pages)",
                flush=True,
            )
            out = tmp / "recorded.json"
            subprocess.run([sys.executable, __file__, "--record", base, str(out)], check=True)
            recorded = json.loads(out.read_text())
            page = urllib.request.urlopen(base + "/").read().decode()
            import re

            recorded["scripts"] = [s for s in re.findall(r'(?:src|href)="(/[^"]+)"', page) if "_favicon" not in s]
            print(
                f"first page view in a fresh browser: {recorded['first_view_seconds']:.2f} s [target: under 2 s]; "
                f"{recorded['first_view_bytes'] / 1024:.0f} KiB downloaded from {', '.join(recorded['hosts'])}"
            )
            from sqlalchemy import create_engine, text

            with create_engine(url).connect() as conn:
                forces = [r[0] for r in conn.execute(text("select force_code from forces order by force_code"))]
            print(
                f"recorded {sum(len(p['open']) for p in recorded['pages'].values())} page-open and "
                f"{sum(len(p['change']) for p in recorded['pages'].values())} filter-change callbacks; "
                f"replaying with {args.users} users for {args.seconds} s …",
                flush=True,
            )
            results = replay(base, recorded, forces, args.users, args.seconds, server.pid)
            workers = args.workers
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    print()
    print("| measure | n | p50 | p95 | p99 | target |")
    print("|---|---|---|---|---|---|")
    for name in ("page open", "filter change"):
        values = results[name]
        print(
            f"| {name} | {len(values)} | {_percentile(values, 50):.2f} s | {_percentile(values, 95):.2f} s | "
            f"{_percentile(values, 99):.2f} s | p95 under 1 s |"
        )
    print(f"errors: {len(results['errors'])} [target: 0] {sorted(set(results['errors']))[:5]}")
    memory = results["memory"]
    print(
        "worker memory (largest RSS seen, by process): "
        + ", ".join(f"{rss / 2**20:.0f} MB" for rss in memory.values())
        + f"; all workers together, at most {results['total'] / 2**20:.0f} MB [target: under 1,536 MB]"
        + (f"; {len(memory) - workers} worker(s) replaced during the test" if len(memory) > workers else "")
    )


if __name__ == "__main__":
    main()
