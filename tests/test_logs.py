"""Logs an operator can use: JSON lines with a request id that comes back in X-Request-Id, the role and an
opaque id; and, read line by line over a full test load (SSDA903 returns included) and a served session with
filters and a download, no child identifier, no la_child_id, no pseudonym and no raw value of the bundle."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from .browser.servers import wait_for
from .hubs import ROOT, free_port

ALLOWED = {
    "at",
    "level",
    "logger",
    "message",
    "event",
    "request_id",
    "method",
    "path",
    "query_keys",
    "status",
    "ms",
    "role",
    "person",
    "outcome",
    "batch_id",
    "seconds",
    "synthetic",
    "exception",
}


def _bundle_values(folder: Path) -> set[str]:
    """Every identifier and free value of the bundle that a log must never hold."""
    values = set()
    for path in folder.rglob("*.csv"):
        for row in csv.DictReader(path.open(newline="", encoding="utf-8")):
            for column, value in row.items():
                if (
                    column
                    and value
                    and (
                        column.endswith("_id")
                        or column in ("force_name", "scheme_name", "nationality", "provider", "la_child_id", "CHILD")
                    )
                ):
                    if len(value) >= 3:
                        values.add(value)
    return values


def _json_lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def test_every_log_line_of_a_load_and_a_served_session_is_json_without_a_childs_identifier(tmp_path):
    bundle = tmp_path / "bundle"
    subprocess.run(
        [sys.executable, "-m", "harbour.cli", "demo", "--placements", "ssda903", "--out", str(bundle)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    env = {
        **os.environ,
        "HARBOUR_LOG_FORMAT": "json",
        "HARBOUR_WAREHOUSE": url,
        "HARBOUR_CACHE_DIR": str(tmp_path / "cache"),
        "HARBOUR_PSEUDONYM_KEY": "harbour-synthetic-demo-only",
    }
    load = subprocess.run(
        [sys.executable, "-m", "harbour.cli", "load", str(bundle)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert load.returncode == 0, load.stderr[-500:]
    load_lines = _json_lines(load.stderr)
    assert [line for line in load_lines if line.get("event") == "load"][0]["outcome"] == "loaded"
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as handle:
        serve = subprocess.Popen(
            [sys.executable, "-m", "harbour.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/healthz")
            nationality = next(v for v in _bundle_values(bundle) if re.fullmatch(r"[A-Z]{3}", v))
            request = urllib.request.Request(
                base + f"/retention?force=ELMSHIRE&nationality={nationality}",
                headers={"X-Request-Id": "operator-trace-0001"},
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                assert response.headers["X-Request-Id"] == "operator-trace-0001"
            with urllib.request.urlopen(base + "/?force=FENWICK", timeout=60) as response:
                fresh_id = response.headers["X-Request-Id"]
            bad = urllib.request.Request(base + "/", headers={"X-Request-Id": "\x1b[8m;drop"})
            with urllib.request.urlopen(bad, timeout=60) as response:
                assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])  # not the caller's junk
        finally:
            serve.terminate()
            serve.wait(timeout=15)
    serve_lines = _json_lines(log.read_text())
    requests = [line for line in serve_lines if line.get("event") == "request"]
    traced = [line for line in requests if line["request_id"] == "operator-trace-0001"]
    assert traced and traced[0]["path"] == "/retention" and traced[0]["query_keys"] == ["force", "nationality"]
    assert traced[0]["role"] == "admin" and re.fullmatch(r"[0-9a-f]{12}", traced[0]["person"])
    assert any(line["request_id"] == fresh_id for line in requests)
    # Every line, of the load and of the server: only the fields a line may hold, and nothing of the bundle.
    text_lines = load.stderr.splitlines() + log.read_text().splitlines()
    forbidden = _bundle_values(bundle)
    assert len(forbidden) > 100
    for line in load_lines + serve_lines:
        assert set(line) <= ALLOWED, set(line) - ALLOWED
    for raw in text_lines:
        if not raw.startswith("{"):
            continue
        assert not re.search(r"\b[0-9a-f]{64}\b", raw), raw  # a pseudonym
        found = [v for v in forbidden if v in raw]
        assert not found, (found[:5], raw[:200])
