"""Snapshot what Harbour sends for a fixed set of URLs, so that a refactoring can be shown to change nothing.

    python scripts/compare_outputs.py snapshot OUT.json [--scales pilot,national]
    python scripts/compare_outputs.py compare BEFORE.json AFTER.json

``snapshot`` builds each demo into a temporary warehouse and records a SHA-256 of every output: each page's
JSON as the browser receives it (both audiences), each chart's PNG and SVG, each table as CSV, XLSX and ODS,
each page's deck, the standard deck and ``harbour summary`` for every force. Office files are zip archives
whose document properties carry the time they were written: their members are hashed without those.
``compare`` prints what differs and exits 1 when anything does.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PATHS = (
    "/",
    "/retention",
    "/engagement",
    "/before-after",
    "/missing",
    "/value",
    "/benchmark",
    "/data-quality",
    "/methodology",
    "/access-log",
)
VOLATILE = ("docProps/core.xml", "docProps/app.xml", "meta.xml")  # when and by what a file was written


def _digest(content: bytes) -> str:
    if content[:2] == b"PK":  # XLSX, ODS, PPTX: hash the members, not the clock in their properties
        digest = hashlib.sha256()
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in sorted(archive.namelist()):
                if name not in VOLATILE:
                    digest.update(name.encode() + b"\0" + archive.read(name) + b"\0")
        return digest.hexdigest()
    if content.lstrip().startswith(b"<svg"):  # plotly names each drawing's clip paths at random
        content = re.sub(rb"p[0-9a-f]{6}-(legend-)?[0-9a-f]{6}", b"pattern-id", content)
        content = re.sub(rb"(clip|defs-|topdefs-|trace|legend)[0-9a-f]{6}", rb"\1id", content)
    if b"Load history" in content:  # the data-quality page says when each demo was loaded
        content = re.sub(rb"\d{1,2} [A-Z][a-z]+ \d{4},? (at )?\d{2}:\d{2}(:\d{2})?", b"(a time)", content)
    return hashlib.sha256(content).hexdigest()


def _queries(forces: list[str]) -> list[dict]:
    return [
        {},
        {"force": forces[1]},
        {"force": "ALL"},
        {"force": forces[0], "sex": "F"},
        {"force": forces[0], "age_band": "16-17"},
        {"force": forces[0], "grain": "quarter"},
        {"force": forces[0], "cost": "3000", "scheme_cost": "20000"},
        {"force": forces[0], "peers": ",".join(forces[1:3]), "bench_period": "baseline"},
    ]


def snapshot(scales: list[str]) -> dict[str, str]:
    os.environ.pop("HARBOUR_CACHE_DIR", None)
    os.environ.pop("HARBOUR_REDIS_URL", None)
    out: dict[str, str] = {}
    for scale in scales:
        folder = Path(tempfile.mkdtemp(prefix=f"harbour-compare-{scale}-"))
        url = f"sqlite:///{folder / 'warehouse.sqlite'}"
        from click.testing import CliRunner

        from harbour import cli

        result = CliRunner().invoke(cli.main, ["demo", "--scale", scale, "--warehouse", url])
        assert result.exit_code == 0, result.output
        out.update(_outputs(scale, url))
    return out


def _outputs(scale: str, url: str) -> dict[str, str]:
    from urllib.parse import urlencode

    from click.testing import CliRunner

    from harbour import cli
    from harbour.metrics.disclosure import INTERNAL, PUBLICATION
    from harbour.warehouse.current import current_facts
    from harbour.web import downloads as callbacks
    from harbour.web.build import build
    from harbour.web.inprocess import client, render

    test_client = client(url)
    facts = current_facts()
    forces = list(facts.forces["force_code"])
    out: dict[str, str] = {}
    for query in _queries(forces):
        for audience in (PUBLICATION, INTERNAL):
            search = "?" + urlencode({**query, **({"audience": "internal"} if audience.exact else {})}, safe=",")
            for path in PATHS:
                status, body = render(test_client, path, search)
                # The access log's page lists the requests made so far: its content moves with this script.
                if path != "/access-log":
                    out[f"{scale} page {path}{search}"] = f"{status} {_digest(body)}"
                with test_client.application.test_request_context():
                    view = build(path, query, facts, audience)
                if view is None or path in ("/access-log", "/data-quality", "/methodology"):
                    continue
                with test_client.application.test_request_context():
                    for panel in view.panels:
                        for fmt in ("csv", "xlsx", "ods", "svg"):
                            made = callbacks.file_for(path, query, panel.panel_id, fmt, audience)
                            if made is not None:
                                out[f"{scale} file {path}{search} {made[0]}"] = _digest(made[1])
                    if scale == "pilot" and query in ({}, {"force": forces[1]}):
                        made = callbacks.file_for(path, query, None, "pptx", audience)
                        out[f"{scale} deck {path}{search} {made[0]}"] = _digest(made[1])
    runner = CliRunner()
    for force in [*forces, None]:
        for exact in (False, True):
            args = [
                "summary",
                "--warehouse",
                url,
                *(["--force", force] if force else []),
                *(["--exact"] if exact else []),
            ]
            result = runner.invoke(cli.main, args)
            out[f"{scale} summary {force} exact={exact}"] = f"{result.exit_code} {_digest(result.output.encode())}"
    with tempfile.TemporaryDirectory() as folder:
        for args in (["--force", forces[0]], ["--exact"], ["--page", "/benchmark", "--peers", ",".join(forces[1:3])]):
            deck = Path(folder) / "deck.pptx"
            result = runner.invoke(cli.main, ["slides", "--warehouse", url, "--out", str(deck), *args])
            out[f"{scale} slides {' '.join(args)}"] = f"{result.exit_code} {_digest(deck.read_bytes())}"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("out", type=Path)
    snap.add_argument("--scales", default="pilot,national")
    comp = sub.add_parser("compare")
    comp.add_argument("before", type=Path)
    comp.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "snapshot":
        found = snapshot(args.scales.split(","))
        args.out.write_text(json.dumps(found, indent=1, sort_keys=True))
        print(f"{len(found)} outputs recorded in {args.out}")
        return 0
    before, after = json.loads(args.before.read_text()), json.loads(args.after.read_text())
    differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    for name in differ:
        print(f"differs: {name}: {before.get(name, '(absent)')} -> {after.get(name, '(absent)')}")
    print(
        f"{len(before.keys() & after.keys()) - len([k for k in differ if k in before and k in after])} of "
        f"{len(before.keys() | after.keys())} outputs identical; {len(differ)} differ"
    )
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
